"""Dates in Navigation Data Messages: calendar and day-of-year text, kept exactly.

CCSDS 502.0-B-3 §7.5.10 (ODM) and 508.0-B-1 §6.3.2.6 (CDM) allow two forms,
``YYYY-MM-DDThh:mm:ss[.d...][Z]`` and ``YYYY-DDDThh:mm:ss[.d...][Z]``, with as many
decimals as the writer likes ('Z' only for UTC). A date read from a message keeps its
text, so that writing it back gives the same characters (form, decimals, 'Z') whatever
the resolution of a two-part Julian Date.

* In a time system cosmoplan converts, a date is a :class:`CcsdsEpoch`, a
  :class:`~cosmoplan.time.Epoch` that also carries ``text`` and ``time_system``:
  UTC, TAI, TT, TDB and UT1 directly; GPS as TAI - 19 s exactly; TCG and TCB through
  ERFA ``tcgtt`` / ``tcbtdb`` (IAU 2006 B3 relations).
* In any other time system (GMST, MET, MRT, SCLK, or a value agreed in an ICD,
  502.0-B-3 §3.2.3.2) a date is a :class:`RawEpoch`: its text is checked for the date
  syntax and kept, but it **cannot be converted** to an instant (MET and MRT count from
  a mission epoch given outside the message; SCLK needs the clock's calibration); every
  conversion raises :class:`~cosmoplan.errors.InputError` saying so.

Both kinds may be arrays (the epochs of an OEM's ephemeris lines), parsed with NumPy.
"""

from __future__ import annotations

import calendar
import re
import warnings

import erfa
import numpy as np

from ..errors import DataRangeWarning, InputError
from ..time import Epoch, _ensure_leap_seconds

__all__ = ["CcsdsEpoch", "RawEpoch", "CONVERTIBLE_TIME_SYSTEMS", "parse_date", "parse_dates",
           "epoch_text"]

# CCSDS TIME_SYSTEM value -> (cosmoplan scale of the Epoch, kind of conversion)
CONVERTIBLE_TIME_SYSTEMS = {
    "UTC": "utc", "TAI": "tai", "TT": "tt", "TDB": "tdb", "UT1": "ut1",
    "GPS": "tai", "TCG": "tt", "TCB": "tdb",
}
"""Time systems whose dates become :class:`CcsdsEpoch` objects, and the scale they carry."""

_RELATIVE = ("MET", "MRT")  # elapsed times: day-of-year 000 and year 0000 are allowed
_GPS_MINUS_TAI_DAYS = -19.0 / 86400.0  # GPS = TAI - 19 s (fixed since 1980)

_DATE_RE = re.compile(
    r"(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))T(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(Z?)", re.ASCII)

_FORMS = ("YYYY-MM-DDThh:mm:ss[.d...][Z] or YYYY-DDDThh:mm:ss[.d...][Z] "
          "(CCSDS 502.0-B-3 §7.5.10)")


def _not_convertible(time_system):
    return InputError(
        f"dates in time system {time_system} cannot be converted by cosmoplan (it converts "
        f"{', '.join(CONVERTIBLE_TIME_SYSTEMS)}); the text is kept as read, the instant is "
        "not known", field="TIME_SYSTEM", value=time_system)


