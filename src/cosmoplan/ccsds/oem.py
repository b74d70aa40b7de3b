"""Orbit Ephemeris Message (OEM): CCSDS 502.0-B-3 §5 (KVN), §8 / 505.0-B-2 (XML).

An OEM holds a header and one or more segments. Each segment has a metadata block
(502.0-B-3 table 5-3: object, CENTER_NAME, REF_FRAME, TIME_SYSTEM, the START/STOP and
USEABLE_START/STOP times, INTERPOLATION and INTERPOLATION_DEGREE), the ephemeris data
lines ``epoch x y z x_dot y_dot z_dot [x_ddot y_ddot z_ddot]`` (km, km/s, km/s**2, in
REF_FRAME about CENTER_NAME, epochs in TIME_SYSTEM; §5.2.4) and optional 6x6
position/velocity covariance matrices, each with its EPOCH and optional COV_REF_FRAME
(§5.2.5; km**2, km**2/s, km**2/s**2). Versions 1.0, 2.0 and 3.0 are read and written
(MESSAGE_ID and CLASSIFICATION from 3.0).

Data lines are read and written in bulk with NumPy: one split and one float conversion
for a whole segment, a per-line pass only to find the culprit of an error. Numbers are
written as Python's shortest round-trip ``repr``, so writing then reading gives the same
floats bit for bit.

Rules checked (each error an :class:`~cosmoplan.errors.InputError` naming the file, the
line or XML element, the keyword or column, and the problem):

* START_TIME <= USEABLE_START_TIME <= USEABLE_STOP_TIME <= STOP_TIME (502.0-B-3 table
  5-3), INTERPOLATION_DEGREE a positive integer;
* every data line has 7 or 10 columns, its epoch inside START_TIME..STOP_TIME, epochs
  increasing. Decisions where the reference examples (Orekit's) and a strict reading
  differ: **a segment may mix 7- and 10-column lines** (OEMExample3 and OEMExample6 do;
  the standard makes accelerations optional per line and the XML schema per
  stateVector): the states are then (N, 9) with NaN accelerations on the lines without
  them, written back as 7 columns. **An epoch may repeat only on a line that repeats the
  same state exactly** (OEMExample1 doubles its last line); the interpolator uses each
  epoch once. Any other repeated or decreasing epoch is refused.
* all segments share one TIME_SYSTEM (as Orekit: an ephemeris whose time axis changes
  scale between segments is refused rather than silently mixed);
* comments open the header, the metadata, the data lines and each covariance matrix
  (§7.8); a COMMENT or keyword between data lines is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..time import Epoch
from . import _kvn, _xml
from ._blocks import (
    DATE,
    Block,
    Ctx,
    Key,
    RawBlock,
    check_comments,
    check_text,
    comments_field,
    convert,
    date,
    enum,
    integer,
    parse_float,
    registered,
    text,
    value_text,
)
from ._common import ODM_COVARIANCE, Covariance, Header, check_version, read_matrix_entries
from ._dates import CcsdsEpoch, RawEpoch, _split, parse_dates
from ._message import Message, block_lines, expect, register

__all__ = ["OEM", "OEMMetadata", "OEMData", "OEMCovariance", "EphemerisSegment",
           "DEFAULT_INTERPOLATION", "DEFAULT_INTERPOLATION_DEGREE"]

DEFAULT_INTERPOLATION = "HERMITE"
"""Method used when a segment has no INTERPOLATION keyword."""
DEFAULT_INTERPOLATION_DEGREE = 5
"""Degree used when a segment has no INTERPOLATION_DEGREE (Hermite: 6 nodes)."""

_COLUMNS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT", "X_DDOT", "Y_DDOT", "Z_DDOT")
_UNITS = ("km",) * 3 + ("km/s",) * 3 + ("km/s**2",) * 3
_ALLOWED = b"0123456789eE+-.:TZ \t\n"
_TOL_S = 1e-6  # epochs compared to START/STOP_TIME within a microsecond
# Highest INTERPOLATION_DEGREE accepted: polynomials of higher degree through equally spaced
# states are numerically meaningless (Runge), and no agency writes them.
MAX_DEGREE = 32
_DATA_FORM = ("'epoch x y z x_dot y_dot z_dot [x_ddot y_ddot z_ddot]' (7 or 10 columns, "
              "502.0-B-3 §5.2.4)")


# ----------------------------------------------------------------------------- dates
def _uniform(d):
    """An Epoch for a message date; RawEpoch texts (MET, MRT, SCLK...) counted as uniform
    seconds (no leap seconds), which is all ordering and interpolation need."""
    if isinstance(d, Epoch):
        return d
    texts = np.asarray(d.text)
    try:
        return parse_dates(texts, "TAI")
    except ValueError:
        pass
    flat = texts.ravel().tolist()
    days, secs = [], []
    for t in flat:
        y, mo, dd, h, mi, s = _split(t, "MET")
        day = np.datetime64(f"{y:04d}-{mo:02d}-{dd:02d}") - np.datetime64("2000-01-01")
        days.append(int(day.astype(int)))
        secs.append(h * 3600 + mi * 60 + s)
    jd1 = 2451544.5 + np.array(days, dtype=float).reshape(texts.shape)
    return Epoch(jd1, np.array(secs).reshape(texts.shape) / 86400.0, scale="tai")


def _seconds(d, ref):
    """Seconds from ``ref`` to ``d`` (message dates of one kind)."""
    return np.asarray(_uniform(d) - _uniform(ref), dtype=float)


def _is_date(v):
    return isinstance(v, (CcsdsEpoch, RawEpoch))


# ----------------------------------------------------------------------------- blocks
@dataclass(eq=False, kw_only=True)
class OEMMetadata(Block):
    """OEM segment metadata (502.0-B-3 table 5-3).

    Attributes
    ----------
    object_name, object_id : str
        OBJECT_NAME and OBJECT_ID (international designator recommended).
    center_name : str
        CENTER_NAME: origin of REF_FRAME (body, barycenter or spacecraft).
    ref_frame : str
        REF_FRAME of the states (EME2000, GCRF, ITRF2000, TOD, ...).
    ref_frame_epoch : CcsdsEpoch or RawEpoch or None
        REF_FRAME_EPOCH, for frames of date.
    time_system : str
        TIME_SYSTEM of every date of the segment (UTC, TAI, TT, GPS, TDB, TCB, MET, ...).
    start_time, stop_time : CcsdsEpoch or RawEpoch
        START_TIME, STOP_TIME: span of the data lines.
    useable_start_time, useable_stop_time : CcsdsEpoch or RawEpoch or None
        USEABLE_START_TIME, USEABLE_STOP_TIME: span where interpolation is valid.
    interpolation : str or None
        INTERPOLATION method (HERMITE, LAGRANGE, LINEAR; kept as written).
    interpolation_degree : int or None
        INTERPOLATION_DEGREE, a positive integer.
    """

    _TITLE = "metadata"
    _XML = "metadata"
    comments: list = comments_field()
    object_name: str | None = text("OBJECT_NAME", required=True)
    object_id: str | None = text("OBJECT_ID", required=True)
    center_name: str | None = registered("CENTER_NAME", "center", required=True)
    ref_frame: str | None = registered("REF_FRAME", "frame", required=True)
    ref_frame_epoch: object = date("REF_FRAME_EPOCH")
    time_system: str | None = text("TIME_SYSTEM", required=True)
    start_time: object = date("START_TIME", required=True)
    useable_start_time: object = date("USEABLE_START_TIME")
    useable_stop_time: object = date("USEABLE_STOP_TIME")
    stop_time: object = date("STOP_TIME", required=True)
    interpolation: str | None = enum("INTERPOLATION", ("HERMITE", "LAGRANGE", "LINEAR"))
    interpolation_degree: int | None = integer("INTERPOLATION_DEGREE")

    def check(self, loc):
        deg = self.interpolation_degree
        if deg is not None and (isinstance(deg, bool) or not isinstance(deg, (int, np.integer))
                                or not 1 <= deg <= MAX_DEGREE):
            raise loc.error(f"INTERPOLATION_DEGREE must be an integer 1..{MAX_DEGREE}, got "
                            f"{deg!r} "
                            "(502.0-B-3 table 5-3)", field="INTERPOLATION_DEGREE", value=deg)
        order = [("START_TIME", self.start_time), ("USEABLE_START_TIME", self.useable_start_time),
                 ("USEABLE_STOP_TIME", self.useable_stop_time), ("STOP_TIME", self.stop_time)]
        given = [(k, v) for k, v in order if v is not None]
        if not all(_is_date(v) and v.ndim == 0 for _, v in given):
            return  # value_text says what is wrong when writing
        if len({type(v) for _, v in given}) > 1:
            return
        for a in range(len(given)):
            for b in range(a + 1, len(given)):
                (ka, va), (kb, vb) = given[a], given[b]
                if _seconds(vb, va) < 0:
                    raise loc.error(f"{kb} {vb.text} is before {ka} {va.text}; the standard "
                                    "requires START_TIME <= USEABLE_START_TIME <= "
                                    "USEABLE_STOP_TIME <= STOP_TIME (502.0-B-3 table 5-3)",
                                    field=kb, value=vb.text)


@dataclass(eq=False, kw_only=True)
class OEMData(Block):
    """The ephemeris data lines of a segment (502.0-B-3 §5.2.4).

    Attributes
    ----------
    comments : list of str
        COMMENT lines before the first data line.
    epochs : CcsdsEpoch or RawEpoch, shape (N,)
        Epochs in the segment's TIME_SYSTEM, texts kept as written.
    states : numpy.ndarray, shape (N, 6) or (N, 9)
        x, y, z (km), x_dot, y_dot, z_dot (km/s) [, x_ddot, y_ddot, z_ddot (km/s**2)] in
        REF_FRAME. NaN accelerations mark lines written without them.
    """

    _TITLE = "ephemeris data"
    comments: list = comments_field()
    epochs: object = None
    states: np.ndarray = None

    @classmethod
    def keywords(cls):
        return {}

    @property
    def positions(self):
        """Positions, (N, 3) km."""
        return self.states[:, :3]

    @property
    def velocities(self):
        """Velocities, (N, 3) km/s."""
        return self.states[:, 3:6]

    @property
    def accelerations(self):
        """Accelerations, (N, 3) km/s**2 (NaN where not given), or None."""
        return self.states[:, 6:9] if self.states.shape[1] == 9 else None


@dataclass(eq=False, kw_only=True)
class OEMCovariance(Covariance):
    """One covariance matrix of an OEM segment (502.0-B-3 §5.2.5).

    Attributes
    ----------
    epoch : CcsdsEpoch or RawEpoch
        EPOCH of the matrix (segment TIME_SYSTEM).
    cov_ref_frame : str or None
        COV_REF_FRAME; None means the metadata's REF_FRAME.
    matrix : numpy.ndarray, shape (6, 6)
        Symmetric; km**2, km**2/s, km**2/s**2. KVN holds the lower triangle as 6 rows of
        1..6 numbers, XML as CX_X ... CZ_DOT_Z_DOT.
    comments : list of str
        COMMENT lines before its EPOCH.
    """

    epoch: object = date("EPOCH", required=True)

    @classmethod
    def keywords(cls):
        out = {"EPOCH": ("epoch", None, Key("EPOCH", DATE, required=True))}
        out.update(super().keywords())
        return out

    @classmethod
    def from_raw(cls, raw, ctx, **extra):
        ep = [e for e in raw.entries if e.key == "EPOCH"]
        if not ep:
            raise raw.loc.error("mandatory keyword EPOCH missing from the covariance matrix",
                                field="EPOCH")
        if len(ep) > 1:
            raise ep[1].loc.error("EPOCH appears twice in the covariance matrix", field="EPOCH")
        e = ep[0]
        value = (e.value or "").strip()
        try:
            epoch = convert(value, cls.keywords()["EPOCH"][2], ctx)
        except ValueError as exc:
            raise e.loc.error(f"EPOCH: {exc}", field="EPOCH", value=value) from None
        rest = RawBlock(raw.kind, raw.loc, raw.comments,
                        [x for x in raw.entries if x.key != "EPOCH"])
        values, frame = read_matrix_entries(cls, rest, ctx)
        m = cls._MATRIX.read(values, raw.loc, cls._TITLE)
        return cls(comments=list(raw.comments), epoch=epoch, cov_ref_frame=frame, matrix=m,
                   **extra)

    def entries(self, ctx, loc):
        key = self.keywords()["EPOCH"][2]
        try:
            head = [("EPOCH", value_text(self.epoch, key, ctx), None)]
        except ValueError as exc:
            raise loc.error(f"EPOCH: {exc}", field="EPOCH") from None
        return head + super().entries(ctx, loc)


# ----------------------------------------------------------------------------- segment
@dataclass(eq=False)
class EphemerisSegment(Block):
    """One OEM segment: metadata, data lines, covariance matrices (502.0-B-3 §5.2).

    Attributes
    ----------
    metadata : OEMMetadata
    data : OEMData
    covariances : list of OEMCovariance

    :meth:`interpolate` turns the segment into an ephemeris.
    """

    _TITLE = "segment"
    metadata: OEMMetadata
    data: OEMData
    covariances: list = field(default_factory=list)

    @classmethod
    def keywords(cls):
        return {}

    # ---------------------------------------------------------------- building
    @classmethod
    def from_trajectory(cls, trajectory, object_name, object_id, *, ref_frame=None,
                        center_name=None, time_system="UTC", interpolation="HERMITE",
                        interpolation_degree=DEFAULT_INTERPOLATION_DEGREE, comments=(),
                        ndp=6):
        """A segment holding a :class:`~cosmoplan.trajectory.Trajectory`'s states.

        Parameters
        ----------
        trajectory : Trajectory
            At least two states; r (km) and v (km/s) are kept exactly.
        object_name, object_id : str
        ref_frame, center_name : str, optional
            Default: the trajectory's frame and centre (upper case).
        time_system : str
            TIME_SYSTEM the epochs are written in (UTC, TAI, TT, GPS, TDB, TCG, TCB).
        interpolation, interpolation_degree
            INTERPOLATION and INTERPOLATION_DEGREE (see :meth:`interpolate`).
        comments : sequence of str
            Metadata COMMENT lines.
        ndp : int
            Decimals of the seconds of the epochs (6: microseconds). The epochs are the
            trajectory's rounded to that resolution (START/STOP_TIME are the first and
            last of them).
        """
        traj = trajectory
        if len(traj) < 1:
            raise InputError("an OEM segment needs at least one state", field="trajectory")
        epochs = CcsdsEpoch.from_epoch(traj.epoch.reshape(-1), time_system, ndp=ndp)
        md = OEMMetadata(comments=list(comments), object_name=object_name,
                         object_id=object_id,
                         center_name=center_name or str(traj.center).upper(),
                         ref_frame=ref_frame or traj.frame,
                         time_system=str(time_system).upper(),
                         start_time=epochs[0], stop_time=epochs[-1],
                         interpolation=interpolation,
                         interpolation_degree=interpolation_degree)
        states = np.hstack([np.asarray(traj.r, float), np.asarray(traj.v, float)])
        return cls(md, OEMData(epochs=epochs, states=states))

    # ---------------------------------------------------------------- checks
    def check(self, loc, line_of=None):
        """Data lines against the metadata; ``line_of(k)`` gives row k's line (reading)."""
        md, data = self.metadata, self.data
        expect(md, OEMMetadata, "metadata", loc)
        expect(data, OEMData, "data", loc)
        ep, states = data.epochs, data.states
        if not _is_date(ep) or ep.ndim != 1:
            raise loc.error("data.epochs must be a 1-D CcsdsEpoch or RawEpoch (build one with "
                            "CcsdsEpoch.from_epoch(epoch, time_system))", field="EPOCH")
        ts = md.time_system.upper() if isinstance(md.time_system, str) else None
        if ep.time_system != ts:
            raise loc.error(f"the data epochs are in {ep.time_system} but TIME_SYSTEM is {ts}",
                            field="TIME_SYSTEM")
        if not isinstance(states, np.ndarray) or states.dtype.kind != "f" or states.ndim != 2 \
                or states.shape[1] not in (6, 9) or len(states) != ep.size:
            raise loc.error(f"data.states must be a float array of shape ({ep.size}, 6) or "
                            f"({ep.size}, 9), got {getattr(states, 'shape', type(states))}",
                            field="states")
        if ep.size == 0:
            raise loc.error("a segment needs at least one ephemeris data line", field="EPOCH")
        finite = np.all(np.isfinite(states[:, :6]), axis=1) & ~np.any(np.isinf(states), axis=1)
        if not np.all(finite):
            k = int(np.argmin(finite))
            raise self._row_error(loc, line_of, k, "the state is not finite", "X")
        if states.shape[1] == 9:
            nan = np.isnan(states[:, 6:])
            part = nan.any(axis=1) & ~nan.all(axis=1)
            if np.any(part):
                raise self._row_error(loc, line_of, int(np.argmax(part)),
                                      "accelerations are given all three or none", "X_DDOT")
        if not (_is_date(md.start_time) and _is_date(md.stop_time)) \
                or type(md.start_time) is not type(ep):
            return  # the metadata's writer reports bad dates
        t = _seconds(ep, md.start_time)
        if t[0] < -_TOL_S:
            raise self._row_error(loc, line_of, 0, f"epoch {ep.text[0]} is before START_TIME "
                                  f"{md.start_time.text}", "EPOCH")
        stop = float(_seconds(md.stop_time, md.start_time))
        if t[-1] > stop + _TOL_S:
            k = int(np.argmax(t > stop + _TOL_S))
            raise self._row_error(loc, line_of, k, f"epoch {ep.text[k]} is after STOP_TIME "
                                  f"{md.stop_time.text}", "EPOCH")
        dt = np.diff(t)
        if np.any(dt <= 0):
            bad = np.flatnonzero(dt <= 0)
            for k in bad:
                if dt[k] < 0 or not np.array_equal(states[k], states[k + 1], equal_nan=True):
                    what = "before" if dt[k] < 0 else "equal to"
                    raise self._row_error(
                        loc, line_of, int(k) + 1,
                        f"epoch {ep.text[k + 1]} is {what} the previous data line's "
                        f"{ep.text[k]}; epochs must increase (a repeated epoch is accepted "
                        "only on a line repeating the same state)", "EPOCH")

    @staticmethod
    def _row_error(loc, line_of, k, message, column):
        if line_of is not None:
            return InputError(f"ephemeris data line, column {column}: {message}",
                              source=loc.source, line=line_of(k), field=column)
        return loc.error(f"data row {k}, {column}: {message}", field=column)

    # ---------------------------------------------------------------- interpolation
    def window(self):
        """(start, stop) dates where :meth:`interpolate` answers: USEABLE_START/STOP_TIME,
        else START/STOP_TIME (each also limited to the first and last data epoch)."""
        md = self.metadata
        lo = md.useable_start_time if md.useable_start_time is not None else md.start_time
        hi = md.useable_stop_time if md.useable_stop_time is not None else md.stop_time
        return lo, hi

    def _nodes(self):
        ep = self.data.epochs
        ref = ep[0]
        t = _seconds(ep, ref)
        keep = np.concatenate([[True], np.diff(t) > 0])
        lo, hi = self.window()
        lo_s = max(float(_seconds(lo, ref)), 0.0)
        hi_s = min(float(_seconds(hi, ref)), float(t[-1]))
        return ref, t[keep], self.data.states[keep, :6], lo_s, hi_s

    def _query_seconds(self, epochs, ref):
        """Seconds from ``ref`` of the requested epochs, and their shape and texts."""
        ts = self.metadata.time_system.upper()
        q = _as_dates(epochs, ts)
        if isinstance(ref, RawEpoch) and not isinstance(q, RawEpoch):
            raise InputError(f"this segment's TIME_SYSTEM {ts} cannot be converted; give the "
                             "epochs as CCSDS date texts in that time system", field="epochs",
                             value=epochs)
        return _seconds(q, ref), q

    def interpolate(self, epochs, *, method=None, degree=None):
        """Positions and velocities at ``epochs``, interpolated from the data lines.

        Parameters
        ----------
        epochs : Epoch, str, datetime, or array of them
            :class:`~cosmoplan.time.Epoch` (any scale: the instant is used), CCSDS date
            texts in the segment's TIME_SYSTEM, naive datetimes in TIME_SYSTEM or aware
            datetimes. All inside :meth:`window`.
        method : {'HERMITE', 'LAGRANGE', 'LINEAR'}, optional
            Default: INTERPOLATION, else ``DEFAULT_INTERPOLATION`` (HERMITE).
        degree : int, optional
            Default: INTERPOLATION_DEGREE, else ``DEFAULT_INTERPOLATION_DEGREE`` (5).

        Returns
        -------
        r : numpy.ndarray, shape epochs.shape + (3,)
            Positions, km, in REF_FRAME about CENTER_NAME.
        v : numpy.ndarray, shape epochs.shape + (3,)
            Velocities, km/s.

        Notes
        -----
        Both methods use the ``m = degree + 1`` data epochs nearest the requested epoch:
        the window is centred on the interval holding it (``ceil(m/2)`` nodes at or
        before it, the rest after), shifted inward at the ends of the data, and reduced
        to all the nodes when fewer than ``m`` exist.

        * LAGRANGE (and LINEAR = degree 1): each of the six components is the Lagrange
          polynomial of degree ``m - 1`` through its values at the nodes (velocities are
          interpolated from the velocities, not differentiated).
        * HERMITE: as Orekit (``OemSegment.getInterpolationSamples`` = degree + 1), the
          position is the Hermite polynomial matching position and velocity at the ``m``
          nodes (polynomial degree ``2m - 1``); the velocity is its derivative.

        Time is float seconds from the segment's first epoch, from two-part Julian dates
        (no precision loss; UTC leap seconds counted). At a data epoch the data line's
        values are returned (positions exactly).

        Raises
        ------
        InputError
            An epoch outside the window (the message gives the epoch, the window and the
            segment), an unknown method, or epochs that cannot be read.
        """
        method = str(method or self.metadata.interpolation or DEFAULT_INTERPOLATION).upper()
        if degree is None:
            degree = self.metadata.interpolation_degree or DEFAULT_INTERPOLATION_DEGREE
        if method == "LINEAR":
            method, degree = "LAGRANGE", 1
        if method not in ("HERMITE", "LAGRANGE"):
            raise InputError(f"interpolation method {method!r} is not supported (HERMITE, "
                             "LAGRANGE, LINEAR)", field="INTERPOLATION", value=method)
        if (isinstance(degree, bool) or not isinstance(degree, (int, np.integer))
                or not 1 <= degree <= MAX_DEGREE):
            raise InputError(f"the interpolation degree must be an integer 1..{MAX_DEGREE}, got "
                             f"{degree!r}", field="INTERPOLATION_DEGREE", value=degree)
        ref, tn, sn, lo, hi = self._nodes()
        t, q = self._query_seconds(epochs, ref)
        self._check_inside(t, q, lo, hi)
        if len(tn) < degree + 1:
            raise InputError(
                f"segment {self.metadata.object_name!r} ({self.metadata.start_time.text} ..) "
                f"has {len(tn)} distinct states; {method} of degree {degree} needs "
                f"{degree + 1}: pass degree={max(len(tn) - 1, 1)} or less to interpolate it "
                "anyway", field="INTERPOLATION_DEGREE", value=degree)
        return _interpolate(tn, sn, t.ravel(), method, int(degree), t.shape)

    def _check_inside(self, t, q, lo, hi, label=None):
        bad = (t < lo - _TOL_S) | (t > hi + _TOL_S)
        if np.any(bad):
            k = int(np.argmax(bad.ravel()))
            w0, w1 = self.window()
            first, last = self.data.epochs.text[0], self.data.epochs.text[-1]
            md = self.metadata
            raise InputError(
                f"epoch {_text_of(q, k)} is outside the interpolation window "
                f"{w0.text} .. {w1.text} ({md.time_system}; data lines {first} .. {last}) of "
                f"{label or 'the segment'} of {md.object_name} ({md.object_id}); "
                f"{int(bad.sum())} epoch(s) outside", field="epochs", value=_text_of(q, k))


