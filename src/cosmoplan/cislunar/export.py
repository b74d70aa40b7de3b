"""CCSDS OEM export of a planned cislunar mission: one Orbit Ephemeris Message per leg.

:func:`write_leg_oems` writes each :class:`~cosmoplan.cislunar.sample_return.MissionLeg` of a
:class:`~cosmoplan.cislunar.sample_return.MissionTimeline` as an OEM (KVN, version 2.0) with
the project's one OEM writer (:class:`cosmoplan.ccsds.OEM`, built from
:meth:`~cosmoplan.ccsds.EphemerisSegment.from_trajectory`):

* CENTER_NAME ``EARTH`` with REF_FRAME ``GCRF`` for Earth-centred legs, ``MOON`` with
  ``ICRF`` for Moon-centred ones (the legs' states are on GCRF = ICRF axes; GCRF names the
  geocentric realisation, so a Moon-centred ephemeris says ICRF);
* TIME_SYSTEM ``TDB``: the legs are propagated on TDB epochs, so the epochs are written as
  they are, without a conversion (and without the leap seconds of UTC), to the nanosecond
  (a microsecond at 11 km/s would be 5 mm along the track);
* the propagated samples themselves, positions (km) and velocities (km/s) as shortest
  round-trip decimals (the writer accepts any increasing epochs; OEM readers interpolate
  with the HERMITE degree written). Where a leg repeats an epoch with a different state
  (an impulsive manoeuvre between two propagated arcs, e.g. the mid-course correction in
  the trans-lunar coast) a new segment starts, as CCSDS 502.0-B-3 §5.2.4 recommends:
  interpolating across a velocity jump is wrong.

Files are ``<nn>-<leg-name-slug>.oem`` (``01-trans-lunar-coast.oem``), each written
atomically; every message is built and checked before the first file is written, so a leg
that cannot be written leaves the folder untouched.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import InputError

__all__ = ["write_leg_oems", "leg_oem", "leg_file_name", "REF_FRAMES", "TIME_SYSTEMS"]

REF_FRAMES = {"earth": ("EARTH", "GCRF"), "moon": ("MOON", "ICRF")}
"""Leg centre -> (CENTER_NAME, REF_FRAME)."""

TIME_SYSTEMS = ("TDB", "UTC")
"""TIME_SYSTEMs :func:`write_leg_oems` can write (TDB by default: the legs' own scale)."""

_SAME_EPOCH_S = 1e-3  # samples closer than this are one instant (a burn between two arcs)
_NDP = 9  # decimals of the seconds in the epochs (nanoseconds)


def leg_file_name(index, name):
    """``<nn>-<slug>.oem`` for the ``index``-th leg (1-based): lower case, runs of other
    characters than letters and digits as one hyphen (``leg`` when nothing is left)."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-") or "leg"
    return f"{int(index):02d}-{slug}.oem"


def _pieces(leg):
    """Index arrays of the leg's ballistic pieces: split where an epoch repeats with another
    state; an exactly repeated sample is kept once."""
    t = np.asarray(leg.epochs - leg.epochs[0], dtype=float).reshape(-1)
    states = np.asarray(leg.states, dtype=float)
    if states.ndim != 2 or states.shape[1] != 6 or len(states) != t.size:
        raise InputError(f"leg {leg.name!r}: states must have shape ({t.size}, 6), got "
                         f"{states.shape}", field="states", value=leg.name)
    if not np.all(np.isfinite(states)):
        raise InputError(f"leg {leg.name!r}: the states are not all finite", field="states",
                         value=leg.name)
    dt = np.diff(t)
    if np.any(dt < -_SAME_EPOCH_S):
        k = int(np.argmax(dt < -_SAME_EPOCH_S)) + 1
        raise InputError(f"leg {leg.name!r}: epoch {k} ({leg.epochs[k].iso()} TDB) goes back "
                         "in time", field="epochs", value=leg.name)
    pieces, cur = [], [0]
    for k in range(1, t.size):
        if dt[k - 1] > _SAME_EPOCH_S:
            cur.append(k)
        elif np.array_equal(states[k], states[k - 1]):
            continue
        else:
            pieces.append(np.array(cur))
            cur = [k]
    pieces.append(np.array(cur))
    return pieces


def _resample(seg, step_s, leg_name):
    """The segment on a uniform grid of ``step_s`` (plus its last epoch), by its own Hermite
    interpolation: only where the samples are at least that dense (no invented data)."""
    from ..ccsds.oem import EphemerisSegment
    from ..time import Epoch
    from ..trajectory import Trajectory

    ep = seg.data.epochs
    t = np.asarray(ep - ep[0], dtype=float)
    if t.size < 2:
        return seg
    gap = float(np.max(np.diff(t)))
    if gap > step_s * (1 + 1e-9):
        raise InputError(
            f"leg {leg_name!r} is sampled up to {gap:.0f} s apart: resampling to {step_s:g} s "
            "would interpolate between sparse samples; keep the propagated samples "
            "(step_s=None) or propagate the leg with denser output", field="step_s",
            value=step_s)
    grid = np.arange(0.0, t[-1], float(step_s))
    grid = np.r_[grid, t[-1]] if t[-1] - grid[-1] > _SAME_EPOCH_S else np.r_[grid[:-1], t[-1]]
    first = Epoch(ep.jd1[0], ep.jd2[0], scale=ep.scale)
    r, v = seg.interpolate(first + grid)
    md = seg.metadata
    traj = Trajectory((first + grid).tdb, r, v, frame=md.ref_frame, center=md.center_name,
                      name=md.object_name)
    return EphemerisSegment.from_trajectory(
        traj, md.object_name, md.object_id, ref_frame=md.ref_frame,
        center_name=md.center_name, time_system=md.time_system,
        interpolation=md.interpolation,
        interpolation_degree=int(min(md.interpolation_degree, 2 * grid.size - 1)),
        comments=md.comments + [f"resampled every {step_s:g} s (Hermite interpolation of "
                                "the propagated samples)"], ndp=_NDP)


def leg_oem(leg, *, object_name="UNKNOWN", object_id="UNKNOWN", time_system="TDB",
            step_s=None, originator="cosmoplan", comment="", interpolation_degree=5):
    """The :class:`~cosmoplan.ccsds.OEM` of one mission leg (module docstring).

    Parameters
    ----------
    leg : MissionLeg
        ``name``, ``centre`` (``'earth'`` or ``'moon'``), ``epochs`` (Epoch, TDB) and
        ``states`` (n, 6) km, km/s on GCRF axes relative to the centre.
    object_name, object_id : str
        OBJECT_NAME and OBJECT_ID.
    time_system : {'TDB', 'UTC'}
        TIME_SYSTEM of the epochs.
    step_s : float, optional
        None (default): the propagated samples. A step: each segment resampled on a
        uniform grid by its own Hermite interpolation; refused (InputError) where the
        samples are sparser than the step.
    originator, comment : str
        ORIGINATOR and a header COMMENT.
    interpolation_degree : int
        INTERPOLATION_DEGREE (HERMITE), at most 2 N - 1 for N states of a segment.

    Returns
    -------
    cosmoplan.ccsds.OEM
        One segment per ballistic piece of the leg.
    """
    from ..ccsds._trajectory_oem import _one_line
    from ..ccsds.oem import OEM, EphemerisSegment, new_header
    from ..trajectory import Trajectory

    centre = str(leg.centre).lower()
    if centre not in REF_FRAMES:
        raise InputError(f"leg {leg.name!r}: centre must be 'earth' or 'moon', got "
                         f"{leg.centre!r}", field="centre", value=leg.centre)
    ts = str(time_system).upper()
    if ts not in TIME_SYSTEMS:
        raise InputError(f"time_system must be one of {', '.join(TIME_SYSTEMS)}, got "
                         f"{time_system!r}", field="time_system", value=time_system)
    if step_s is not None and (isinstance(step_s, bool) or not np.isfinite(float(step_s))
                               or float(step_s) <= 0):
        raise InputError(f"step_s must be a positive number of seconds or None, got "
                         f"{step_s!r}", field="step_s", value=step_s)
    center_name, frame = REF_FRAMES[centre]
    epochs = leg.epochs.tdb.reshape(-1)
    states = np.asarray(leg.states, dtype=float)
    name = _one_line(object_name, "UNKNOWN")
    segments = []
    pieces = _pieces(leg)
    for k, idx in enumerate(pieces):
        traj = Trajectory(epochs[idx], states[idx, :3], states[idx, 3:6], frame=frame,
                          center=center_name, name=name)
        note = [f"leg: {_one_line(leg.name, 'unnamed')} ({centre}-centred, GCRF axes)"]
        if len(pieces) > 1:
            note.append(f"ballistic piece {k + 1} of {len(pieces)}: a new segment at each "
                        "impulsive manoeuvre")
        seg = EphemerisSegment.from_trajectory(
            traj, name, _one_line(object_id, "UNKNOWN"), ref_frame=frame,
            center_name=center_name, time_system=ts, interpolation="HERMITE",
            interpolation_degree=int(max(1, min(interpolation_degree, 2 * len(idx) - 1))),
            comments=note, ndp=_NDP)
        if step_s is not None:
            seg = _resample(seg, float(step_s), leg.name)
        segments.append(seg)
    comments = [_one_line(c, "") for c in str(comment).splitlines()]
    return OEM(new_header(_one_line(originator, "UNKNOWN"), comments, "2.0"), segments)


def write_leg_oems(timeline, directory, *, step_s=None, time_system="TDB", object_id="UNKNOWN",
                   originator="cosmoplan"):
    """Write one OEM (KVN) per leg of ``timeline`` into ``directory``.

    Parameters
    ----------
    timeline : MissionTimeline
        Its ``legs`` are written in order; OBJECT_NAME is ``timeline.config.name``.
    directory : str or Path
        Created if missing.
    step_s : float, optional
        None (default): the propagated samples as they are (the OEM writer needs no
        uniform step). A step: resample each segment by Hermite interpolation, refused
        where the leg's samples are sparser than the step (see :func:`leg_oem`).
    time_system : {'TDB', 'UTC'}
        TIME_SYSTEM (default TDB, the legs' own scale).
    object_id, originator : str
        OBJECT_ID and ORIGINATOR.

    Returns
    -------
    list of Path
        ``<directory>/<nn>-<leg-name-slug>.oem``, one per leg (nn from 01).

    Raises
    ------
    InputError
        A leg that cannot be written (bad centre, non-finite states, epochs going back),
        raised before any file is written; or a file that cannot be written (the files
        before it are complete, that one is left as it was: each write is atomic).
    """
    from ..ccsds._message import check_output_file, write_text_file

    legs = list(getattr(timeline, "legs", None) or [])
    if not legs:
        raise InputError("the timeline has no legs to write", field="legs")
    cfg = getattr(timeline, "config", None)
    object_name = str(getattr(cfg, "name", "") or "UNKNOWN")
    model = getattr(cfg, "model", None)
    comment = "cosmoplan sample-return plan"
    if model is not None and hasattr(model, "describe"):
        comment += f"; force model: {model.describe()}"
    directory = Path(directory)
    texts = []
    for k, leg in enumerate(legs, start=1):
        oem = leg_oem(leg, object_name=object_name, object_id=object_id,
                      time_system=time_system, step_s=step_s, originator=originator,
                      comment=comment)
        texts.append((directory / leg_file_name(k, leg.name), oem.to_kvn()))
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for path, text in texts:
        write_text_file(check_output_file(path), text)
        paths.append(path)
    return paths
