"""Epochs and time scales (UTC, TAI, TT, TDB, UT1), on ERFA.

An :class:`Epoch` is one instant or an array of instants, stored as a two-part Julian
Date ``jd1 + jd2`` (``jd1`` at a midnight, ``jd2`` the fraction) together with the name
of its time scale, exactly the pair that ERFA's routines take. Nothing is converted by
hand: every change of scale goes through ``erfa`` (the ANSI-C SOFA port used by astropy):

=========  ==========================================================================
edge       ERFA routine and data
=========  ==========================================================================
UTC-TAI    ``utctai`` / ``taiutc``; leap seconds from ``astropy-iers-data``'s
           ``Leap_Second.dat`` (loaded into ERFA once, offline)
TAI-TT     ``taitt`` / ``tttai`` (TT = TAI + 32.184 s)
TT-TDB     ``tttdb`` / ``tdbtt`` with ``dtdb`` (Fairhead & Bretagnon 1990 series,
           geocentric: u = v = 0), error below 3 ns between 1600 and 2200
UTC-UT1    ``utcut1`` / ``ut1utc`` with UT1-UTC from the IERS ``finals2000A.all`` table
           shipped by ``astropy-iers-data`` (see :mod:`cosmoplan.eop`)
=========  ==========================================================================

UTC arithmetic is done in TAI, so a leap second inside an interval is counted.

Shapes: an Epoch has the shape of its ``jd1``/``jd2`` arrays (``()`` for a scalar);
a scalar is the N = 1 case, not a separate code path.
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from collections import deque

import erfa
import numpy as np

from ._series import BlockSeries
from .constants import MJD_ZERO_JD, SECONDS_PER_DAY
from .errors import DataRangeWarning, InputError

__all__ = ["Epoch", "SCALES", "epoch"]

SCALES = ("utc", "tai", "tt", "tdb", "ut1")
"""Time scales an :class:`Epoch` can carry."""

_ISO_RE = re.compile(
    r"^\s*(?P<y>[+-]?[0-9]{4})-(?:(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})|(?P<doy>[0-9]{3}))"
    r"(?:[T ](?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}(?:\.[0-9]*)?))?)?"
    r"\s*(?P<z>Z|UTC|[+-]00:?00)?\s*$",
    re.ASCII,
)
JD_MIN, JD_MAX = 0.0, 5373484.5
"""Julian Dates an Epoch accepts: 4713 BC January 1 to AD 9999 December 31."""

_leap_seconds_ready = False


def _ensure_leap_seconds():
    """Load the newest offline leap-second table into ERFA (once per process).

    pyerfa ships a table frozen at its release; ``astropy-iers-data`` ships IERS
    ``Leap_Second.dat`` with a later expiry. Reading an explicit file never downloads.
    """
    global _leap_seconds_ready
    if _leap_seconds_ready:
        return
    try:
        from astropy.utils.iers import LeapSeconds
        from astropy_iers_data import IERS_LEAP_SECOND_FILE

        table = LeapSeconds.from_iers_leap_seconds(IERS_LEAP_SECOND_FILE)
        if table.expires > erfa.leap_seconds.expires:
            erfa.leap_seconds.update(table)
    except Exception as exc:  # pragma: no cover - only if the data package is broken
        warnings.warn(
            f"could not load astropy-iers-data's leap-second table ({exc}); using the one "
            "built into pyerfa",
            DataRangeWarning,
            stacklevel=3,
        )
    _leap_seconds_ready = True


def _erfa_call(func, *args):
    """Call an ERFA routine, turning its 'dubious year' warnings into one DataRangeWarning.

    Any other ERFA warning (e.g. dtf2d's "time is after end of day" for 23:59:60 on a day
    without a leap second) is bad input: InputError.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", erfa.ErfaWarning)
        out = func(*args)
    texts = [str(w.message) for w in caught if issubclass(w.category, erfa.ErfaWarning)]
    other = [t for t in texts if "dubious year" not in t]
    if other:
        raise InputError(other[0].replace("ERFA function", "time conversion"),
                         field="epoch")
    if texts:
        warnings.warn(
            "UTC epoch where ERFA flags its leap-second table as dubious (before 1960, or "
            "years after the table's last entry; it expires "
            f"{erfa.leap_seconds.expires:%Y-%m-%d}): "
            "TAI-UTC held at the nearest tabulated value",
            DataRangeWarning,
            stacklevel=4,
        )
    return out