def _text_of(q, k):
    if isinstance(q, (CcsdsEpoch, RawEpoch)):
        return str(np.ravel(q.text)[k])
    return q.ravel()[k].iso(6)


def _as_dates(epochs, ts):
    """Requested epochs as an Epoch, CcsdsEpoch or RawEpoch."""
    if isinstance(epochs, Epoch):
        return epochs
    if isinstance(epochs, (str, _dt.datetime)):
        arr = np.empty((), dtype=object)
        arr[()] = epochs
    else:
        arr = np.asarray(epochs, dtype=object)
    flat = arr.ravel().tolist()
    if flat and all(isinstance(x, Epoch) for x in flat):
        return Epoch.concatenate(flat).reshape(arr.shape)
    texts = []
    aware = None
    for x in flat:
        if isinstance(x, _dt.datetime):
            is_aware = x.tzinfo is not None and x.utcoffset() is not None
            if aware is None:
                aware = is_aware
            if aware != is_aware:
                raise InputError("mix of naive and timezone-aware datetimes", field="epochs")
            texts.append(x if is_aware else x.isoformat(timespec="microseconds"))
        elif isinstance(x, str):
            if aware:
                raise InputError("mix of texts and aware datetimes", field="epochs")
            aware = False
            texts.append(x.strip())
        else:
            raise InputError(f"cannot use {x!r} as an epoch: give an Epoch, CCSDS date text "
                             "or datetime", field="epochs", value=x)
    if aware:
        return Epoch.from_datetime(np.array(texts, dtype=object).reshape(arr.shape))
    try:
        return parse_dates(np.array(texts, dtype=str).reshape(arr.shape), ts)
    except ValueError as exc:
        raise InputError(f"epoch: {exc.args[0]}", field="epochs", value=epochs) from None


