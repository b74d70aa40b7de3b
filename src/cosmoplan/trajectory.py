"""Cartesian states that carry their epoch, frame and centre: :class:`Trajectory`.

A :class:`Trajectory` is a time-ordered series of states of one object:
``epoch`` (an :class:`~cosmoplan.time.Epoch` of shape (N,)), ``r`` (N, 3) km and
``v`` (N, 3) km/s in a named frame about a named centre. Every propagator in cosmoplan
(SGP4, Kepler, numerical) returns one, and every planner takes one, so they are
interchangeable. There is no default frame: it is always said.

Interpolation is cubic Hermite on positions and velocities between neighbouring
samples (exact at the nodes). Its position error grows as the fourth power of the
sampling step, about ``r n^4 h^4 / 384``: for a 400 km LEO orbit (J2..J6, measured) 0.3 mm
at 10 s sampling, 4 mm at 20 s, 2 cm at 30 s and 0.35 m at 60 s. For a sparser table use
the degree-5 Hermite interpolation of an OEM (:meth:`Trajectory.to_oem`, then
``OEM.interpolate``: 6e-9 km at 30 s). Outside the sampled span it refuses, with
:class:`~cosmoplan.errors.DataRangeError`.

What a trajectory gives, each from the module that owns it:

* :meth:`Trajectory.to_frame`: the states in another Earth frame, velocities included
  (:func:`cosmoplan.frames.transform`);
* :meth:`Trajectory.elements`: osculating classical elements over time
  (:func:`cosmoplan.states.cartesian_to_keplerian`), as :class:`TrajectoryElements`;
* :meth:`Trajectory.altitude` (alias :meth:`Trajectory.altitude_km`) and
  :meth:`Trajectory.subpoints`: WGS-84 geodetic height and sub-satellite points;
* :meth:`Trajectory.to_oem`: a CCSDS OEM (the writer of :mod:`cosmoplan.ccsds`);
* :meth:`Trajectory.plot`: altitude or elements against UTC
  (:mod:`cosmoplan.report.trajectory_plot`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DataRangeError, InputError
from .time import Epoch

__all__ = ["Trajectory", "TrajectoryElements"]

_ROTATING_FRAMES = ("ITRF", "TIRS")
"""Earth-fixed frames: osculating elements there are not Keplerian (see :meth:`elements`)."""


@dataclass(frozen=True, eq=False)
class TrajectoryElements:
    """Osculating classical elements of a :class:`Trajectory`, one value per state.

    Every array has shape (N,), N the number of states. Conventions (circular and
    equatorial orbits, wrapping) are those of :mod:`cosmoplan.states` (Vallado 4th ed.
    Algorithm 9): angles in [0, 2 pi), except the true and mean anomalies of an open
    orbit (e >= 1).

    Attributes
    ----------
    epoch : Epoch, shape (N,)
    frame : str
        The inertial frame the elements refer to (its equator and x axis define ``i``,
        ``raan``).
    mu : float
        Gravitational parameter used, km^3/s^2.
    p : ndarray
        Semi-latus rectum, km.
    a : ndarray
        Semi-major axis, km (``inf`` for a parabola, < 0 for a hyperbola).
    e : ndarray
        Eccentricity.
    i, raan, argp : ndarray
        Inclination, right ascension of the ascending node, argument of periapsis, rad.
    nu, mean_anomaly : ndarray
        True and mean anomaly, rad.
    u : ndarray
        Argument of latitude ``argp + nu`` in [0, 2 pi), rad.
    period : ndarray
        Keplerian period ``2 pi sqrt(a^3 / mu)``, s (``inf`` for e >= 1).
    """

    epoch: Epoch
    frame: str
    mu: float
    p: np.ndarray
    a: np.ndarray
    e: np.ndarray
    i: np.ndarray
    raan: np.ndarray
    argp: np.ndarray
    nu: np.ndarray
    mean_anomaly: np.ndarray
    u: np.ndarray
    period: np.ndarray

    def __len__(self):
        return self.epoch.size

    @property
    def keplerian(self):
        """The same elements as a :class:`cosmoplan.states.KeplerianElements` (shape (N,))."""
        from .states import KeplerianElements

        return KeplerianElements(self.p, self.e, self.i, self.raan, self.argp, self.nu)


class Trajectory:
    """Time-ordered Cartesian states of one object.

    Parameters
    ----------
    epoch : Epoch, shape (N,)
        Strictly increasing epochs.
    r, v : array_like, shape (N, 3)
        Positions (km) and velocities (km/s) in ``frame``.
    frame : str
        Frame name (see :data:`cosmoplan.frames.FRAMES`).
    center : str
        Central body, e.g. ``'earth'``.
    name : str, optional
        Object name (used in plots and OEM files).
    """

    def __init__(self, epoch, r, v, *, frame, center="earth", name=None):
        if not isinstance(epoch, Epoch):
            raise InputError("a Trajectory needs an Epoch array", field="epoch", value=epoch)
        epoch = epoch.reshape(-1)
        r = np.asarray(r, dtype=float).reshape(-1, 3)
        v = np.asarray(v, dtype=float).reshape(-1, 3)
        n = epoch.size
        if r.shape != (n, 3) or v.shape != (n, 3):
            raise InputError(
                f"epoch has {n} entries but r has shape {r.shape} and v {v.shape}; "
                "expected (N, 3) each",
                field="r",
            )
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(v))):
            raise InputError("a Trajectory's states must be finite (found NaN/inf)", field="r")
        if n > 1 and np.any(np.diff(epoch - epoch[0]) <= 0):
            raise InputError("a Trajectory's epochs must be strictly increasing", field="epoch")
        self.epoch = epoch
        self.r = r
        self.v = v
        self.center = str(center).lower()
        if self.center == "earth":
            from .frames import _canon

            self.frame = _canon(frame)  # GCRS -> GCRF etc.; unknown names are InputErrors
        else:
            self.frame = str(frame).upper()
        self.name = name

    def __len__(self):
        return self.epoch.size

    def __repr__(self):
        span = f"{self.epoch[0].iso(0)} .. {self.epoch[-1].iso(0)}" if len(self) else "empty"
        return (f"Trajectory({self.name or 'unnamed'}, {len(self)} states, {span}, "
                f"frame={self.frame}, center={self.center})")

    def __getitem__(self, item):
        return Trajectory(self.epoch[item], self.r[item], self.v[item], frame=self.frame,
                          center=self.center, name=self.name)

    @property
    def rv(self):
        """States as one (N, 6) array [x, y, z, vx, vy, vz] (km, km/s)."""
        return np.hstack([self.r, self.v])

    @property
    def seconds(self):
        """Seconds from the first epoch, shape (N,)."""
        return np.asarray(self.epoch - self.epoch[0], dtype=float)

    def to_frame(self, frame):
        """The same trajectory in another Earth frame (:func:`cosmoplan.frames.transform`).

        Parameters
        ----------
        frame : str
            A name of :data:`cosmoplan.frames.FRAMES` (GCRF, EME2000, CIRS, TIRS, ITRF,
            TEME; aliases such as J2000, ICRF, ECEF accepted).

        Returns
        -------
        Trajectory
            Same epochs and name; ``r`` (N, 3) km and ``v`` (N, 3) km/s in ``frame``.
            Velocities are transformed with the frames' rotation rates (in ITRF they
            are Earth-fixed velocities: ``v_ITRF = W R (v_GCRF) - omega x r``).

        Raises
        ------
        InputError
            An unknown frame, or a trajectory not centred on the Earth.
        """
        from .frames import transform

        if self.center != "earth":
            raise InputError(f"frame changes are for Earth-centred states; this one is about "
                             f"{self.center}", field="frame", value=frame)
        r, v = transform(self.r, self.v, self.epoch, self.frame, frame)
        return Trajectory(self.epoch, r, v, frame=frame, center=self.center, name=self.name)

    def interpolate(self, epoch):
        """States at other epochs by cubic Hermite interpolation.

        Parameters
        ----------
        epoch : Epoch
            Epoch(s) inside the span of this trajectory.

        Returns
        -------
        r, v : ndarray, shape epoch.shape + (3,)

        Raises
        ------
        DataRangeError
            For epochs outside the span (by more than 1 microsecond).
        """
        t = np.asarray(epoch - self.epoch[0], dtype=float)
        ts = self.seconds
        bad = (t < ts[0] - 1e-6) | (t > ts[-1] + 1e-6)
        if np.any(bad):
            raise DataRangeError(
                f"{int(np.sum(bad))} epoch(s) outside the trajectory span "
                f"{self.epoch[0].iso()} .. {self.epoch[-1].iso()}",
                start=self.epoch[0].iso(), stop=self.epoch[-1].iso(), mask=bad,
            )
        if len(self) == 1:
            shape = np.shape(t) + (3,)
            return (np.broadcast_to(self.r[0], shape).copy(),
                    np.broadcast_to(self.v[0], shape).copy())
        k = np.clip(np.searchsorted(ts, t, side="right") - 1, 0, len(ts) - 2)
        h = (ts[k + 1] - ts[k])[..., None]
        s = ((t - ts[k])[..., None]) / h
        p0, p1 = self.r[k], self.r[k + 1]
        m0, m1 = self.v[k] * h, self.v[k + 1] * h
        s2, s3 = s * s, s * s * s
        h00 = 2 * s3 - 3 * s2 + 1
        h10 = s3 - 2 * s2 + s
        h01 = -2 * s3 + 3 * s2
        h11 = s3 - s2
        r = h00 * p0 + h10 * m0 + h01 * p1 + h11 * m1
        dh00 = 6 * s2 - 6 * s
        dh10 = 3 * s2 - 4 * s + 1
        dh01 = -6 * s2 + 6 * s
        dh11 = 3 * s2 - 2 * s
        v = (dh00 * p0 + dh10 * m0 + dh01 * p1 + dh11 * m1) / h
        return r, v

    def altitude(self):
        """Geodetic (WGS-84) altitude of each state, km, shape (N,).

        Heights above the WGS-84 ellipsoid of the ITRF positions
        (:func:`cosmoplan.frames.itrf_to_geodetic`); Earth-centred trajectories only.
        """
        from .frames import itrf_to_geodetic

        itrf = self if self.frame == "ITRF" else self.to_frame("ITRF")
        return itrf_to_geodetic(itrf.r)[2]

    altitude_km = altitude

    def subpoints(self):
        """Geodetic latitude and east longitude (rad) of the sub-satellite points."""
        from .frames import itrf_to_geodetic

        itrf = self if self.frame == "ITRF" else self.to_frame("ITRF")
        lat, lon, _ = itrf_to_geodetic(itrf.r)
        return lat, lon

    def elements(self, mu=None, *, frame=None):
        """Osculating classical elements over time (Vallado 4th ed. Algorithm 9, vectorised
        in :func:`cosmoplan.states.cartesian_to_keplerian`).

        Parameters
        ----------
        mu : float, optional
            Gravitational parameter, km^3/s^2. Default for an Earth-centred trajectory:
            EGM96 GM (398600.4415, the value the numerical propagator flies with); required
            for any other centre.
        frame : str, optional
            Inertial frame the elements refer to (GCRF, EME2000, CIRS, TEME). Default: the
            trajectory's own frame, or GCRF when that is Earth-fixed (ITRF, TIRS), where
            osculating elements would not be Keplerian. CIRS has the Earth's true pole
            (CIP) as z axis: the frame for nodal drift under J2.

        Returns
        -------
        TrajectoryElements
            Arrays of shape (N,): ``a`` km, ``e``, ``i``, ``raan``, ``argp``, ``nu``,
            ``mean_anomaly``, ``u`` rad, ``period`` s.

        Raises
        ------
        InputError
            ``mu`` missing or not positive, an Earth-fixed ``frame``, or a state without an
            orbit plane (``r x v = 0``).
        """
        from .states import cartesian_to_keplerian

        if mu is None:
            if self.center != "earth":
                raise InputError(f"give mu for elements about {self.center}", field="mu")
            from .constants import EGM96_GM_KM3_S2

            mu = EGM96_GM_KM3_S2
        try:
            mu = float(mu)
        except (TypeError, ValueError):
            raise InputError(f"mu must be a number (km^3/s^2), got {mu!r}", field="mu",
                             value=mu) from None
        if not (np.isfinite(mu) and mu > 0):
            raise InputError(f"mu must be > 0 (km^3/s^2), got {mu!r}", field="mu", value=mu)
        traj = self
        if self.center == "earth":
            from .frames import _canon

            target = _canon(frame) if frame is not None else (
                "GCRF" if self.frame in _ROTATING_FRAMES else self.frame)
            if target in _ROTATING_FRAMES:
                raise InputError(f"osculating elements need an inertial frame, not the "
                                 f"Earth-fixed {target}; use GCRF, EME2000, CIRS or TEME",
                                 field="frame", value=frame)
            if target != self.frame:
                traj = self.to_frame(target)
        elif frame is not None and str(frame).upper() != self.frame:
            raise InputError(f"frame changes are for Earth-centred states; this one is about "
                             f"{self.center}", field="frame", value=frame)
        el = cartesian_to_keplerian(traj.r, traj.v, mu)

        def flat(x):
            return np.asarray(x, dtype=float).reshape(-1)

        return TrajectoryElements(
            epoch=self.epoch, frame=traj.frame, mu=mu, p=flat(el.p), a=flat(el.a),
            e=flat(el.e), i=flat(el.i), raan=flat(el.raan), argp=flat(el.argp),
            nu=flat(el.nu), mean_anomaly=flat(el.mean_anomaly),
            u=flat(el.argument_of_latitude), period=flat(el.period(mu)))

    def to_oem(self, path=None, *, frame=None, object_name=None, object_id="UNKNOWN",
               originator="cosmoplan", comment="", interpolation_degree=5):
        """This trajectory as a CCSDS Orbit Ephemeris Message (KVN, version 2.0, UTC).

        One segment (:class:`cosmoplan.ccsds.OEMSegment`, Hermite interpolation), written
        by the OEM writer of :mod:`cosmoplan.ccsds`: positions (km) and velocities (km/s)
        as shortest round-trip decimals, epochs to the microsecond, so the file reads back
        (:func:`cosmoplan.ccsds.read`) with the same states. A trajectory with impulsive
        burns should be written one segment per ballistic arc (CCSDS 502.0-B-3 §5.2.4):
        use ``PropagationResult.arcs`` with :func:`cosmoplan.ccsds.write_oem`.

        Parameters
        ----------
        path : str or Path, optional
            File to write (atomically). None: return the message instead.
        frame : str, optional
            Write the states in this frame (:meth:`to_frame`); default: the trajectory's.
            REF_FRAME must be one of GCRF, EME2000, ITRF, TEME, CIRS, TIRS.
        object_name, object_id : str
            OBJECT_NAME (default: the trajectory's name, else UNKNOWN) and OBJECT_ID.
        originator, comment : str
            ORIGINATOR and header COMMENT line(s).
        interpolation_degree : int
            INTERPOLATION_DEGREE (at most 2 N - 1).

        Returns
        -------
        Path or cosmoplan.ccsds.OEM
            ``path`` when one is given, else the :class:`~cosmoplan.ccsds.OEM` object
            (``.to_kvn()`` gives its text).
        """
        from pathlib import Path

        from .ccsds._trajectory_oem import OEMSegment, build_oem, write_oem

        traj = self if frame is None else self.to_frame(frame)
        seg = OEMSegment(traj, object_name or self.name or "UNKNOWN", object_id,
                         interpolation_degree=interpolation_degree)
        if path is None:
            return build_oem([seg], originator, comment)
        return Path(write_oem(path, [seg], originator, comment))

    def plot(self, path=None, kind="altitude"):
        """Plot altitude or osculating elements against UTC
        (:func:`cosmoplan.report.trajectory_plot.plot_trajectory`).

        Parameters
        ----------
        path : str or Path, optional
            PNG file to write (atomically); None returns the matplotlib Figure.
        kind : {'altitude', 'elements'}
            ``'altitude'``: WGS-84 geodetic height (km); ``'elements'``: a (km), e, i,
            RAAN, argument of perigee (degrees) and period (min).
        """
        from .report.trajectory_plot import plot_trajectory

        return plot_trajectory(self, path, kind=kind)

    @staticmethod
    def concatenate(parts, name=None):
        """Join trajectories end to end; a sample repeated at a junction is kept once
        (the later one, which carries any impulsive burn applied there)."""
        parts = [p for p in parts if len(p)]
        frame, center = parts[0].frame, parts[0].center
        eps, rs, vs = [], [], []
        last = None
        for p in parts:
            if p.frame != frame or p.center != center:
                raise InputError("cannot join trajectories in different frames or centres")
            e, r, v = p.epoch, p.r, p.v
            if last is not None:
                dt = np.asarray(e - last, dtype=float)
                if dt[0] <= 1e-9:  # drop earlier duplicate of the junction sample
                    eps[-1], rs[-1], vs[-1] = eps[-1][:-1], rs[-1][:-1], vs[-1][:-1]
            eps.append(e)
            rs.append(r)
            vs.append(v)
            last = e[-1]
        keep = [i for i, e in enumerate(eps) if e.size]
        return Trajectory(Epoch.concatenate([eps[i] for i in keep]),
                          np.vstack([rs[i] for i in keep]), np.vstack([vs[i] for i in keep]),
                          frame=frame, center=center, name=name or parts[0].name)