class CcsdsEpoch(Epoch):
    """An :class:`~cosmoplan.time.Epoch` read from (or written to) a CCSDS message.

    Attributes
    ----------
    text : str or numpy.ndarray of str
        The date exactly as it stands in the message (or will be written).
    time_system : str
        The CCSDS TIME_SYSTEM of the text (``'UTC'``, ``'GPS'``, ...); the Epoch's own
        ``scale`` is the cosmoplan scale it was converted to (GPS -> ``'tai'``, TCG ->
        ``'tt'``, TCB -> ``'tdb'``).

    Arithmetic and scale changes return plain :class:`~cosmoplan.time.Epoch` objects.
    Build one from an instant with :meth:`from_epoch`.
    """

    __slots__ = ("text", "time_system")

    def __init__(self, jd1, jd2=0.0, *, scale, text, time_system):
        super().__init__(jd1, jd2, scale=scale)
        self.text = text
        self.time_system = time_system

    @classmethod
    def from_epoch(cls, epoch, time_system="UTC", *, ndp=6, day_of_year=False):
        """The date of ``epoch`` written in ``time_system`` with ``ndp`` decimals.

        ``day_of_year=True`` writes ``YYYY-DDDThh:mm:ss``. The returned object's instant is
        the one its text denotes (rounded to ``ndp`` decimals), so that it reads back equal.
        """
        ts = str(time_system).upper()
        if ts not in CONVERTIBLE_TIME_SYSTEMS:
            raise _not_convertible(ts)
        if not isinstance(epoch, Epoch):
            raise InputError(f"from_epoch needs an Epoch, got {type(epoch).__name__}",
                             field="epoch", value=epoch)
        if not (isinstance(ndp, (int, np.integer)) and 0 <= ndp <= 12):
            raise InputError(f"ndp must be an integer 0..12, got {ndp!r}", field="ndp", value=ndp)
        j1, j2, scale_name = _from_cosmoplan(epoch, ts)
        if ts == "UTC":
            _ensure_leap_seconds()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", erfa.ErfaWarning)
            iy, im, iday, ihmsf = erfa.d2dtf(scale_name, int(ndp), j1, j2)
        iy, im, iday = np.atleast_1d(iy), np.atleast_1d(im), np.atleast_1d(iday)
        hmsf = np.atleast_1d(ihmsf)
        texts = []
        for y, mo, d, f in zip(iy, im, iday, hmsf):
            h, mi, s, fr = (int(x) for x in f)
            if day_of_year:
                doy = (np.datetime64(f"{int(y):04d}-{int(mo):02d}-{int(d):02d}")
                       - np.datetime64(f"{int(y):04d}-01-01")).astype(int) + 1
                date = f"{int(y):04d}-{doy:03d}"
            else:
                date = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
            frac = f".{fr:0{ndp}d}" if ndp > 0 else ""
            texts.append(f"{date}T{h:02d}:{mi:02d}:{s:02d}{frac}")
        if epoch.ndim == 0:
            return parse_date(texts[0], ts)
        return parse_dates(np.array(texts).reshape(epoch.shape), ts)

    def __getitem__(self, item):
        return CcsdsEpoch(self.jd1[item], self.jd2[item], scale=self.scale,
                          text=np.asarray(self.text)[item] if self.jd1.ndim else self.text,
                          time_system=self.time_system)

    def reshape(self, *shape):
        return CcsdsEpoch(self.jd1.reshape(*shape), self.jd2.reshape(*shape), scale=self.scale,
                          text=np.asarray(self.text).reshape(*shape),
                          time_system=self.time_system)

    def __repr__(self):
        if self.jd1.ndim == 0:
            return f"CcsdsEpoch('{self.text}', time_system='{self.time_system}')"
        flat = np.ravel(self.text)
        span = f"'{flat[0]}' .. '{flat[-1]}'" if flat.size else "empty"
        return f"CcsdsEpoch(shape={self.shape}, {span}, time_system='{self.time_system}')"

    def __str__(self):
        return str(self.text) if self.jd1.ndim == 0 else repr(self)

    def __reduce__(self):
        return (_rebuild_ccsds_epoch, (self.jd1, self.jd2, self.scale, self.text,
                                       self.time_system))


def _rebuild_ccsds_epoch(jd1, jd2, scale, text, time_system):
    return CcsdsEpoch(jd1, jd2, scale=scale, text=text, time_system=time_system)


class RawEpoch:
    """A date in a time system cosmoplan cannot convert (GMST, MET, MRT, SCLK, ...).

    The text has been checked for the CCSDS date syntax and is kept exactly; the instant
    it denotes is unknown to cosmoplan, so :meth:`to` and the scale properties raise
    :class:`~cosmoplan.errors.InputError`. May be an array (``text`` an array of str).
    """

    __slots__ = ("text", "time_system")
    scale = None

    def __init__(self, text, time_system):
        self.text = text
        self.time_system = str(time_system)

    @property
    def shape(self):
        return np.shape(self.text)

    @property
    def ndim(self):
        return np.ndim(self.text)

    @property
    def size(self):
        return int(np.size(self.text))

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("a scalar RawEpoch has no len()")
        return len(self.text)

    def __getitem__(self, item):
        return RawEpoch(np.asarray(self.text)[item], self.time_system)

    def __iter__(self):
        for k in range(len(self)):
            yield self[k]

    def to(self, scale):
        """Always raises: the time system cannot be converted."""
        raise _not_convertible(self.time_system)

    utc = tai = tt = tdb = ut1 = property(lambda self: self.to(None))

    def __eq__(self, other):
        if not isinstance(other, RawEpoch):
            return NotImplemented
        return (self.time_system == other.time_system and self.shape == other.shape
                and bool(np.all(np.asarray(self.text) == np.asarray(other.text))))

    __hash__ = None

    def __repr__(self):
        if self.ndim == 0:
            return f"RawEpoch('{self.text}', time_system='{self.time_system}')"
        return f"RawEpoch(shape={self.shape}, time_system='{self.time_system}')"

    def __str__(self):
        return str(self.text) if self.ndim == 0 else repr(self)