def _normalize(jd1, jd2):
    """Return (jd1, jd2) with jd1 at a midnight (a JD ending in .5) and 0 <= jd2 < 1 day."""
    jd1 = np.asarray(jd1, dtype=float)
    jd2 = np.asarray(jd2, dtype=float)
    jd1, jd2 = np.broadcast_arrays(jd1, jd2)
    day = np.floor(jd1 - 0.5) + 0.5
    frac = (jd1 - day) + jd2
    extra = np.floor(frac)
    return day + extra, frac - extra


# ------------------------------------------------------------------ scale conversions
def _utc_tai(j1, j2):
    _ensure_leap_seconds()
    return _erfa_call(erfa.utctai, j1, j2)


def _tai_utc(j1, j2):
    _ensure_leap_seconds()
    return _erfa_call(erfa.taiutc, j1, j2)


def _tai_tt(j1, j2):
    return erfa.taitt(j1, j2)


def _tt_tai(j1, j2):
    return erfa.tttai(j1, j2)


def _dtdb_series(days):
    return erfa.dtdb(2451545.0, days, np.mod(days, 1.0), 0.0, 0.0, 0.0)


def _dtdb(j1, j2):
    """Geocentric TDB-TT, s (ERFA ``dtdb``, Fairhead & Bretagnon 1990 series).

    With u = v = 0 the topocentric terms vanish, so ``ut`` and ``elong`` are moot. Large
    arrays are answered from cached cubic splines on hourly nodes
    (:class:`cosmoplan._series.BlockSeries`, error below 1e-15 s).
    """
    j1, j2 = np.broadcast_arrays(np.asarray(j1, float), np.asarray(j2, float))
    fast = _DTDB((j1.ravel() - 2451545.0) + j2.ravel())
    if fast is not None:
        return fast.reshape(j1.shape)
    ut = np.mod(j1 - 0.5, 1.0) + j2
    return erfa.dtdb(j1, j2, ut, 0.0, 0.0, 0.0)


_DTDB = BlockSeries(_dtdb_series)


def _tt_tdb(j1, j2):
    return erfa.tttdb(j1, j2, _dtdb(j1, j2))


def _tdb_tt(j1, j2):
    return erfa.tdbtt(j1, j2, _dtdb(j1, j2))


def _utc_ut1(j1, j2):
    from .eop import default_eop

    dut1 = default_eop().ut1_minus_utc(j1, j2)
    return _erfa_call(erfa.utcut1, j1, j2, dut1)


def _ut1_utc(j1, j2):
    from .eop import default_eop

    eop = default_eop()
    # UT1-UTC is needed at the UTC instant: evaluate it once at UT1 taken as UTC, then
    # once more at the UTC this gives (|UT1-UTC| < 0.9 s, its rate < 3 ms/day).
    dut1 = eop.ut1_minus_utc(j1, j2)
    u1, u2 = _erfa_call(erfa.ut1utc, j1, j2, dut1)
    dut1 = eop.ut1_minus_utc(u1, u2)
    return _erfa_call(erfa.ut1utc, j1, j2, dut1)


_EDGES = {
    ("utc", "tai"): _utc_tai,
    ("tai", "utc"): _tai_utc,
    ("tai", "tt"): _tai_tt,
    ("tt", "tai"): _tt_tai,
    ("tt", "tdb"): _tt_tdb,
    ("tdb", "tt"): _tdb_tt,
    ("utc", "ut1"): _utc_ut1,
    ("ut1", "utc"): _ut1_utc,
}


