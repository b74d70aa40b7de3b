"""Trajectories to Orbit Ephemeris Messages: the writer behind ``chaser.oem``.

One segment per ballistic arc: CCSDS recommends a new segment at each manoeuvre, since
interpolation across a velocity discontinuity is wrong (502.0-B-3 §5.2.4 note). Each
:class:`OEMSegment` (a trajectory plus names) becomes an
:class:`~cosmoplan.ccsds.oem.EphemerisSegment` of an :class:`~cosmoplan.ccsds.oem.OEM`
(version 2.0, time system UTC, Hermite interpolation), written by the OEM's own KVN
writer: there is one OEM writer in cosmoplan. Positions (km) and velocities (km/s) are
written as shortest round-trip decimals, epochs to the microsecond, so the file reads
back (``cosmoplan.ccsds.read``) equal to the message written.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._io import atomic_write_text
from ..errors import InputError

__all__ = ["OEMSegment", "format_oem", "write_oem", "build_oem"]

_FRAMES = {"GCRF": "GCRF", "EME2000": "EME2000", "ITRF": "ITRF", "TEME": "TEME",
           "CIRS": "CIRS", "TIRS": "TIRS"}


@dataclass(frozen=True)
class OEMSegment:
    """One OEM segment to write: a Trajectory plus its metadata.

    Attributes
    ----------
    trajectory : cosmoplan.trajectory.Trajectory
        States to write (its frame and centre become REF_FRAME and CENTER_NAME).
    object_name, object_id : str
        OBJECT_NAME and OBJECT_ID (international designator recommended); line breaks
        become blanks, empty text becomes ``UNKNOWN``.
    interpolation_degree : int
        INTERPOLATION_DEGREE with INTERPOLATION = HERMITE (at most ``2 N - 1`` for N
        states).
    comment : str
        Optional COMMENT line(s) for the segment's metadata.
    """

    trajectory: object
    object_name: str
    object_id: str
    interpolation_degree: int = 5
    comment: str = ""

    def to_segment(self):
        """The :class:`~cosmoplan.ccsds.oem.EphemerisSegment` this writes."""
        from .oem import EphemerisSegment

        traj = self.trajectory
        if traj.frame not in _FRAMES:
            raise InputError(f"frame {traj.frame} has no CCSDS REF_FRAME name", field="frame",
                             value=traj.frame)
        if len(traj) < 2:
            raise InputError("an OEM segment needs at least two states", field="trajectory")
        degree = int(min(self.interpolation_degree, 2 * len(traj) - 1))
        comments = [_one_line(c, "") for c in str(self.comment).splitlines()]
        return EphemerisSegment.from_trajectory(
            traj, _one_line(self.object_name, "UNKNOWN"), _one_line(self.object_id, "UNKNOWN"),
            ref_frame=_FRAMES[traj.frame], center_name=traj.center.upper(), time_system="UTC",
            interpolation="HERMITE", interpolation_degree=degree, comments=comments, ndp=6)


def _one_line(text, default):
    """KVN values are one line of printable text: control characters become blanks."""
    clean = "".join(c if c.isprintable() else " " for c in str(text)).strip()
    return clean or default


def build_oem(segments, originator="cosmoplan", comment=""):
    """The :class:`~cosmoplan.ccsds.oem.OEM` (version 2.0, UTC) of ``segments``.

    ``segments``: :class:`OEMSegment` or ready :class:`~cosmoplan.ccsds.oem.EphemerisSegment`
    objects. CREATION_DATE is now (UTC).
    """
    from .oem import OEM, EphemerisSegment, new_header

    if not segments:
        raise InputError("an OEM needs at least one segment", field="segments")
    segs = [s if isinstance(s, EphemerisSegment) else s.to_segment() for s in segments]
    comments = [_one_line(c, "") for c in str(comment).splitlines()]
    return OEM(new_header(_one_line(originator, "UNKNOWN"), comments, "2.0"), segs)


def format_oem(segments, originator="cosmoplan", comment=""):
    """KVN text of an OEM (version 2.0) with the given segments (time system UTC)."""
    return build_oem(segments, originator, comment).to_kvn()


def write_oem(path, segments, originator="cosmoplan", comment=""):
    """Write an OEM (KVN) atomically to ``path``; returns the path."""
    atomic_write_text(path, format_oem(segments, originator, comment))
    return path