def same_date(a, b):
    """True when two message dates have the same time system and the same text."""
    if type(a) is not type(b):
        return False
    if a.time_system != b.time_system or np.shape(a.text) != np.shape(b.text):
        return False
    return bool(np.all(np.asarray(a.text) == np.asarray(b.text)))


def epoch_text(value):
    """The text of a message date, validating that ``value`` is one."""
    if isinstance(value, (CcsdsEpoch, RawEpoch)):
        return value.text
    raise InputError(
        f"a message date must be a CcsdsEpoch or RawEpoch (keeping its text), got "
        f"{type(value).__name__}; build one with CcsdsEpoch.from_epoch(epoch, time_system)",
        value=value)


# ----------------------------------------------------------------------------- parsing
def _time_system(ts):
    return str(ts).strip().upper()


def _check_fields(text, ts, y, mo, d, doy, h, mi, sec, z):
    """Range checks of one date's fields; returns (month, day). Raises ValueError."""
    relative = ts in _RELATIVE
    if z and ts != "UTC":
        raise ValueError(f"{text!r} ends in 'Z' (UTC) but the time system is {ts}")
    if doy is not None:
        leap = calendar.isleap(y) if y > 0 else True
        lo = 0 if relative else 1
        hi = 366 if leap else 365
        if not lo <= doy <= hi:
            raise ValueError(f"day of year {doy:03d} out of range {lo:03d}..{hi} in {text!r}")
        if y == 0 or doy == 0:
            mo, d = 1, max(doy, 1)
        else:
            date = np.datetime64(f"{y:04d}-01-01") + np.timedelta64(doy - 1, "D")
            mo = int(date.astype("datetime64[M]").astype(int) % 12 + 1)
            d = int((date - date.astype("datetime64[M]")).astype(int) + 1)
    else:
        if not 1 <= mo <= 12:
            raise ValueError(f"month {mo:02d} out of range in {text!r}")
        ndays = calendar.monthrange(y if y > 0 else 2000, mo)[1]
        if not 1 <= d <= ndays:
            raise ValueError(f"day {d:02d} does not exist in month {mo:02d} of {y:04d} "
                             f"({text!r})")
    if h > 23 or mi > 59:
        raise ValueError(f"time of day out of range in {text!r}")
    if sec >= (61.0 if ts == "UTC" else 60.0):
        raise ValueError(f"seconds {sec!r} out of range in {text!r}")
    return mo, d


def _seconds(text):
    """Seconds of a date as a float that stays below the next whole second: the double
    nearest '59.99999999999999999' is 60.0, which would move the date to the next minute
    (or make it a leap second)."""
    whole = int(text.split(".")[0])
    value = float(text)
    return value if value < whole + 1 else float(np.nextafter(whole + 1.0, whole))


def _split(text, ts):
    """Fields of one date text, or ValueError with the reason."""
    m = _DATE_RE.fullmatch(text)
    if m is None:
        raise ValueError(f"{text!r} is not a CCSDS date; expected {_FORMS}")
    y = int(m.group(1))
    doy = int(m.group(4)) if m.group(4) else None
    mo = int(m.group(2)) if m.group(2) else 0
    d = int(m.group(3)) if m.group(3) else 0
    h, mi, sec = int(m.group(5)), int(m.group(6)), _seconds(m.group(7))
    mo, d = _check_fields(text, ts, y, mo, d, doy, h, mi, sec, bool(m.group(8)))
    if y == 0 and ts in CONVERTIBLE_TIME_SYSTEMS:
        raise ValueError(f"year 0000 in {text!r} is only meaningful for elapsed time systems "
                         "(MET, MRT)")
    return y, mo, d, h, mi, sec