def _path(a, b):
    """Shortest chain of scales from a to b through the edges above (breadth-first)."""
    prev = {a: None}
    queue = deque([a])
    while queue:
        node = queue.popleft()
        if node == b:
            break
        for x, y in _EDGES:
            if x == node and y not in prev:
                prev[y] = node
                queue.append(y)
    chain = [b]
    while prev[chain[-1]] is not None:
        chain.append(prev[chain[-1]])
    return chain[::-1]


def _check_scale(scale):
    s = str(scale).lower()
    if s not in SCALES:
        raise InputError(
            f"unknown time scale {scale!r}; expected one of {', '.join(SCALES)}",
            field="scale",
            value=scale,
        )
    return s


class Epoch:
    """One instant or an array of instants in an explicit time scale.

    Parameters
    ----------
    jd1, jd2 : float or array_like
        Two-part Julian Date in ``scale`` (summed; any split is accepted and normalised
        so that ``jd1`` sits at a midnight). For UTC this is ERFA's quasi-JD, whose day
        fraction stretches over 86401 s on a leap-second day.
    scale : {'utc', 'tai', 'tt', 'tdb', 'ut1'}
        Time scale. There is no default: an epoch without a scale is ambiguous by up to
        69 s.

    Examples
    --------
    >>> t = Epoch.from_iso("2021-06-17T01:22:27Z")
    >>> t.tt.iso()
    '2021-06-17T01:23:36.184'
    >>> dt = Epoch.from_iso("2017-01-01T00:00:00Z") - Epoch.from_iso("2016-12-31T23:59:59Z")
    >>> round(float(dt), 9)  # the leap second 2016-12-31T23:59:60 is counted
    2.0
    """

    __slots__ = ("jd1", "jd2", "scale")
    __array_priority__ = 1000

    def __init__(self, jd1, jd2=0.0, *, scale=None):
        if isinstance(jd1, str) or scale is None:
            raise InputError(
                "Epoch(jd1, jd2, scale=...) takes a two-part Julian Date and a time scale; "
                "for text use Epoch.from_iso('2021-06-17T01:22:27Z'), for a datetime "
                "Epoch.from_datetime(...)", field="epoch", value=jd1)
        self.scale = _check_scale(scale)
        try:
            self.jd1, self.jd2 = _normalize(jd1, jd2)
        except (TypeError, ValueError):
            raise InputError("an epoch's Julian Date must be numbers", field="jd",
                             value=jd1) from None
        if not (np.all(np.isfinite(self.jd1)) and np.all(np.isfinite(self.jd2))):
            raise InputError("an epoch's Julian Date is not finite", field="jd", value=jd1)
        jd = self.jd1 + self.jd2
        if np.any((jd < JD_MIN) | (jd > JD_MAX)):
            raise InputError(f"Julian Date {float(np.ravel(jd)[0]):.6g} outside the supported "
                             f"range {JD_MIN:g}..{JD_MAX:g} (4713 BC to AD 9999)", field="jd",
                             value=jd1)

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_jd(cls, jd1, jd2=0.0, scale="utc"):
        """Epoch from a (two-part) Julian Date in ``scale``."""
        return cls(jd1, jd2, scale=scale)

    @classmethod
    def from_mjd(cls, mjd, scale="utc"):
        """Epoch from a Modified Julian Date (days) in ``scale``."""
        mjd = np.asarray(mjd, dtype=float)
        whole = np.floor(mjd)
        return cls(MJD_ZERO_JD + whole, mjd - whole, scale=scale)

    @classmethod
    def from_calendar(cls, year, month, day, hour=0, minute=0, second=0.0, scale="utc"):
        """Epoch from Gregorian calendar fields (arrays broadcast).

        ``second`` may reach 60.999... on a UTC leap-second day (ERFA ``dtf2d``).
        """
        scale = _check_scale(scale)
        if scale == "utc":
            _ensure_leap_seconds()
        fields = {"year": year, "month": month, "day": day, "hour": hour, "minute": minute}
        ints = []
        for name, val in fields.items():
            try:
                a = np.asarray(val, dtype=float)
            except (TypeError, ValueError):
                raise InputError(f"calendar {name} must be an integer, got {val!r}",
                                 field=name, value=val) from None
            if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
                raise InputError(f"calendar {name} must be an integer, got {val!r}",
                                 field=name, value=val)
            ints.append(a.astype(int))
        try:
            sec = np.asarray(second, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"second must be a number, got {second!r}", field="second",
                             value=second) from None
        args = np.broadcast_arrays(*ints, sec)
        text = (f"{np.ravel(args[0])[0]:04d}-{np.ravel(args[1])[0]:02d}-"
                f"{np.ravel(args[2])[0]:02d}T{np.ravel(args[3])[0]:02d}:"
                f"{np.ravel(args[4])[0]:02d}:{np.ravel(args[5])[0]:06.3f}")
        try:
            j1, j2 = _erfa_call(erfa.dtf2d, scale.upper().encode(), *args)
        except erfa.ErfaError as exc:
            why = str(exc).split('"')[-2] if '"' in str(exc) else str(exc)
            raise InputError(f"invalid calendar date {text} ({why})", field="epoch",
                             value=text) from None
        except InputError as exc:
            why = str(exc).split('"')[-2] if '"' in str(exc) else str(exc)
            why = why.replace(" (Note 5)", "")
            raise InputError(f"invalid calendar date {text} ({why}: no leap second then)",
                             field="epoch", value=text) from None
        return cls(j1, j2, scale=scale)

    @classmethod
    def from_iso(cls, text, scale="utc"):
        """Epoch from ISO 8601 text: ``YYYY-MM-DD[Thh:mm[:ss[.fff]]][Z]`` or ``YYYY-DDDThh:mm:ss``.

        A trailing ``Z`` (or ``+00:00``) is accepted only with ``scale='utc'``. Arrays of
        strings give an array epoch. Raises :class:`InputError` naming the text.
        """
        scale = _check_scale(scale)
        texts = np.atleast_1d(np.asarray(text, dtype=object))
        if texts.size == 0:
            raise InputError("no date-time text given", field="epoch", value=text)
        fields = np.empty((texts.size, 6), dtype=float)
        for k, s in enumerate(texts.ravel()):
            if not isinstance(s, str):
                raise InputError(
                    f"from_iso takes ISO 8601 text, got {type(s).__name__} {s!r}; use "
                    "Epoch.from_datetime for datetimes (with a time zone)", field="epoch",
                    value=s)
            m = _ISO_RE.match(s)
            if m is None:
                raise InputError(
                    f"cannot read {s!r} as an ISO 8601 date-time; expected e.g. "
                    "'2021-06-17T01:22:27Z' or '2021-168T01:22:27'",
                    field="epoch",
                    value=s,
                )
            if m.group("z") and scale != "utc":
                raise InputError(
                    f"{s!r} carries a UTC designator but the scale is {scale.upper()}",
                    field="epoch",
                    value=s,
                )
            y = int(m.group("y"))
            if m.group("doy"):
                doy = int(m.group("doy"))
                ndays = 366 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 365
                if not 1 <= doy <= ndays:
                    raise InputError(
                        f"day of year {doy} out of range 1..{ndays} in {s!r}",
                        field="epoch",
                        value=s,
                    )
                date = _dt.date(y, 1, 1) + _dt.timedelta(days=doy - 1)
                mo, d = date.month, date.day
            else:
                mo, d = int(m.group("mo")), int(m.group("d"))
            h = int(m.group("h") or 0)
            mi = int(m.group("mi") or 0)
            sec = float(m.group("s") or 0.0)
            fields[k] = (y, mo, d, h, mi, sec)
        try:
            out = cls.from_calendar(*(fields[:, i].astype(int) for i in range(5)),
                                    fields[:, 5], scale=scale)
        except InputError as exc:
            shown = text if np.size(text) == 1 else f"{np.size(text)} date-times"
            raise InputError(f"{exc} in {shown!r}", field="epoch", value=text) from None
        shape = np.shape(text)
        return cls(out.jd1.reshape(shape), out.jd2.reshape(shape), scale=scale)

    @classmethod
    def from_datetime(cls, value):
        """Epoch (UTC) from timezone-aware :class:`datetime.datetime` object(s).

        A naive datetime is refused: it could be local time or UTC. Attach
        ``tzinfo=datetime.timezone.utc`` if it is UTC.
        """
        values = np.atleast_1d(np.asarray(value, dtype=object))
        rows = []
        for v in values.ravel():
            if not isinstance(v, _dt.datetime):
                raise InputError(f"{v!r} is not a datetime", field="epoch", value=v)
            if v.tzinfo is None or v.utcoffset() is None:
                raise InputError(
                    f"naive datetime {v.isoformat()} has no time zone; use "
                    "datetime(..., tzinfo=datetime.timezone.utc) if it is UTC",
                    field="epoch",
                    value=v,
                )
            u = v.astimezone(_dt.timezone.utc)
            rows.append((u.year, u.month, u.day, u.hour, u.minute,
                         u.second + u.microsecond * 1e-6))
        a = np.array(rows, dtype=float)
        out = cls.from_calendar(*(a[:, i].astype(int) for i in range(5)), a[:, 5], scale="utc")
        shape = np.shape(value)
        return cls(out.jd1.reshape(shape), out.jd2.reshape(shape), scale="utc")

    @classmethod
    def coerce(cls, value, scale="utc", *, field="epoch"):
        """Return ``value`` as an Epoch: an Epoch, ISO text, an aware datetime, or a list or
        array of ISO texts or of aware datetimes (an array epoch of the same shape)."""
        if isinstance(value, Epoch):
            return value
        if isinstance(value, _dt.datetime):
            return cls.from_datetime(value)
        if isinstance(value, _dt.date):
            return cls.from_calendar(value.year, value.month, value.day, scale=scale)
        if isinstance(value, str):
            try:
                return cls.from_iso(value, scale=scale)
            except InputError as exc:
                raise InputError(str(exc), field=field, value=value) from None
        if isinstance(value, (list, tuple, np.ndarray)) and np.size(value) > 0:
            flat = np.asarray(value, dtype=object).ravel()
            if all(isinstance(v, str) for v in flat):
                try:
                    return cls.from_iso(np.asarray(value, dtype=object), scale=scale)
                except InputError as exc:
                    raise InputError(str(exc), field=field, value=value) from None
            if all(isinstance(v, _dt.datetime) for v in flat):
                return cls.from_datetime(np.asarray(value, dtype=object))
        raise InputError(
            f"cannot use {value!r} as an epoch; give an Epoch, ISO 8601 text or an aware "
            "datetime",
            field=field,
            value=value,
        )

    # ---------------------------------------------------------------- scales
    def to(self, scale):
        """This instant (or these instants) expressed in another time scale."""
        scale = _check_scale(scale)
        if scale == self.scale:
            return self
        j1, j2 = self.jd1, self.jd2
        chain = _path(self.scale, scale)
        for a, b in zip(chain[:-1], chain[1:]):
            j1, j2 = _EDGES[(a, b)](j1, j2)
        return Epoch(j1, j2, scale=scale)

    @property
    def utc(self):
        return self.to("utc")

    @property
    def tai(self):
        return self.to("tai")

    @property
    def tt(self):
        return self.to("tt")

    @property
    def tdb(self):
        return self.to("tdb")

    @property
    def ut1(self):
        return self.to("ut1")

    @property
    def jd(self):
        """Julian Date as one float (loses ~20 microseconds of resolution; for display)."""
        return self.jd1 + self.jd2

    @property
    def mjd(self):
        """Modified Julian Date as one float, in this epoch's scale."""
        return (self.jd1 - MJD_ZERO_JD) + self.jd2

    # ---------------------------------------------------------------- array behaviour
    @property
    def shape(self):
        return self.jd1.shape

    @property
    def ndim(self):
        return self.jd1.ndim

    @property
    def size(self):
        return self.jd1.size

    def __len__(self):
        if self.jd1.ndim == 0:
            raise TypeError("a scalar Epoch has no len()")
        return len(self.jd1)

    def __getitem__(self, item):
        return Epoch(self.jd1[item], self.jd2[item], scale=self.scale)

    def __iter__(self):
        if self.jd1.ndim == 0:
            raise TypeError("a scalar Epoch is not iterable")
        for k in range(len(self)):
            yield self[k]

    def reshape(self, *shape):
        return Epoch(self.jd1.reshape(*shape), self.jd2.reshape(*shape), scale=self.scale)

    def ravel(self):
        return self.reshape(-1)

    @staticmethod
    def concatenate(epochs):
        """Join Epochs (converted to the first one's scale) into one 1-D array epoch."""
        epochs = list(epochs)
        scale = epochs[0].scale
        conv = [e.to(scale) for e in epochs]
        return Epoch(
            np.concatenate([np.atleast_1d(e.jd1) for e in conv]),
            np.concatenate([np.atleast_1d(e.jd2) for e in conv]),
            scale=scale,
        )

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, seconds):
        """Epoch ``seconds`` (SI seconds, float or array) later, in the same scale."""
        if isinstance(seconds, Epoch):
            return NotImplemented
        try:
            seconds = np.asarray(seconds, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"can only add seconds (numbers) to an Epoch, got {seconds!r}",
                             field="seconds", value=seconds) from None
        # whole days go to jd1, the rest to jd2, so long offsets keep full resolution
        days = np.floor(seconds / SECONDS_PER_DAY)
        frac = (seconds - days * SECONDS_PER_DAY) / SECONDS_PER_DAY
        if self.scale in ("utc", "ut1"):
            tai = self.tai
            out = Epoch(tai.jd1 + days, tai.jd2 + frac, scale="tai")
            return out.to(self.scale)
        return Epoch(self.jd1 + days, self.jd2 + frac, scale=self.scale)

    __radd__ = __add__

    def __sub__(self, other):
        """``epoch - seconds`` gives an Epoch; ``epoch - epoch`` gives SI seconds (TT or TDB)."""
        if isinstance(other, Epoch):
            scale = "tdb" if (self.scale == "tdb" and other.scale == "tdb") else "tt"
            a, b = self.to(scale), other.to(scale)
            return ((a.jd1 - b.jd1) + (a.jd2 - b.jd2)) * SECONDS_PER_DAY
        try:
            return self.__add__(-np.asarray(other, dtype=float))
        except (TypeError, ValueError):
            raise InputError(f"can only subtract seconds or an Epoch from an Epoch, got "
                             f"{other!r}", field="seconds", value=other) from None

    def _cmp_seconds(self, other):
        return self - Epoch.coerce(other, self.scale)

    def __lt__(self, other):
        return self._cmp_seconds(other) < 0

    def __le__(self, other):
        return self._cmp_seconds(other) <= 0

    def __gt__(self, other):
        return self._cmp_seconds(other) > 0

    def __ge__(self, other):
        return self._cmp_seconds(other) >= 0

    def __eq__(self, other):
        if not isinstance(other, Epoch):
            return NotImplemented
        return self._cmp_seconds(other) == 0

    __hash__ = None

    def isclose(self, other, atol_s=1e-6):
        """True where the two epochs are within ``atol_s`` seconds of each other."""
        return np.abs(self._cmp_seconds(other)) <= atol_s

    MAX_SIZE = 10_000_000
    """Largest array linspace/arange will build."""

    @staticmethod
    def linspace(start, stop, num):
        """``num`` evenly spaced epochs from ``start`` to ``stop`` inclusive (start's scale)."""
        if not (isinstance(num, (int, np.integer)) and 1 <= num <= Epoch.MAX_SIZE):
            raise InputError(f"num must be an integer in 1..{Epoch.MAX_SIZE}, got {num!r}",
                             field="num", value=num)
        span = stop - start
        return start + np.linspace(0.0, float(span), int(num))

    @staticmethod
    def arange(start, stop, step_s):
        """Epochs from ``start`` (inclusive) to ``stop`` (exclusive) every ``step_s`` seconds."""
        span = float(stop - start)
        try:
            step = float(step_s)
        except (TypeError, ValueError):
            step = float("nan")
        if not (np.isfinite(step) and step > 0):
            raise InputError(f"step_s must be a positive number of seconds, got {step_s!r}",
                             field="step_s", value=step_s)
        if span / step > Epoch.MAX_SIZE:
            raise InputError(f"{span / step:.3g} epochs requested; at most {Epoch.MAX_SIZE}",
                             field="step_s", value=step_s)
        return start + np.arange(0.0, span, step)

    # ---------------------------------------------------------------- output
    def calendar(self, ndp=3):
        """Calendar fields (year, month, day, hour, minute, second) rounded to ``ndp`` decimals."""
        if self.scale == "utc":
            _ensure_leap_seconds()
        iy, im, iday, ihmsf = _erfa_call(
            erfa.d2dtf, self.scale.upper().encode(), ndp, self.jd1, self.jd2
        )
        sec = ihmsf["s"] + ihmsf["f"] / 10.0**ndp
        return iy, im, iday, ihmsf["h"], ihmsf["m"], sec

    def iso(self, ndp=3):
        """ISO 8601 text, ``YYYY-MM-DDThh:mm:ss.sss`` (+ ``Z`` when the scale is UTC).

        Returns a str for a scalar epoch, a NumPy array of str otherwise.
        """
        if self.scale == "utc":
            _ensure_leap_seconds()
        iy, im, iday, ihmsf = _erfa_call(
            erfa.d2dtf, self.scale.upper().encode(), ndp, self.jd1, self.jd2
        )
        suffix = "Z" if self.scale == "utc" else ""

        def fmt(y, mo, d, hmsf):
            h, mi, s, f = (int(x) for x in hmsf)
            frac = f".{f:0{ndp}d}" if ndp > 0 else ""
            return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{h:02d}:{mi:02d}:{s:02d}{frac}{suffix}"

        if self.jd1.ndim == 0:
            return fmt(iy, im, iday, ihmsf.item())
        flat = [
            fmt(y, mo, d, hmsf)
            for y, mo, d, hmsf in zip(iy.ravel(), im.ravel(), iday.ravel(), ihmsf.ravel())
        ]
        return np.array(flat, dtype=object).reshape(self.shape)

    def to_datetime(self):
        """UTC :class:`datetime.datetime` (aware), or an object array of them; microsecond
        resolution, and a leap second (23:59:60) is folded onto 23:59:59.999999."""
        iy, im, iday, h, mi, s = self.utc.calendar(ndp=6)

        def one(y, mo, d, hh, mm, ss):
            whole = min(int(np.floor(ss)), 59)
            micro = int(round((ss - int(np.floor(ss))) * 1e6))
            if int(np.floor(ss)) == 60:
                micro = 999999
            micro = min(micro, 999999)
            return _dt.datetime(int(y), int(mo), int(d), int(hh), int(mm), whole, micro,
                                tzinfo=_dt.timezone.utc)

        if np.any((np.asarray(iy) < 1) | (np.asarray(iy) > 9999)):
            raise InputError("Python datetimes cover years 1 to 9999 only", field="epoch",
                             value=self)
        if self.jd1.ndim == 0:
            return one(iy, im, iday, h, mi, s)
        out = [one(*a) for a in zip(np.ravel(iy), np.ravel(im), np.ravel(iday), np.ravel(h),
                                     np.ravel(mi), np.ravel(s))]
        return np.array(out, dtype=object).reshape(self.shape)

    def __repr__(self):
        if self.jd1.ndim == 0:
            return f"Epoch('{self.iso()}', scale='{self.scale}')"
        if self.size <= 4:
            return f"Epoch({list(np.ravel(self.iso()))}, scale='{self.scale}')"
        if self.ndim != 1:
            return f"Epoch(shape={self.shape}, scale='{self.scale}')"
        span = f"{self[0].iso()} .. {self[-1].iso()}"
        return f"Epoch(shape={self.shape}, {span}, scale='{self.scale}')"

    def __str__(self):
        if self.jd1.ndim == 0:
            return self.iso()
        return repr(self)


def epoch(value, scale="utc"):
    """Shorthand for :meth:`Epoch.coerce`: ``epoch("2021-06-17T01:22:27Z")``."""
    return Epoch.coerce(value, scale)
