"""Orbit Ephemeris Message (OEM) output in KVN, CCSDS 502.0-B-3 (2023) §5.

One segment per ballistic arc: CCSDS recommends a new segment at each manoeuvre, since
interpolation across a velocity discontinuity is wrong (502.0-B-3 §5.2.4.4 note). Each
segment's metadata states the object, centre, frame, time system, the span and the
interpolation to use; data lines are ``epoch x y z vx vy vz`` in km and km/s.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np

from .._io import atomic_write_text
from ..errors import InputError

__all__ = ["OEMSegment", "format_oem", "write_oem"]

_FRAMES = {"GCRF": "GCRF", "EME2000": "EME2000", "ITRF": "ITRF", "TEME": "TEME",
           "CIRS": "CIRS", "TIRS": "TIRS"}


@dataclass(frozen=True)
class OEMSegment:
    """One OEM segment: a Trajectory plus its metadata.

    Attributes
    ----------
    trajectory : cosmoplan.trajectory.Trajectory
        States to write (its frame and centre become REF_FRAME and CENTER_NAME).
    object_name, object_id : str
        OBJECT_NAME and OBJECT_ID (international designator recommended).
    interpolation_degree : int
        INTERPOLATION_DEGREE with INTERPOLATION = HERMITE.
    comment : str
        Optional COMMENT line(s) for the segment.
    """

    trajectory: object
    object_name: str
    object_id: str
    interpolation_degree: int = 5
    comment: str = ""


def _one_line(text, default):
    """KVN values are one line of printable text: control characters become blanks."""
    clean = "".join(c if c.isprintable() else " " for c in str(text)).strip()
    return clean or default


def _epoch_text(epoch):
    return epoch.utc.iso(6).rstrip("Z")


def format_oem(segments, originator="cosmoplan", comment=""):
    """KVN text of an OEM (version 2.0) with the given segments (time system UTC)."""
    if not segments:
        raise InputError("an OEM needs at least one segment", field="segments")
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    lines = ["CCSDS_OEM_VERS = 2.0"]
    for c in str(comment).splitlines():
        lines.append(f"COMMENT {_one_line(c, '')}".rstrip())
    lines += [f"CREATION_DATE = {now}", f"ORIGINATOR = {_one_line(originator, 'UNKNOWN')}",
              ""]
    for seg in segments:
        traj = seg.trajectory
        if traj.frame not in _FRAMES:
            raise InputError(f"frame {traj.frame} has no CCSDS REF_FRAME name", field="frame",
                             value=traj.frame)
        if len(traj) < 2:
            raise InputError("an OEM segment needs at least two states", field="trajectory")
        start, stop = _epoch_text(traj.epoch[0]), _epoch_text(traj.epoch[-1])
        lines.append("META_START")
        for c in str(seg.comment).splitlines():
            lines.append(f"COMMENT {_one_line(c, '')}".rstrip())
        degree = int(min(seg.interpolation_degree, 2 * len(traj) - 1))
        lines += [
            f"OBJECT_NAME = {_one_line(seg.object_name, 'UNKNOWN')}",
            f"OBJECT_ID = {_one_line(seg.object_id, 'UNKNOWN')}",
            f"CENTER_NAME = {traj.center.upper()}",
            f"REF_FRAME = {_FRAMES[traj.frame]}",
            "TIME_SYSTEM = UTC",
            f"START_TIME = {start}",
            f"USEABLE_START_TIME = {start}",
            f"USEABLE_STOP_TIME = {stop}",
            f"STOP_TIME = {stop}",
            "INTERPOLATION = HERMITE",
            f"INTERPOLATION_DEGREE = {degree}",
            "META_STOP",
            "",
        ]
        texts = traj.epoch.utc.iso(6)
        for t, r, v in zip(np.atleast_1d(texts), traj.r, traj.v):
            lines.append(
                f"{str(t).rstrip('Z')} {r[0]:.6f} {r[1]:.6f} {r[2]:.6f} "
                f"{v[0]:.9f} {v[1]:.9f} {v[2]:.9f}")
        lines.append("")
    return "\n".join(lines)


def write_oem(path, segments, originator="cosmoplan", comment=""):
    """Write an OEM (KVN) atomically to ``path``; returns the path."""
    atomic_write_text(path, format_oem(segments, originator, comment))
    return path