def _to_epoch(ts, iy, im, iday, ih, imin, sec, texts):
    """Two-part JD arrays in the cosmoplan scale of ``ts``; ValueError names the bad date."""
    scale = CONVERTIBLE_TIME_SYSTEMS[ts]
    if ts == "UTC":
        _ensure_leap_seconds()
    name = b"UTC" if ts == "UTC" else b"TAI"  # any non-UTC name: no leap-second handling
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", erfa.ErfaWarning)
        try:
            j1, j2 = erfa.dtf2d(name, iy, im, iday, ih, imin, sec)
        except erfa.ErfaError:
            j1 = None
    bad = [str(w.message) for w in caught if "dubious year" not in str(w.message)]
    if len(bad) < len(caught) and j1 is not None and not bad:
        warnings.warn(
            f"UTC date(s) such as {str(np.ravel(texts)[0])!r} where ERFA flags its leap-second "
            "table as dubious (before 1960 or years past the table): TAI-UTC held at the "
            "nearest tabulated value", DataRangeWarning, stacklevel=4)
    if j1 is None or bad:
        # find the culprit one by one for a precise message
        for k in range(np.size(iy)):
            with warnings.catch_warnings(record=True) as one:
                warnings.simplefilter("always", erfa.ErfaWarning)
                try:
                    erfa.dtf2d(name, int(np.ravel(iy)[k]), int(np.ravel(im)[k]),
                               int(np.ravel(iday)[k]), int(np.ravel(ih)[k]),
                               int(np.ravel(imin)[k]), float(np.ravel(sec)[k]))
                except erfa.ErfaError as exc:
                    raise ValueError(f"{str(np.ravel(texts)[k])!r} is not a valid date ({exc})",
                                     k) from None
            why = [str(w.message) for w in one if "dubious year" not in str(w.message)]
            if why:
                raise ValueError(f"{str(np.ravel(texts)[k])!r} is not a valid {ts} date: seconds "
                                 "60 only exist at the end of a day with a leap second", k)
        raise ValueError("invalid date")  # pragma: no cover - dtf2d failed without a culprit
    j1 = np.asarray(j1, dtype=float)
    j2 = np.asarray(j2, dtype=float)
    if ts == "GPS":
        j2 = j2 - _GPS_MINUS_TAI_DAYS
    elif ts == "TCG":
        j1, j2 = erfa.tcgtt(j1, j2)
    elif ts == "TCB":
        j1, j2 = erfa.tcbtdb(j1, j2)
    return np.asarray(j1, float), np.asarray(j2, float), scale


def _from_cosmoplan(epoch, ts):
    """(jd1, jd2, ERFA scale name) of ``epoch`` expressed in CCSDS time system ``ts``."""
    scale = CONVERTIBLE_TIME_SYSTEMS[ts]
    e = epoch.to(scale)
    j1, j2 = e.jd1, e.jd2
    if ts == "GPS":
        j2 = j2 + _GPS_MINUS_TAI_DAYS
    elif ts == "TCG":
        j1, j2 = erfa.tttcg(j1, j2)
    elif ts == "TCB":
        j1, j2 = erfa.tdbtcb(j1, j2)
    return j1, j2, ("UTC" if ts == "UTC" else "TAI")


def parse_date(text, time_system):
    """One date of a message in ``time_system``: a :class:`CcsdsEpoch` or :class:`RawEpoch`.

    Raises ValueError (the caller adds file and line) when the text is not a valid date.
    """
    ts = _time_system(time_system)
    text = str(text)
    y, mo, d, h, mi, sec = _split(text, ts)
    if ts not in CONVERTIBLE_TIME_SYSTEMS:
        return RawEpoch(text, ts)
    try:
        j1, j2, scale = _to_epoch(ts, y, mo, d, h, mi, sec, np.array([text]))
    except ValueError as exc:
        raise ValueError(exc.args[0]) from None
    return CcsdsEpoch(j1, j2, scale=scale, text=text, time_system=ts)


_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[ord("0"):ord("9") + 1] = True