def _interpolate(tn, sn, t, method, degree, shape):
    """Vectorised Lagrange / Hermite interpolation (see EphemerisSegment.interpolate)."""
    n = len(tn)
    m = min(degree + 1, n)
    i = np.searchsorted(tn, t, side="right") - 1
    start = np.clip(i + 1 - (m + 1) // 2, 0, n - m)
    idx = start[:, None] + np.arange(m)
    T = tn[idx]
    P = sn[idx, :3]
    V = sn[idx, 3:6]
    q = len(t)
    r = np.zeros((q, 3))
    v = np.zeros((q, 3))
    for j in range(m):
        tj = T[:, j]
        L = np.ones(q)
        dL = np.zeros(q)
        c = np.zeros(q)
        for k in range(m):
            if k == j:
                continue
            d = tj - T[:, k]
            inv = 1.0 / d
            f = (t - T[:, k]) / d  # a division, so that f is exactly 1 at t == tj
            dL = dL * f + L * inv
            L = L * f
            c += inv
        if method == "LAGRANGE":
            r += L[:, None] * P[:, j]
            v += L[:, None] * V[:, j]
            continue
        u = t - tj
        L2 = L * L
        a = 1.0 - 2.0 * c * u
        H = a * L2
        dH = -2.0 * c * L2 + 2.0 * a * L * dL
        K = u * L2
        dK = L2 + 2.0 * u * L * dL
        r += H[:, None] * P[:, j] + K[:, None] * V[:, j]
        v += dH[:, None] * P[:, j] + dK[:, None] * V[:, j]
    return r.reshape(shape + (3,)), v.reshape(shape + (3,))


# ----------------------------------------------------------------------------- data lines
def _fast_data(texts, ts):
    """(epochs, states) of data lines all of 7 or all of 10 columns, or None."""
    n = len(texts)
    blob = "\n".join(texts)
    try:
        if blob.encode("ascii").translate(None, _ALLOWED):
            return None  # letters (nan, inf, 1_0, D exponents...): the per-line pass decides
    except UnicodeEncodeError:
        return None
    tokens = blob.split()
    for width in (7, 10):
        if len(tokens) != width * n:
            continue
        dates = tokens[0::width]
        if not all(map(str.startswith, texts, dates)):
            return None
        del tokens[0::width]
        return _numbers_and_dates(tokens, dates, ts, (n, width - 1))
    return None


def _numbers_and_dates(tokens, dates, ts, shape):
    """(epochs, numbers of ``shape``) of plain-number tokens and date texts, or None when a
    value is not a finite number or a date is invalid (the per-line pass then says which)."""
    try:
        nums = np.fromiter(map(float, tokens), float, len(tokens))
        epochs = parse_dates(np.array(dates), ts)
    except ValueError:
        return None
    if not np.all(np.isfinite(nums)):
        return None
    return epochs, nums.reshape(shape)


def _fast_rows(dates, rows, ts):
    """(epochs, states) of rows all of 6 or all of 9 plain numbers, or None (then the
    per-value pass of :func:`_rows_data` decides, with its precise errors)."""
    n = len(rows)
    width = len(rows[0])
    if width not in (6, 9) or any(len(r) != width for r in rows):
        return None
    tokens = [v for r in rows for v in r]
    try:
        if " ".join(tokens).encode("ascii").translate(None, b"0123456789eE+-. "):
            return None
    except UnicodeEncodeError:
        return None
    if any(not v or " " in v or "\t" in v or "\n" in v for v in tokens):
        return None
    return _numbers_and_dates(tokens, dates, ts, (n, width))


def _rows_data(dates, rows, ts, err):
    """(epochs, states) from per-line texts; ``err(k, column, message, value)`` builds the
    InputError for row k."""
    n = len(rows)
    width = 6
    vals = []
    for k, row in enumerate(rows):
        if len(row) not in (6, 9):
            raise err(k, None, f"{len(row) + 1} columns; an ephemeris data line is "
                      f"{_DATA_FORM}", None)
        out = []
        for c, p in enumerate(row):
            try:
                out.append(parse_float(p))
            except ValueError as exc:
                raise err(k, _COLUMNS[c], str(exc), p) from None
        width = max(width, len(out))
        vals.append(out)
    try:
        epochs = parse_dates(np.array(dates, dtype=str), ts)
    except ValueError as exc:
        k = exc.args[1] if len(exc.args) > 1 else 0
        raise err(k, "EPOCH", exc.args[0], dates[k]) from None
    states = np.full((n, width), np.nan)
    for k, out in enumerate(vals):
        states[k, :len(out)] = out
    return epochs, states


def _data_text(epochs, states):
    """KVN data lines (one string, no final newline)."""
    texts = np.asarray(epochs.text).tolist()
    n, w = states.shape
    if w == 9 and np.any(np.isnan(states[:, 6:])):
        lines = []
        for t, row in zip(texts, states.tolist()):
            row = row[:6] if row[6] != row[6] else row
            lines.append(t + " " + " ".join(map(repr, row)))
        return "\n".join(lines)
    obj = np.empty((n, w + 1), dtype=object)
    obj[:, 0] = texts
    obj[:, 1:] = states
    return (("%s" + " %r" * w + "\n") * n % tuple(obj.ravel().tolist()))[:-1]


def _xml_data_lines(epochs, states, indent):
    pad = " " * indent
    texts = np.asarray(epochs.text).tolist()
    out = []
    for t, row in zip(texts, states.tolist()):
        parts = [f"{pad}<stateVector>", f"{pad}  <EPOCH>{t}</EPOCH>"]
        for c, x in enumerate(row):
            if x != x:
                break
            parts.append(f"{pad}  <{_COLUMNS[c]}>{x!r}</{_COLUMNS[c]}>")
        parts.append(f"{pad}</stateVector>")
        out.append("\n".join(parts))
    return out


def _cov_kvn_lines(cov, ctx, loc):
    check_comments(cov.comments, loc)
    entries = cov.entries(ctx, loc)  # validates epoch, frame and matrix
    out = [f"COMMENT {c}".rstrip() for c in cov.comments]
    out += [f"{kw} = {val}" for kw, val, _ in entries if kw in ("EPOCH", "COV_REF_FRAME")]
    m = np.asarray(cov.matrix, dtype=float)
    out += [" ".join(repr(float(m[i, j])) for j in range(i + 1)) for i in range(6)]
    return out


# ----------------------------------------------------------------------------- KVN reading
def _is_comment(s):
    return s.startswith("COMMENT") and (len(s) == 7 or s[7] in " \t")


_STRUCT = ("META_START", "META_STOP", "COVARIANCE_START", "COVARIANCE_STOP")


class _KvnReader:
    def __init__(self, lines, source):
        self.lines = lines
        self.source = source
        self.st = [ln.strip() for ln in lines]
        self.marks = [j for j, s in enumerate(self.st) if s and not s[0].isdigit()]

    def err(self, message, j, field=None, value=None):
        return InputError(message, source=self.source, line=j + 1, field=field, value=value)

    def next_struct(self, mi):
        """Index in marks of the next structural line from marks[mi] on, or None."""
        st, marks = self.st, self.marks
        for x in range(mi, len(marks)):
            if st[marks[x]] in _STRUCT:
                return x
        return None

    def read(self):
        st, marks, source = self.st, self.marks, self.source
        first = next((j for j, s in enumerate(st) if s), None)
        if first is None or not marks or marks[0] != first \
                or not st[first].startswith("CCSDS_OEM_VERS"):
            raise InputError("the first line of an OEM must be 'CCSDS_OEM_VERS = x.y' "
                             "(502.0-B-3 §7.3.6)", source=source,
                             line=None if first is None else first + 1, field="CCSDS_OEM_VERS")
        mi = self.next_struct(0)
        if mi is None or st[marks[mi]] != "META_START":
            where = marks[mi] if mi is not None else len(st) - 1
            raise self.err("an OEM needs at least one segment opened by META_START after the "
                           "header (502.0-B-3 §5.2.1)", where, field="META_START")
        header, version, vloc = self.header(first, marks[mi])
        ctx = Ctx(message="OEM", version=version)
        check_version(version, OEM.VERSIONS, "OEM", vloc)
        hdr = Header.from_raw(header, ctx, version=version)
        segments = []
        ts0 = None
        while mi is not None:
            seg, mi, ts_line = self.segment(mi, ctx, len(segments) + 1)
            ts = seg.metadata.time_system.upper()
            if ts0 is None:
                ts0 = (ts, ts_line)
            elif ts != ts0[0]:
                raise self.err(f"TIME_SYSTEM {ts} of segment {len(segments) + 1} differs from "
                               f"{ts0[0]} of the first segment (line {ts0[1] + 1}); cosmoplan "
                               "requires one time system per OEM, as Orekit does",
                               ts_line, field="TIME_SYSTEM", value=ts)
            segments.append(seg)
        return OEM(hdr, segments)

    def header(self, first, stop):
        toks = _kvn.tokenize(self.lines, self.source, first, stop)
        vtok = toks[0]
        if vtok.kind != "kv" or vtok.key != "CCSDS_OEM_VERS":
            raise self.err("the first line of an OEM must be 'CCSDS_OEM_VERS = x.y'", first,
                           field="CCSDS_OEM_VERS")
        keys = {kw: key for kw, (_, _, key) in Header.keywords().items()}
        raw = RawBlock("header", _kvn.Loc(self.source, vtok.line))
        self.fill(raw, toks[1:], keys, "header")
        return raw, vtok.value, _kvn.Loc(self.source, vtok.line)

    def fill(self, raw, toks, keys, title):
        started = False
        for tok in toks:
            if tok.kind == "comment":
                if started:
                    raise InputError(f"COMMENT between the keywords of the {title}; comments "
                                     "may only open a block (502.0-B-3 §7.8)",
                                     source=self.source, line=tok.line, field="COMMENT")
                raw.comments.append(tok.value)
            elif tok.kind == "word":
                raise InputError(f"{tok.key} (a line without '=') does not belong in the "
                                 f"{title}", source=self.source, line=tok.line, field=tok.key)
            else:
                started = True
                raw.entries.append(_kvn.entry(tok, keys.get(tok.key), self.source))

    def segment(self, mi, ctx, number):
        st, marks = self.st, self.marks
        j0 = marks[mi]
        ms = self.next_struct(mi + 1)
        stop = marks[ms] if ms is not None else len(st)
        data = next((y for y in range(j0 + 1, stop) if st[y][:1].isdigit()), None)
        if ms is None or st[marks[ms]] != "META_STOP" or data is not None:
            where = data if data is not None else min(stop, len(st) - 1)
            raise self.err(f"META_START of segment {number} (line {j0 + 1}) has no META_STOP "
                           "before this line", where, field="META_STOP")
        j1 = marks[ms]
        toks = _kvn.tokenize(self.lines, self.source, j0 + 1, j1)
        keys = {kw: key for kw, (_, _, key) in OEMMetadata.keywords().items()}
        raw = RawBlock("metadata", _kvn.Loc(self.source, j0 + 1))
        self.fill(raw, toks, keys, "metadata")
        try:
            md = OEMMetadata.from_raw(raw, ctx)
        except InputError as exc:
            # a rule tying keywords together: point at the keyword it names
            at = next((e.loc.line for e in raw.entries if e.key == exc.field), None)
            if exc.line != j0 + 1 or at is None:
                raise
            msg = str(exc).split(": ", 1)[1]
            raise InputError(msg, source=self.source, line=at, field=exc.field,
                             value=exc.value) from None
        ts_line = next(e.loc.line - 1 for e in raw.entries if e.key == "TIME_SYSTEM")
        sctx = dataclasses.replace(ctx, time_system=md.time_system.upper())
        # data section: comments, then data lines, up to META_START / COVARIANCE_START
        comments = []
        data_seen = False
        last = j1
        x = ms + 1
        end = len(st)
        nxt = None
        while x < len(marks):
            j = marks[x]
            s = st[j]
            if not data_seen:
                data_seen = any(st[y] for y in range(last + 1, j))
            if s in ("META_START", "COVARIANCE_START"):
                end, nxt = j, x
                break
            if _is_comment(s):
                if data_seen:
                    raise self.err("COMMENT between ephemeris data lines; comments may only "
                                   "come before the first data line (502.0-B-3 §7.8)", j,
                                   field="COMMENT")
                comments.append(s[7:].strip())
            else:
                m = _kvn._KV.fullmatch(s)
                key = m.group(1) if m else s.split()[0][:40]
                if s in _STRUCT or s.startswith("CCSDS_OEM_VERS"):
                    problem = f"{s} without its opening line"
                else:
                    problem = f"keyword {key} within the ephemeris data lines"
                raise self.err(f"{problem} of segment {number}; after META_STOP only COMMENT "
                               f"lines then data lines {_DATA_FORM} may follow", j, field=key,
                               value=s[:80])
            last = j
            x += 1
        rows = [y for y in range(j1 + 1, end) if st[y][:1].isdigit()]
        if not rows:
            raise self.err(f"segment {number} has no ephemeris data lines after META_STOP "
                           f"(line {j1 + 1})", min(end, len(st) - 1), field="EPOCH")
        texts = [st[y] for y in rows]
        ts = sctx.time_system
        got = _fast_data(texts, ts)
        if got is None:
            def err(k, column, message, value):
                where = f", column {column}" if column else ""
                return self.err(f"ephemeris data line{where}: {message}", rows[k],
                                field=column or "ephemeris data line", value=value)

            parts = [t.split() for t in texts]
            got = _rows_data([p[0] for p in parts], [p[1:] for p in parts], ts, err)
        epochs, states = got
        data = OEMData(comments=comments, epochs=epochs, states=states)
        seg = EphemerisSegment(md, data)
        seg.check(_kvn.Loc(self.source), line_of=lambda k: rows[k] + 1)
        if nxt is not None and st[marks[nxt]] == "COVARIANCE_START":
            nxt = self.covariances(seg, nxt, sctx, number)
        return seg, nxt, ts_line

    def covariances(self, seg, mi, ctx, number):
        st, marks = self.st, self.marks
        j0 = marks[mi]
        ms = self.next_struct(mi + 1)
        if ms is None or st[marks[ms]] != "COVARIANCE_STOP":
            where = marks[ms] if ms is not None else len(st) - 1
            raise self.err(f"COVARIANCE_START of segment {number} (line {j0 + 1}) has no "
                           "COVARIANCE_STOP before this line", where, field="COVARIANCE_STOP")
        j1 = marks[ms]
        covs = []
        pending = []
        cur = None

        def finish(at):
            if cur is None:
                return
            rows = cur["rows"]
            if len(rows) < 6:
                keys = [kw for kw, i, _, _ in ODM_COVARIANCE.keys if i == len(rows)]
                raise self.err(f"the covariance matrix at EPOCH {cur['epoch'].text} (line "
                               f"{cur['line'] + 1}) has {len(rows)} rows; the lower triangle "
                               f"of the 6x6 matrix needs 6 (row {len(rows) + 1}, {keys[0]} .. "
                               f"{keys[-1]}, is missing; 502.0-B-3 §5.2.5)", at, field=keys[0])
            m = np.zeros((6, 6))
            for i, row in enumerate(rows):
                for jj, val in enumerate(row):
                    m[i, jj] = m[jj, i] = val
            covs.append(OEMCovariance(comments=cur["comments"], epoch=cur["epoch"],
                                      cov_ref_frame=cur["frame"], matrix=m))

        for j in range(j0 + 1, j1):
            s = st[j]
            if not s:
                continue
            if _is_comment(s):
                if cur is not None and not (len(cur["rows"]) == 6):
                    raise self.err("COMMENT inside a covariance matrix; comments may only "
                                   "come before its EPOCH (502.0-B-3 §7.8)", j, field="COMMENT")
                pending.append(s[7:].strip())
                continue
            m = _kvn._KV.fullmatch(s)
            if m is not None:
                key, value = m.group(1), m.group(2).strip()
                if key == "EPOCH":
                    finish(j)
                    try:
                        ep = convert(value, Key("EPOCH", DATE), ctx)
                    except ValueError as exc:
                        raise self.err(f"EPOCH: {exc}", j, field="EPOCH", value=value) from None
                    cur = {"comments": pending, "epoch": ep, "frame": None, "rows": [],
                           "line": j}
                    pending = []
                    continue
                if key == "COV_REF_FRAME" and cur is not None and not cur["rows"] \
                        and cur["frame"] is None and not pending:
                    if not value:
                        raise self.err("COV_REF_FRAME is empty", j, field="COV_REF_FRAME")
                    cur["frame"] = value
                    continue
                raise self.err(f"keyword {key} within the covariance data of segment "
                               f"{number}; a covariance matrix is EPOCH, optional "
                               "COV_REF_FRAME, then 6 rows of the lower triangle "
                               "(502.0-B-3 §5.2.5)", j, field=key, value=value)
            if cur is None or pending:
                raise self.err("covariance matrix row before its 'EPOCH = ...' line", j,
                               field="EPOCH", value=s[:80])
            r = len(cur["rows"])
            parts = s.split()
            if r >= 6:
                raise self.err(f"a covariance matrix row beyond the sixth (matrix at EPOCH "
                               f"{cur['epoch'].text}, line {cur['line'] + 1}); the OEM "
                               "covariance is 6x6, its lower triangle 6 rows of 1..6 numbers "
                               "(502.0-B-3 §5.2.5)", j, field="covariance row 7",
                               value=s[:80])
            keys = [kw for kw, i, _, _ in ODM_COVARIANCE.keys if i == r]
            if len(parts) != r + 1:
                raise self.err(f"covariance matrix row {r + 1} ({keys[0]} .. {keys[-1]}) has "
                               f"{len(parts)} numbers, expected {r + 1} (lower triangle, "
                               "502.0-B-3 §5.2.5)", j, field=keys[0], value=s[:80])
            row = []
            for c, p in enumerate(parts):
                try:
                    row.append(parse_float(p))
                except ValueError as exc:
                    raise self.err(f"covariance matrix row {r + 1}, column {c + 1} "
                                   f"({keys[c]}): {exc}", j, field=keys[c], value=p) from None
            cur["rows"].append(row)
        if pending:
            raise self.err("COMMENT after the last covariance matrix: a comment opens the "
                           "matrix it describes", j1, field="COMMENT")
        if cur is None:
            raise self.err("COVARIANCE_START without any covariance matrix", j1, field="EPOCH")
        finish(j1)
        seg.covariances = covs
        # after COVARIANCE_STOP: only META_START (a new segment) or the end
        x = ms + 1
        nxt = x if x < len(marks) else None
        stop = marks[x] if x < len(marks) else len(st)
        for y in range(j1 + 1, stop):
            if st[y]:
                raise self.err("a line after COVARIANCE_STOP that opens no segment",
                               y, value=st[y][:80])
        if nxt is not None and st[marks[nxt]] != "META_START":
            s = st[marks[nxt]]
            raise self.err(f"{s[:40]!r} after COVARIANCE_STOP; only META_START (a new segment) "
                           "may follow", marks[nxt], field=s.split("=")[0].strip()[:40])
        return nxt


# ----------------------------------------------------------------------------- XML reading
def _xml_segment(el, loc, ctx, number):
    md_el, data_el = _xml.metadata_and_data(el, loc)
    md = OEMMetadata.from_raw(_xml.block(md_el[0], "metadata", md_el[1]), ctx)
    sctx = dataclasses.replace(ctx, time_system=md.time_system.upper())
    comments, dates, rows, covs = [], [], [], []
    dloc = data_el[1]
    nsv = ncov = 0
    for c in data_el[0]:
        if not isinstance(c.tag, str):
            continue
        tag = _xml.local(c.tag)
        if tag == "COMMENT":
            if dates or covs:
                raise dloc.child("COMMENT").error(
                    "COMMENT after the first <stateVector>; comments open <data>",
                    field="COMMENT")
            comments.append((c.text or "").strip())
        elif tag == "stateVector":
            nsv += 1
            if covs:
                raise dloc.child(f"stateVector[{nsv}]").error(
                    "<stateVector> after a <covarianceMatrix>", field="stateVector")
            kids = [k for k in c if isinstance(k.tag, str)]
            tags = [_xml.local(k.tag) for k in kids]
            if len(tags) not in (7, 10) or tags != ["EPOCH", *_COLUMNS[:len(tags) - 1]]:
                want = ["EPOCH", *_COLUMNS[:max(len(tags), 7) - 1]]
                k = next((i for i, (a, b) in enumerate(zip(tags, want)) if a != b),
                         min(len(tags), len(want)))
                name = want[k] if k < len(want) else tags[k]
                raise dloc.child(f"stateVector[{nsv}]").error(
                    f"a <stateVector> holds EPOCH, X, Y, Z, X_DOT, Y_DOT, Z_DOT [, X_DDOT, "
                    f"Y_DDOT, Z_DDOT] in that order; found {', '.join(tags) or 'nothing'}",
                    field=name)
            for k, kid in enumerate(kids[1:]):
                u = _xml.units_of(kid)
                if u is not None and u.strip() and u.strip().lower() != _UNITS[k].lower():
                    raise dloc.child(f"stateVector[{nsv}]/{_COLUMNS[k]}").error(
                        f"{_COLUMNS[k]} has units [{u.strip()}], the standard's are "
                        f"[{_UNITS[k]}]", field=_COLUMNS[k], value=u)
            dates.append((kids[0].text or "").strip())
            rows.append([(k.text or "").strip() for k in kids[1:]])
        elif tag == _xml.VECTOR_RUN:  # plain state vectors cut out by _xml.parse
            run = c.attrib.get("_rows")
            if covs:
                raise dloc.child(f"stateVector[{nsv + 1}]").error(
                    "<stateVector> after a <covarianceMatrix>", field="stateVector")
            nsv += len(run)
            dates.extend(g[0].strip() for g in run)
            rows.extend([v.strip() for v in g[1:] if v is not None] for g in run)
        elif tag == "covarianceMatrix":
            ncov += 1
            raw = _xml.block(c, "covarianceMatrix", dloc.child(f"covarianceMatrix[{ncov}]"))
            covs.append(OEMCovariance.from_raw(raw, sctx))
        else:
            raise dloc.child(tag).error(f"unexpected element <{tag}> in <data> (allowed: "
                                        "COMMENT, stateVector, covarianceMatrix)", field=tag)
    if not dates:
        raise dloc.error(f"segment {number} has no <stateVector>", field="stateVector")

    def err(k, column, message, value):
        path = f"stateVector[{k + 1}]" + (f"/{column}" if column else "")
        return dloc.child(path).error(message, field=column or "stateVector", value=value)

    fast = _fast_rows(dates, rows, sctx.time_system)
    epochs, states = fast if fast is not None else _rows_data(dates, rows, sctx.time_system,
                                                              err)
    seg = EphemerisSegment(md, OEMData(comments=comments, epochs=epochs, states=states), covs)
    seg.check(dloc)
    return seg


# ----------------------------------------------------------------------------- message
@register
@dataclass(eq=False)
class OEM(Message):
    """Orbit Ephemeris Message (CCSDS 502.0-B-3 §5; XML 505.0-B-2).

    Attributes
    ----------
    header : Header
        Version, comments, CLASSIFICATION and MESSAGE_ID (3.0), CREATION_DATE (UTC),
        ORIGINATOR.
    segments : list of EphemerisSegment
        One or more segments (a new one at each manoeuvre, §5.2.4 note).

    Read with :meth:`from_kvn`, :meth:`from_xml`, :meth:`read` (or
    :func:`cosmoplan.ccsds.read`); write with :meth:`to_kvn`, :meth:`to_xml`,
    :meth:`write`; build from trajectories with :meth:`from_trajectories`; interpolate
    with :meth:`interpolate`. Every error is an :class:`~cosmoplan.errors.InputError`
    naming the file, line (or XML element), keyword or column, and the problem.
    """

    header: Header
    segments: list

    NAME = "OEM"
    VERSIONS = (1, 2, 3)

    # ---------------------------------------------------------------- reading
    def _canonical(self):
        """Acceleration columns that are all NaN are absent (7-column lines are written and
        read back as (N, 6) states)."""
        segs = []
        changed = False
        for seg in self.segments if isinstance(self.segments, list) else ():
            st = getattr(getattr(seg, "data", None), "states", None)
            if (isinstance(st, np.ndarray) and st.ndim == 2 and st.shape[1] == 9
                    and st.dtype.kind == "f" and np.all(np.isnan(st[:, 6:]))):
                seg = dataclasses.replace(seg, data=dataclasses.replace(seg.data,
                                                                        states=st[:, :6]))
                changed = True
            segs.append(seg)
        return dataclasses.replace(self, segments=segs) if changed else self

    @classmethod
    def _from_kvn_lines(cls, lines, source):
        return _KvnReader(lines, source).read()

    @classmethod
    def _from_xml_root(cls, root, loc):
        version, header, body = _xml.header_and_body(root, loc, "oem")
        check_version(version, cls.VERSIONS, "OEM", loc)
        ctx = Ctx(xml=True, message="OEM", version=version)
        hdr = Header.from_raw(header, ctx, version=version)
        segments = []
        for tag, el, cloc in _xml.children(*body):
            if tag != "segment":
                raise cloc.error(f"unexpected element <{tag}> in <body> (expected <segment>)",
                                 field=tag)
            seg = _xml_segment(el, cloc, ctx, len(segments) + 1)
            if segments and seg.metadata.time_system.upper() != \
                    segments[0].metadata.time_system.upper():
                raise cloc.child("metadata/TIME_SYSTEM").error(
                    f"TIME_SYSTEM {seg.metadata.time_system} differs from the first "
                    f"segment's {segments[0].metadata.time_system}; cosmoplan requires one "
                    "time system per OEM", field="TIME_SYSTEM")
            segments.append(seg)
        if not segments:
            raise body[1].error("<body> has no <segment>", field="segment")
        return cls(hdr, segments)

    # ---------------------------------------------------------------- building
    @classmethod
    def from_trajectories(cls, trajectories, *, object_name=None, object_id="UNKNOWN",
                          originator="cosmoplan", comments=(), version="2.0", **segment_options):
        """An OEM with one segment per :class:`~cosmoplan.trajectory.Trajectory`.

        ``object_name`` defaults to each trajectory's name; ``segment_options`` go to
        :meth:`EphemerisSegment.from_trajectory` (time_system, interpolation, ...).
        CREATION_DATE is now (UTC, whole seconds).
        """
        segments = []
        for traj in trajectories:
            name = object_name or traj.name or "UNKNOWN"
            segments.append(EphemerisSegment.from_trajectory(traj, name, object_id,
                                                             **segment_options))
        if not segments:
            raise InputError("an OEM needs at least one segment", field="segments")
        return cls(new_header(originator, comments, version), segments)

    # ---------------------------------------------------------------- interpolation
    def interpolate(self, epochs, **options):
        """Positions (km) and velocities (km/s) at ``epochs`` across all segments.

        Each epoch is served by the segment whose :meth:`EphemerisSegment.window`
        contains it; where windows meet or overlap **the later segment wins** (it
        usually starts after a manoeuvre, so it holds the post-burn state). All
        segments must share REF_FRAME and CENTER_NAME. ``options`` (method, degree) and
        the rules are those of :meth:`EphemerisSegment.interpolate`; returns ``r, v``
        of shape ``epochs.shape + (3,)``. InputError for an epoch in no window.
        """
        frames = {(s.metadata.ref_frame, s.metadata.center_name) for s in self.segments}
        if len(frames) > 1:
            raise InputError(f"the segments are in different frames or centres {sorted(frames)}"
                             "; interpolate each segment instead", field="REF_FRAME")
        owner = None
        per = []
        for k, seg in enumerate(self.segments):
            ref, tn, sn, lo, hi = seg._nodes()
            t, q = seg._query_seconds(epochs, ref)
            if owner is None:
                owner = np.full(t.shape, -1)
            owner[(t >= lo - _TOL_S) & (t <= hi + _TOL_S)] = k
            per.append(t)
        if np.any(owner < 0):
            k = int(np.argmax(owner.ravel() < 0))
            wins = "; ".join(f"{w[0].text} .. {w[1].text}"
                             for w in (s.window() for s in self.segments))
            raise InputError(f"epoch {_text_of(q, k)} is in no segment's interpolation window "
                             f"({self.segments[0].metadata.time_system}: {wins})",
                             field="epochs", value=_text_of(q, k))
        r = np.zeros(owner.shape + (3,))
        v = np.zeros(owner.shape + (3,))
        for k, seg in enumerate(self.segments):
            sel = owner == k
            if np.any(sel):
                r[sel], v[sel] = seg.interpolate(q[sel], **options)
        return r, v

    # ---------------------------------------------------------------- writing
    def _parts(self):
        loc = self.loc()
        expect(self.header, Header, "header", loc)
        check_version(self.header.version, self.VERSIONS, "OEM", loc)
        if not isinstance(self.segments, (list, tuple)) or not self.segments:
            raise loc.error("an OEM needs a list of at least one EphemerisSegment",
                            field="segments")
        ctx = Ctx(message="OEM", version=self.header.version)
        out = []
        ts0 = None
        for k, seg in enumerate(self.segments):
            sloc = self.loc(f"segment {k + 1}")
            expect(seg, EphemerisSegment, f"segments[{k}]", sloc)
            expect(seg.metadata, OEMMetadata, "metadata", sloc)
            ts = seg.metadata.time_system
            ts = ts.upper() if isinstance(ts, str) else ""
            if ts0 is None:
                ts0 = ts
            elif ts != ts0:
                raise sloc.error(f"TIME_SYSTEM {ts} differs from the first segment's {ts0}; "
                                 "one time system per OEM", field="TIME_SYSTEM")
            seg.check(sloc)
            if not isinstance(seg.covariances, (list, tuple)):
                raise sloc.error("covariances must be a list of OEMCovariance",
                                 field="covariances")
            for i, cov in enumerate(seg.covariances):
                expect(cov, OEMCovariance, f"covariances[{i}]", sloc)
            check_comments(seg.data.comments, sloc)
            out.append((seg, sloc, dataclasses.replace(ctx, time_system=ts)))
        return ctx, out

    def _kvn_lines(self):
        ctx, parts = self._parts()
        h = self.header
        lines = [f"CCSDS_OEM_VERS = {h.version}"]
        lines += block_lines(h, ctx, self.loc("header"), "kvn")
        for seg, sloc, sctx in parts:
            lines += ["", "META_START"]
            lines += block_lines(seg.metadata, sctx, sloc, "kvn")
            lines += ["META_STOP", ""]
            lines += [f"COMMENT {c}".rstrip() for c in seg.data.comments]
            lines.append(_data_text(seg.data.epochs, seg.data.states))
            if seg.covariances:
                lines += ["", "COVARIANCE_START"]
                for cov in seg.covariances:
                    lines += _cov_kvn_lines(cov, sctx, sloc)
                lines.append("COVARIANCE_STOP")
        return lines

    def _xml_lines(self):

        ctx, parts = self._parts()
        lines = _xml.root_open("oem", self.header.version)
        lines += block_lines(self.header, ctx, self.loc("header"), "xml", "header", 2)
        lines.append("  <body>")
        for seg, sloc, sctx in parts:
            lines.append("    <segment>")
            lines += block_lines(seg.metadata, sctx, sloc, "xml", "metadata", 6)
            lines.append("      <data>")
            lines += _xml.comment_lines(seg.data.comments, 8)
            lines += _xml_data_lines(seg.data.epochs, seg.data.states, 8)
            for cov in seg.covariances:
                lines += block_lines(cov, sctx, sloc, "xml", "covarianceMatrix", 8)
            lines += ["      </data>", "    </segment>"]
        lines += ["  </body>", "</oem>"]
        return lines


def new_header(originator="cosmoplan", comments=(), version="2.0"):
    """A Header dated now (UTC, whole seconds) for a message cosmoplan writes."""
    now = Epoch.from_datetime(_dt.datetime.now(_dt.timezone.utc))
    try:
        check_text(originator, "ORIGINATOR")
    except ValueError as exc:
        raise InputError(str(exc), field="ORIGINATOR", value=originator) from None
    return Header(version=version, comments=list(comments),
                  creation_date=CcsdsEpoch.from_epoch(now, "UTC", ndp=0),
                  originator=originator)
