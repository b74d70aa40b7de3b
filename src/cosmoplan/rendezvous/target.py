"""Where the rendezvous target is: one interface over SGP4 element sets and numerical states.

:class:`TargetEphemeris` answers ``states(epoch) -> (r, v)`` in GCRF (km, km/s) for any
epoch array, whatever the target's data are:

* :meth:`TargetEphemeris.from_tle`: SGP4 (python-sgp4, via :mod:`cosmoplan.tle`), TEME
  rotated to GCRF (:mod:`cosmoplan.frames`);
* :meth:`TargetEphemeris.from_state`: a GCRF state at an epoch, propagated with the
  numerical propagator (J2..J6 and drag) backwards and forwards as needed, sampled every
  30 s and interpolated (cubic Hermite: < 0.1 mm in LEO).
"""

from __future__ import annotations

import numpy as np

from ..constants import EGM96_GM_KM3_S2
from ..errors import InputError
from ..propagator import ForceModel, NumericalPropagator, Spacecraft
from ..time import Epoch
from ..trajectory import Trajectory

__all__ = ["TargetEphemeris", "MAX_TARGET_DATA_AGE_DAYS"]

MAX_TARGET_DATA_AGE_DAYS = 60.0
"""Planners refuse target data (TLE or state) further than this from the epochs they need."""


class TargetEphemeris:
    """GCRF states of a target at arbitrary epochs.

    Use the ``from_*`` constructors. Attributes: ``name``, ``reference_epoch`` (epoch of
    the data, for staleness checks), ``source`` (human-readable description).
    """

    def __init__(self, states_fn, *, name, reference_epoch, source):
        self._states_fn = states_fn
        self.name = name
        self.reference_epoch = reference_epoch
        self.source = source

    def states(self, epoch):
        """Position (km) and velocity (km/s), GCRF, shape epoch.shape + (3,)."""
        return self._states_fn(epoch)

    def check_span(self, epoch, field="launch.day"):
        """Raise InputError if ``epoch`` is more than MAX_TARGET_DATA_AGE_DAYS from the data.

        Far from its epoch, SGP4 (or a long numerical arc) predicts nothing useful, and
        a day decades away would also run past the time-scale tables.
        """
        from ..errors import InputError as _InputError

        age = abs(float(epoch.tt - self.reference_epoch.tt)) / 86400.0
        if age > MAX_TARGET_DATA_AGE_DAYS:
            day = epoch.utc.iso(0)[:10] if age < 3e5 else "that day"
            raise _InputError(
                f"launch day {day} is {age:,.0f} days from the target's data ({self.source}); "
                f"its position cannot be predicted that far (limit "
                f"{MAX_TARGET_DATA_AGE_DAYS:.0f} days): use element sets or a state near the "
                "launch day", field=field, value=day)

    def __repr__(self):
        return f"TargetEphemeris({self.name!r}, {self.source})"

    @classmethod
    def from_tle(cls, tle, *, max_age_days=None):
        """Target from a :class:`cosmoplan.tle.TLE`, propagated by SGP4."""
        from ..tle import TLE

        if not isinstance(tle, TLE):
            raise InputError(f"from_tle needs a cosmoplan TLE (read_tles / TLE.from_lines), "
                             f"got {type(tle).__name__}", field="target", value=tle)

        def states(epoch):
            flat = epoch.reshape(-1)
            kwargs = {} if max_age_days is None else {"max_age_days": max_age_days}
            # Trajectories need strictly increasing epochs: sort, drop repeats, map back.
            secs = np.asarray(flat - flat[0], float)
            uniq, inverse = np.unique(secs, return_inverse=True)
            traj = tle.propagate(flat[0] + uniq, frame="GCRF", **kwargs)
            shape = epoch.shape + (3,)
            return traj.r[inverse].reshape(shape), traj.v[inverse].reshape(shape)

        name = getattr(tle, "name", None) or f"NORAD {tle.satnum}"
        return cls(states, name=name, reference_epoch=tle.epoch,
                   source=f"TLE epoch {tle.epoch.iso(0)} (SGP4)")

    @classmethod
    def from_state(cls, epoch, r, v, *, frame="GCRF", name="target", force_model=None,
                   spacecraft=None, step_s=30.0):
        """Target from one state, propagated numerically (J2..J6 + drag by default).

        Parameters
        ----------
        epoch : Epoch
            Epoch of the state (scalar).
        r, v : array_like, shape (3,)
            Position (km) and velocity (km/s) in ``frame``.
        frame : str
            Any Earth frame known to :func:`cosmoplan.frames.transform`.
        """
        from ..frames import transform

        r = np.asarray(r, float).reshape(3)
        v = np.asarray(v, float).reshape(3)
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(v))):
            raise InputError("target state must be finite", field="state", value=r)
        if np.linalg.norm(r) < 6378.137 + 80.0:
            raise InputError(
                f"target position |r| = {np.linalg.norm(r):.1f} km is below 80 km altitude "
                "(positions are km from the Earth's centre)", field="state", value=list(r))
        energy = 0.5 * float(np.dot(v, v)) - EGM96_GM_KM3_S2 / float(np.linalg.norm(r))
        if energy >= 0 or np.linalg.norm(r) > 1.0e6:
            raise InputError(
                f"target state |r| = {np.linalg.norm(r):.4g} km, |v| = {np.linalg.norm(v):.4g} "
                "km/s is not a bound Earth orbit: check the units (km and km/s, not m and "
                "m/s)", field="state", value=[list(r), list(v)])
        rg, vg = transform(r, v, epoch, frame, "GCRF")
        prop = NumericalPropagator(force_model or ForceModel())
        sc = spacecraft or Spacecraft(name=name)
        cache = {"traj": None}

        def ensure(lo, hi):
            traj = cache["traj"]
            if traj is not None:
                s = traj.seconds
                t0 = float(traj.epoch[0] - epoch)
                if t0 + s[0] <= lo and t0 + s[-1] >= hi:
                    return traj
            lo = min(lo, 0.0) - step_s
            hi = max(hi, 0.0) + step_s
            parts = []
            if lo < 0:
                back = prop.propagate_states(epoch, np.r_[rg, vg], epoch + lo, spacecraft=sc)
                # re-propagate forward from the back end to sample the whole span at once
                res = prop.propagate(epoch + lo, back[:3], back[3:], duration_s=hi - lo,
                                     step_s=step_s, spacecraft=sc, name=name)
                parts.append(res.trajectory)
            else:
                res = prop.propagate(epoch, rg, vg, duration_s=hi, step_s=step_s,
                                     spacecraft=sc, name=name)
                parts.append(res.trajectory)
            cache["traj"] = Trajectory.concatenate(parts, name=name)
            return cache["traj"]

        def states(ep):
            dt = np.asarray(ep - epoch, float)
            traj = ensure(float(np.min(dt)), float(np.max(dt)))
            return traj.interpolate(ep)

        return cls(states, name=name, reference_epoch=Epoch(epoch.jd1, epoch.jd2,
                                                              scale=epoch.scale),
                   source=f"state at {epoch.utc.iso(0)} ({prop.force_model.describe()})")