def _vector_fields(texts):
    """Fields of equally long ASCII date texts by column arithmetic; None if irregular."""
    try:
        b = texts.astype("S")
    except (UnicodeEncodeError, ValueError):
        return None
    n = b.size
    width = b.dtype.itemsize
    if n == 0 or width < 17:
        return None
    m = b.view(np.uint8).reshape(n, width)
    if not np.all(m[:, -1]):  # shorter texts are padded with NUL
        return None
    row = m[0]
    doy = row[8] == ord("T")
    if doy:
        seps = {4: b"-", 8: b"T", 11: b":", 14: b":"}
        digits = [0, 1, 2, 3, 5, 6, 7, 9, 10, 12, 13, 15, 16]
        sec0 = 15
    else:
        seps = {4: b"-", 7: b"-", 10: b"T", 13: b":", 16: b":"}
        digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        sec0 = 17
    if width < sec0 + 2:
        return None
    for pos, ch in seps.items():
        if not np.all(m[:, pos] == ch[0]):
            return None
    if not np.all(_DIGIT[m[:, digits]]):
        return None
    z = bool(m[0, -1] == ord("Z"))
    end = width - 1 if z else width
    if z and not np.all(m[:, -1] == ord("Z")):
        return None
    if end > sec0 + 2:
        if not (np.all(m[:, sec0 + 2] == ord(".")) and end > sec0 + 3
                and np.all(_DIGIT[m[:, sec0 + 3:end]])):
            return None
    v = m.astype(np.int64) - ord("0")

    def num(a, b_):
        out = np.zeros(n, dtype=np.int64)
        for k in range(a, b_):
            out = out * 10 + v[:, k]
        return out

    year = num(0, 4)
    if doy:
        month = None
        day = num(5, 8)
        hour, minute = num(9, 11), num(12, 14)
    else:
        month, day = num(5, 7), num(8, 10)
        hour, minute = num(11, 13), num(14, 16)
    secs = np.ascontiguousarray(m[:, sec0:end]).view(f"S{end - sec0}").ravel().astype(float)
    whole = num(sec0, sec0 + 2).astype(float)
    secs = np.minimum(secs, np.nextafter(whole + 1.0, whole))  # see _seconds
    return year, month, day, hour, minute, secs, z, doy


def parse_dates(texts, time_system):
    """Many dates at once (an OEM's ephemeris epochs): one array epoch.

    Equal-length texts are parsed by column arithmetic in NumPy; anything irregular
    falls back to one regular expression per text. Raises ValueError with the index of
    the first bad text as second argument.
    """
    ts = _time_system(time_system)
    arr = np.asarray(texts)
    if arr.dtype.kind != "U":
        arr = arr.astype(str)
    flat = arr.ravel()
    fields = _vector_fields(flat)
    ok = False
    if fields is not None:
        year, month, day, hour, minute, secs, z, doy = fields
        ok = not (z and ts != "UTC")
        if ok and doy:
            leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
            lo = 0 if ts in _RELATIVE else 1
            ok = bool(np.all((day >= lo) & (day <= 365 + leap)))
            if ok:
                if ts in _RELATIVE and (np.any(year == 0) or np.any(day == 0)):
                    ok = False
                else:
                    dates = ((year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
                             + (day - 1).astype("timedelta64[D]"))
                    months = dates.astype("datetime64[M]")
                    month = months.astype(np.int64) % 12 + 1
                    day = (dates - months).astype(np.int64) + 1
        elif ok:
            ok = bool(np.all((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)))
        if ok:
            ok = bool(np.all((hour <= 23) & (minute <= 59)
                             & (secs < (61.0 if ts == "UTC" else 60.0))))
        if ok and (np.any(year == 0)):
            ok = False
        if ok and ts not in CONVERTIBLE_TIME_SYSTEMS:
            # month lengths are checked by ERFA for convertible systems
            mdays = np.array([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
            leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
            lim = mdays[month - 1] - ((month == 2) & ~leap)
            ok = bool(np.all(day <= lim))
    if not ok:
        rows = []
        for k, t in enumerate(flat.tolist()):
            try:
                rows.append(_split(t, ts))
            except ValueError as exc:
                raise ValueError(exc.args[0], k) from None
        rows = np.array(rows, dtype=float).reshape(-1, 6)
        year, month, day, hour, minute = (rows[:, i].astype(np.int64) for i in range(5))
        secs = rows[:, 5]
    if ts not in CONVERTIBLE_TIME_SYSTEMS:
        return RawEpoch(arr, ts)
    j1, j2, scale = _to_epoch(ts, year, month, day, hour, minute, secs, flat)
    return CcsdsEpoch(j1.reshape(arr.shape), j2.reshape(arr.shape), scale=scale, text=arr,
                      time_system=ts)
