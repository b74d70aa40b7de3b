"""NRLMSISE-00 atmospheric density with CelesTrak space-weather indices, offline.

Model
-----
NRLMSISE-00 (Picone, Hedin, Drob & Aikin 2002, "NRLMSISE-00 empirical model of the
atmosphere: Statistical comparisons and scientific issues", J. Geophys. Res. 107(A12),
1468, doi:10.1029/2002JA009430), the 2001 model that Orekit's ``NRLMSISE00`` class ports
to Java. The Fortran code is the one compiled into ``pymsis`` (MIT licence, Regents of the
University of Colorado), called with ``version=0``: its ``msis00f.pymsiscalc`` routine is
the original ``GTD7D``, whose total mass density includes anomalous oxygen ("effective
mass density for drag", as Orekit's ``getDensity``). cosmoplan always passes the indices
itself, so pymsis never reads or downloads its own space-weather file.

Inputs as the model defines them (and as Orekit builds them):

* day of year and seconds of the day in UT1 by default, as Orekit's ``NRLMSISE00``
  (its default time scale is UT1, IERS 2010; ``time_scale="utc"`` is offered): UT1-UTC
  comes from cosmoplan's EOP table. Only within |UT1-UTC| < 0.9 s of 00:00 UTC does the
  choice matter (the day of year differs there: up to 0.5 % in density);
* local solar time = UT hours + longitude / 15 (pymsis computes it so; this is Orekit's
  ``LocalSolarTimeMode.MEAN``. Orekit's default, ``APPARENT``, takes the hour angle of the
  true Sun: the equation of time, up to 16 min, changes densities by up to ~7 % and the
  24-h LEO trajectory below by ~1 m);
* geodetic latitude, longitude and height above the WGS-84 ellipsoid, km;
* F10.7 = observed (not 1-AU adjusted) flux of the previous UTC day; F10.7a = centred
  81-day average of the observed flux on the current UTC day (NRLMSISE-00 wants the flux
  "at the Sun-Earth distance": observed. Orekit's ``CssiSpaceWeatherData`` reads
  ``F10.7_OBS`` and ``F10.7_OBS_CENTER81`` of the CelesTrak file in the same way);
* Ap: the 7-element array [daily Ap of the day, 3-h ap of the slot containing t and of the
  3 slots before it (t - 3 h, t - 6 h, t - 9 h), mean of the eight 3-h values 12..33 h
  before, mean of the eight 36..57 h before], slots aligned at 00, 03, ... 21 h UTC.
  By default only element 0 is used: model switch 9 = 1 ("daily Ap" mode), Orekit's
  default (its switches are all 1). ``storm_ap=True`` sets switch 9 = -1 and the model then
  uses the whole array (Orekit: ``withSwitch(9, -1)``).

Space weather
-------------
:class:`SpaceWeather` reads CelesTrak's ``SW-All.csv`` layout (by column name: ``DATE``,
``F10.7_OBS``, ``F10.7_OBS_CENTER81``, ``AP1``..``AP8``, ``AP_AVG``; ``F10.7_DATA_TYPE``
optional). ``SpaceWeather.default()`` loads the copy bundled in ``cosmoplan/data/
space_weather.csv`` (from satkit-data's CelesTrak file: observed days from 1957-10-01,
45 daily predicted days, monthly predicted F10.7 to 15 years ahead; regenerate with
``tools/make_space_weather.py``). ``SpaceWeather.from_csv(path)`` reads a user's file,
strictly: an error names the file, line, column and value. Conventions in the
prediction part, as Orekit's ``CssiSpaceWeatherData``: on daily predicted days (after the
last observed one) each 3-h ap is the day's ``AP_AVG``; after 00:00 of the last daily day
F10.7 and F10.7a are interpolated linearly in time towards the monthly predictions.

Fallback (documented): where an index needs data that the file lacks (before its first
day, after its last row, Ap after the last daily row since monthly predictions carry no
Ap, the first days whose Ap history starts before the file), that index takes
``FALLBACK_F107`` = 150 (F10.7 and F10.7a) or ``FALLBACK_AP`` = 15 (each Ap value), and
one :class:`~cosmoplan.errors.DataRangeWarning` per call (per :class:`DensityProvider`)
names the file's span and the epochs concerned.

Accuracy
--------
Against Orekit 13.1 ``NRLMSISE00`` (MEAN local solar time, UT1) fed by
``CssiSpaceWeatherData`` with the same CelesTrak rows, the indices agree exactly and the
densities to 8.9e-6 relative (median 6e-7) at 50 points from 86 to 1004 km in quiet
(June 2021) and storm (2003-10-28..31, 2024-05-09..12) conditions, daily and storm Ap,
and to 1.1e-5 along Orekit's 24-h LEO trajectory: the single precision (REAL*4 inputs and
arithmetic) of the Fortran code in pymsis against Orekit's double-precision port
(``tests/test_nrlmsise.py``, ``tests/fixtures/orekit_nrlmsise.json``). In single precision
the model has branch points at some round heights (a 3e-4 step at exactly 300 km).
The model itself is good to about 15 % (1 sigma) in quiet conditions and worse in storms
(Picone et al. 2002); forecast indices add more.

Cost: :class:`DensityProvider` takes ~9 us per call for one position (pymsis' Fortran call
~4.5 us of it), ~3.4 us per position for 100; loading the bundled table ~0.2 s, once.

Units: km, s, kg/m^3; angles in radians at the API (degrees only inside pymsis).
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import math
import warnings
from pathlib import Path

import numpy as np

from ..constants import WGS84_A_KM as _WGS84_A_KM
from ..constants import WGS84_F as _WGS84_F
from ..errors import DataRangeWarning, InputError

__all__ = [
    "SpaceWeather",
    "DensityProvider",
    "density",
    "FALLBACK_F107",
    "FALLBACK_AP",
]

FALLBACK_F107 = 150.0
"""F10.7 and F10.7a (sfu) used where the space-weather file has no value."""
FALLBACK_AP = 15.0
"""Ap used (for each of the 7 values) where the space-weather file has no value."""
MAX_DISCONTINUITIES = 100_000
""":meth:`DensityProvider.discontinuities` refuses spans with more index changes than this
(274 years of days, 34 years of 3-hour slots with ``storm_ap``)."""

_MJD_UNIX = 40587  # MJD of 1970-01-01
_SLOT_S = 10800.0
_DAY_S = 86400.0
_REQUIRED = ["DATE", "F10.7_OBS", "F10.7_OBS_CENTER81"] + [f"AP{k}" for k in range(1, 9)] + [
    "AP_AVG"]
_AP_COLS = [f"AP{k}" for k in range(1, 9)] + ["AP_AVG"]


_DIM = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _mjd_of(y, m, d):
    """MJD of a Gregorian date; ValueError for an impossible one."""
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if not (1 <= m <= 12 and 1 <= d <= _DIM[m - 1] + (m == 2 and leap)):
        raise ValueError(f"no such date {y}-{m}-{d}")
    a = (14 - m) // 12
    yy = y + 4800 - a
    mm = m + 12 * a - 3
    return d + (153 * mm + 2) // 5 + 365 * yy + yy // 4 - yy // 100 + yy // 400 - 2432046


def _iso_day(mjd):
    try:
        return (_dt.date(1970, 1, 1) + _dt.timedelta(days=int(mjd) - _MJD_UNIX)).isoformat()
    except (OverflowError, ValueError):  # beyond the years 1..9999 of datetime
        return f"MJD {int(mjd)}"


def _doy(mjd_int):
    """Day of year (1..366) of integer MJDs (array)."""
    mjd_int = np.asarray(mjd_int, dtype=np.int64)
    d = (mjd_int - _MJD_UNIX).astype("datetime64[D]")
    return (d - d.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64) + 1


class SpaceWeather:
    """F10.7 and Ap indices from a CelesTrak space-weather table (``SW-All.csv`` layout).

    Build with :meth:`default` (the bundled copy, loaded once) or :meth:`from_csv`.

    Attributes
    ----------
    source : str
        File the table came from.
    first_day, last_observed_day, last_daily_day, last_day : str
        ISO dates of the first row, the last observed (``OBS``/``INT``) day, the last row
        with Ap (daily rows) and the last row (monthly predictions included).
    """

    def __init__(self, *, source, day_mjd, f107, f107a, ap_avg, ap3, last_observed_mjd,
                 month_mjd, month_f107, month_f107a, fallback_f107=FALLBACK_F107,
                 fallback_ap=FALLBACK_AP):
        self.source = str(source)
        self.mjd0 = int(day_mjd[0])
        self.n_days = len(day_mjd)
        self.last_daily_mjd = self.mjd0 + self.n_days - 1
        self.last_observed_mjd = int(last_observed_mjd)
        self._f107 = np.asarray(f107, float)
        self._f107a = np.asarray(f107a, float)
        self._ap_avg = np.asarray(ap_avg, float)
        ap3 = np.asarray(ap3, float).copy()
        # Orekit CssiSpaceWeatherData: after the last observed day, 3-h ap = daily AP_AVG
        pred = np.arange(self.n_days) > (self.last_observed_mjd - self.mjd0)
        ap3[pred] = self._ap_avg[pred, None]
        self._ap3 = ap3.ravel()  # slot index j = 8 * (day - mjd0) + slot of day
        # interpolation nodes for F10.7 after 00:00 of the last daily day
        self._node_mjd = np.concatenate([[self.last_daily_mjd], np.asarray(month_mjd, float)])
        self._node_f107 = np.concatenate([[self._f107[-1]], month_f107])
        self._node_f107a = np.concatenate([[self._f107a[-1]], month_f107a])
        self.last_mjd = float(self._node_mjd[-1])
        self.fallback_f107 = _index_value(fallback_f107, "fallback_f107")
        self.fallback_ap = _index_value(fallback_ap, "fallback_ap")
        self.first_day = _iso_day(self.mjd0)
        self.last_observed_day = _iso_day(self.last_observed_mjd)
        self.last_daily_day = _iso_day(self.last_daily_mjd)
        self.last_day = _iso_day(self.last_mjd)

    def __repr__(self):
        return (f"SpaceWeather({Path(self.source).name}: daily {self.first_day}.."
                f"{self.last_daily_day} (observed to {self.last_observed_day}), monthly F10.7 "
                f"to {self.last_day})")

    @property
    def span(self):
        """Text naming the table and its span, as the fallback warnings print it."""
        return (f"{Path(self.source).name} (daily F10.7/Ap {self.first_day}.."
                f"{self.last_daily_day}, observed to {self.last_observed_day}; monthly "
                f"F10.7 to {self.last_day})")

    # ------------------------------------------------------------------ loading
    @classmethod
    def default(cls):
        """The bundled CelesTrak table (cosmoplan/data/space_weather.csv), loaded once."""
        return _default_space_weather()

    @classmethod
    def from_csv(cls, path, *, fallback_f107=FALLBACK_F107, fallback_ap=FALLBACK_AP):
        """Read a CelesTrak ``SW-All.csv`` (or any CSV with its column names).

        Columns used: ``DATE`` (YYYY-MM-DD), ``F10.7_OBS``, ``F10.7_OBS_CENTER81``,
        ``AP1``..``AP8``, ``AP_AVG``, and ``F10.7_DATA_TYPE`` if present (``OBS``, ``INT``,
        ``PRD`` daily predicted, ``PRM`` monthly predicted). Rows with all Ap columns blank
        are monthly predictions (F10.7 only) and must follow the daily rows, which must be
        consecutive days. Lines starting with ``#`` are skipped.

        Raises
        ------
        InputError
            Missing file or column, a malformed or negative number, a bad date, a gap,
            duplicate or out-of-order dates; with file, line, column and value.
        """
        try:
            path = Path(path)
        except TypeError:
            raise InputError(f"path must be a file name, got {path!r}", field="path",
                             value=path) from None
        src = str(path)
        try:
            fh = open(path, newline="", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read space-weather file: {exc.strerror}",
                             source=src) from None
        try:
            return cls._read(fh, src, fallback_f107, fallback_ap)
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason}): is it a CelesTrak SW-All.csv?",
                             source=src) from None

    @classmethod
    def _read(cls, fh, src, fallback_f107, fallback_ap):
        with fh:
            lines = (ln for ln in _numbered(fh))
            try:
                hline, header = next(lines)
            except StopIteration:
                raise InputError("empty space-weather file (no header line)",
                                 source=src) from None
            cols = [c.strip() for c in next(csv.reader([header]))]
            missing = [c for c in _REQUIRED if c not in cols]
            if missing:
                raise InputError(
                    f"missing column(s) {', '.join(missing)} in the header (a CelesTrak "
                    "SW-All.csv has DATE, ..., AP1..AP8, AP_AVG, ..., F10.7_OBS, ..., "
                    "F10.7_OBS_CENTER81)", source=src, line=hline, field=missing[0],
                    value=header.strip())
            idx = {c: cols.index(c) for c in cols}
            kind_col = idx.get("F10.7_DATA_TYPE")
            days, f107, f107a, apavg, ap3, month = [], [], [], [], [], []
            last_obs = None
            prev = None
            ap_i = [idx[c] for c in _AP_COLS]
            f_i, fa_i, d_i = idx["F10.7_OBS"], idx["F10.7_OBS_CENTER81"], idx["DATE"]
            num_i = [f_i, fa_i] + ap_i
            ncol = len(cols)
            texts, lnos, is_daily = [], [], []
            for lineno, text in lines:
                row = (text.rstrip("\r\n").split(",") if '"' not in text
                       else next(csv.reader([text])))
                if len(row) < ncol:
                    raise InputError(f"{len(row)} fields, the header has {ncol}",
                                     source=src, line=lineno, field=cols[len(row)],
                                     value=text.strip())
                ds = row[d_i].strip()
                try:
                    y, m, d = ds.split("-")
                    mjd = _mjd_of(int(y), int(m), int(d))
                except ValueError:
                    raise InputError(f"column DATE: {ds!r} is not a YYYY-MM-DD date",
                                     source=src, line=lineno, field="DATE",
                                     value=ds) from None
                if prev is not None and mjd <= prev:
                    raise InputError(f"column DATE: {ds} does not follow {_iso_day(prev)} "
                                     "(dates must increase)", source=src, line=lineno,
                                     field="DATE", value=ds)
                kind = row[kind_col].strip().upper() if kind_col is not None else ""
                blank = [i for i in ap_i if not row[i].strip()]
                daily = not (len(blank) == len(ap_i) or kind == "PRM")
                if daily:
                    if month:
                        raise InputError(
                            f"daily row {ds} after monthly predictions (rows without Ap)",
                            source=src, line=lineno, field="DATE", value=ds)
                    if blank:
                        raise InputError(f"column {cols[blank[0]]}: blank Ap in a daily row",
                                         source=src, line=lineno, field=cols[blank[0]],
                                         value="")
                    if days and mjd != days[-1] + 1:
                        raise InputError(
                            f"column DATE: {ds} leaves a gap after {_iso_day(days[-1])} "
                            "(daily rows must be consecutive days)", source=src, line=lineno,
                            field="DATE", value=ds)
                    days.append(mjd)
                    if kind in ("OBS", "INT", ""):
                        last_obs = mjd
                    texts.append([row[i] for i in num_i])
                else:
                    month.append(mjd)
                    texts.append([row[f_i], row[fa_i]] + ["0"] * len(ap_i))
                lnos.append(lineno)
                is_daily.append(daily)
                prev = mjd
        vals = _numbers(texts, lnos, [cols[i] for i in num_i], src)
        is_daily = np.array(is_daily, bool)
        dv, mv = vals[is_daily], vals[~is_daily]
        f107, f107a, apavg, ap3 = dv[:, 0], dv[:, 1], dv[:, 10], dv[:, 2:10]
        month = np.column_stack([np.array(month, float), mv[:, 0], mv[:, 1]]).reshape(-1, 3)
        if not days:
            raise InputError("no daily rows (with Ap) in the space-weather file", source=src)
        if last_obs is None:
            last_obs = days[0] - 1
        return cls(source=src, day_mjd=np.array(days), f107=f107, f107a=f107a,
                   ap_avg=apavg, ap3=ap3, last_observed_mjd=last_obs,
                   month_mjd=month[:, 0], month_f107=month[:, 1], month_f107a=month[:, 2],
                   fallback_f107=fallback_f107, fallback_ap=fallback_ap)

    # ------------------------------------------------------------------ indices
    def indices(self, epoch_utc_mjd, *, warn=True):
        """NRLMSISE-00 indices at UTC epochs (vectorised).

        Parameters
        ----------
        epoch_utc_mjd : array_like or Epoch
            UTC Modified Julian Dates (float days), or a cosmoplan ``Epoch``.

        Returns
        -------
        f107, f107a : ndarray, shape (...)
            Observed F10.7 of the previous UTC day; 81-day centred average of the observed
            F10.7 on the current day (sfu).
        ap : ndarray, shape (..., 7)
            [daily Ap, 3-h ap at t, t-3 h, t-6 h, t-9 h, mean 12..33 h, mean 36..57 h].
        """
        day, sod = _day_sod(epoch_utc_mjd)
        f107, f107a, ap, bad = self._indices(day.ravel(), sod.ravel())
        if warn and bad.any():
            self._warn(day.ravel()[bad], sod.ravel()[bad], bad.size)
        shape = day.shape
        return f107.reshape(shape), f107a.reshape(shape), ap.reshape(shape + (7,))

    def _indices(self, day, sod):
        """Indices at integer UTC days ``day`` and seconds of day ``sod`` (1-D arrays)."""
        day = np.asarray(day, np.int64)
        sod = np.asarray(sod, float)
        f107, b1 = self._flux(day - 1, sod, self._f107, self._node_f107)
        f107a, b2 = self._flux(day, sod, self._f107a, self._node_f107a)
        slot = (day - self.mjd0) * 8 + np.clip((sod // _SLOT_S).astype(np.int64), 0, 7)
        offs = np.arange(0, -20, -1)
        j = slot[:, None] + offs[None, :]
        ok = (j >= 0) & (j < self._ap3.size)
        a3 = np.where(ok, self._ap3[np.clip(j, 0, self._ap3.size - 1)], self.fallback_ap)
        di = day - self.mjd0
        okd = (di >= 0) & (di < self.n_days)
        ap = np.empty((day.size, 7))
        ap[:, 0] = np.where(okd, self._ap_avg[np.clip(di, 0, self.n_days - 1)],
                            self.fallback_ap)
        ap[:, 1:5] = a3[:, 0:4]
        ap[:, 5] = a3[:, 4:12].mean(axis=1)
        ap[:, 6] = a3[:, 12:20].mean(axis=1)
        bad = b1 | b2 | ~ok.all(axis=1) | ~okd
        return f107, f107a, ap, bad

    def _flux(self, day, sod, daily, node_val):
        di = day - self.mjd0
        # Orekit: daily rows up to 00:00 of the last daily day, interpolation after it
        in_daily = (di >= 0) & ((di < self.n_days - 1) | ((di == self.n_days - 1) & (sod <= 0)))
        mjd = day + sod / _DAY_S
        in_month = ~in_daily & (mjd > self.last_daily_mjd) & (mjd <= self.last_mjd)
        out = np.where(in_daily, daily[np.clip(di, 0, self.n_days - 1)], self.fallback_f107)
        if in_month.any():
            out[in_month] = np.interp(mjd[in_month], self._node_mjd, node_val)
        return out, ~(in_daily | in_month)

    def _warn(self, day, sod, n_total, stacklevel=3):
        mjd = day + sod / _DAY_S
        lo, hi = float(mjd.min()), float(mjd.max())
        warnings.warn(
            f"space weather: {day.size} of {n_total} epoch(s) (UTC MJD {lo:.5f}..{hi:.5f}, "
            f"{_iso_day(math.floor(lo))}..{_iso_day(math.floor(hi))}) need indices outside "
            f"{self.span}; the missing ones take the fallback F10.7 = F10.7a = "
            f"{self.fallback_f107:g}, Ap = {self.fallback_ap:g}",
            DataRangeWarning, stacklevel=stacklevel)


def _numbers(texts, lnos, names, src):
    """Float array of the numeric fields; InputError naming the first bad one."""
    if not texts:
        return np.zeros((0, len(names)))
    try:
        vals = np.array(texts, dtype=object).astype(float)
        bad = ~((vals >= 0.0) & np.isfinite(vals))
    except ValueError:
        vals, bad = None, None
    if bad is not None and not bad.any():
        return vals
    for row, lineno in zip(texts, lnos):
        for name, text in zip(names, row):
            try:
                v = float(text)
            except ValueError:
                v = math.nan
            if not (v >= 0.0 and v < math.inf):
                raise InputError(f"column {name}: {text.strip()!r} is not a non-negative "
                                 "number", source=src, line=lineno, field=name,
                                 value=text.strip())
    raise AssertionError("unreachable")  # pragma: no cover


def _index_value(value, name):
    """A finite, non-negative index value (fallback F10.7 or Ap); InputError otherwise."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, bool) or not (math.isfinite(v) and v >= 0.0):
        raise InputError(f"{name} must be a finite number >= 0, got {value!r}", field=name,
                         value=value)
    return v


def _space_weather(space_weather):
    """``space_weather`` or the bundled table; InputError for anything but a SpaceWeather."""
    if space_weather is None:
        return SpaceWeather.default()
    if not isinstance(space_weather, SpaceWeather):
        raise InputError(f"space_weather must be a SpaceWeather (SpaceWeather.from_csv(path)), "
                         f"got {space_weather!r}", field="space_weather", value=space_weather)
    return space_weather


def _numbered(fh):
    for k, line in enumerate(fh, start=1):
        s = line.strip()
        if s and not s.startswith("#"):
            yield k, line


@functools.lru_cache(maxsize=1)
def _default_space_weather():
    from importlib.resources import files

    res = files("cosmoplan") / "data" / "space_weather.csv"
    return SpaceWeather.from_csv(Path(str(res)))


_DEG = 180.0 / math.pi
_E2 = _WGS84_F * (2.0 - _WGS84_F)
_GEO_ITER = 5


def _geodetic1(x, y, z):
    """WGS-84 geodetic (lat rad, lon rad, height km) of one ITRF point (fixed point, 5 passes).

    Agrees with ERFA ``gc2gde`` to < 1e-12 rad up to 1000 km of height and < 3e-11 rad
    (1 mm) to 50,000 km, heights to < 1e-10 km (tests/test_nrlmsise.py); poles handled.
    """
    a = _WGS84_A_KM
    p = math.hypot(x, y)
    lon = math.atan2(y, x)
    if p < 1e-9:
        b = a * (1.0 - _WGS84_F)
        return math.copysign(math.pi / 2, z), lon, abs(z) - b
    lat = math.atan2(z, p * (1.0 - _E2))
    for _ in range(_GEO_ITER):
        s = math.sin(lat)
        n = a / math.sqrt(1.0 - _E2 * s * s)
        lat = math.atan2(z + _E2 * n * s, p)
    s, c = math.sin(lat), math.cos(lat)
    n = a / math.sqrt(1.0 - _E2 * s * s)
    h = p / c - n if c > 0.5 else z / s - n * (1.0 - _E2)
    return lat, lon, h


def _day_sod(epoch):
    """Integer UTC MJD day and seconds of that day, from an Epoch or UTC MJD floats."""
    from ..time import Epoch

    if isinstance(epoch, Epoch):
        e = epoch.utc
        a = np.asarray(e.jd1, float) - 2400000.5
        b = np.asarray(e.jd2, float)
        day = np.floor(a + b)
        frac = (a - day) + b
    else:
        try:
            m = np.asarray(epoch, float)
        except (TypeError, ValueError):
            raise InputError(f"epoch must be a cosmoplan Epoch or UTC MJD numbers, got "
                             f"{epoch!r}", field="epoch", value=epoch) from None
        if not np.all(np.isfinite(m)):
            raise InputError("epoch UTC MJD must be finite", field="epoch", value=epoch)
        day = np.floor(m)
        frac = m - day
    sod = frac * _DAY_S
    # snap to the next day / slot within 1 microsecond of a boundary (float MJD rounding)
    sod = np.where(sod > _DAY_S - 1e-6, sod - _DAY_S, sod)
    day = np.where(sod < 0, day + 1, day)
    sod = np.maximum(sod, 0.0)
    near = np.round(sod / _SLOT_S) * _SLOT_S
    sod = np.where(np.abs(sod - near) < 1e-6, near, sod)
    return day.astype(np.int64), sod


def _check_scale(time_scale):
    ts = str(time_scale).lower()
    if ts not in ("ut1", "utc"):
        raise InputError(f"time_scale must be 'ut1' or 'utc', got {time_scale!r}",
                         field="time_scale", value=time_scale)
    return ts


def _dut1(day, sod):
    """UT1-UTC (s) at UTC day/seconds from cosmoplan's EOP table (held outside it)."""
    from ..eop import default_eop

    with warnings.catch_warnings():
        # outside the EOP table UT1-UTC is held (cosmoplan.eop's fallback): it only moves
        # the model's day boundary by < 1 s, so no warning here
        warnings.simplefilter("ignore", DataRangeWarning)
        return default_eop().ut1_minus_utc(2400000.5 + np.asarray(day, float),
                                           np.asarray(sod, float) / _DAY_S)


def _model_time(day, sod, time_scale):
    """Day (MJD) and seconds of day in the model's time scale, from UTC day/seconds."""
    if time_scale == "utc":
        return day, sod
    msod = sod + _dut1(day, sod)
    shift = np.floor(msod / _DAY_S).astype(np.int64)
    return day + shift, msod - shift * _DAY_S


# ---------------------------------------------------------------------- pymsis bridge


def _options(storm_ap):
    from pymsis.msis import create_options

    return create_options(geomagnetic_activity=-1 if storm_ap else 1)


def _msis00_raw():
    """pymsis' compiled NRLMSISE-00 and its lock, or None if this pymsis lacks them."""
    try:
        from pymsis import msis as _msis
        from pymsis import msis00f
    except ImportError as exc:  # pragma: no cover
        raise ImportError("cosmoplan's NRLMSISE-00 needs the 'pymsis' package "
                          "(pip install pymsis)") from exc
    needed = ("_lock", "_MSIS_PARAMETER_PATH")
    if all(hasattr(_msis, n) for n in needed) and hasattr(msis00f, "pymsiscalc"):
        return msis00f, _msis._lock, _msis._MSIS_PARAMETER_PATH
    return None


def _msis00(day, sod, lon_deg, lat_deg, alt_km, f107, f107a, ap, storm_ap=False):
    """Total mass density (kg/m^3) from NRLMSISE-00 (pymsis version 0), 1-D inputs.

    ``day``: integer MJDs, ``sod``: seconds of that day (model time). pymsis' compiled
    ``msis00f.pymsiscalc`` (GTD7D) is called directly with single-precision inputs, as
    ``pymsis.calculate`` does, under pymsis' own lock and switch cache; a pymsis without
    those internals is served by ``pymsis.calculate(..., version=0)`` with explicit
    indices (whole seconds of day there).
    """
    n = len(day)
    opts = _options(storm_ap)
    inp = np.empty((n, 14), dtype=np.float32, order="F")
    inp[:, 0] = _doy(day)
    inp[:, 1] = sod
    inp[:, 2] = lon_deg
    inp[:, 3] = lat_deg
    inp[:, 4] = alt_km
    inp[:, 5] = f107
    inp[:, 6] = f107a
    inp[:, 7:] = ap
    if not np.all(np.isfinite(inp)):
        raise InputError("NRLMSISE-00 inputs must be finite (position, epoch)",
                         field="position", value=inp[~np.all(np.isfinite(inp), axis=1)][:1])
    raw = _msis00_raw()
    if raw is None:  # pragma: no cover - a pymsis without the internals used here
        import pymsis

        dates = ((np.asarray(day, np.int64) - _MJD_UNIX).astype("datetime64[D]")
                 + np.asarray(np.round(np.asarray(sod) * 1e6), "timedelta64[us]"))
        out = pymsis.calculate(dates, inp[:, 2], inp[:, 3], inp[:, 4], inp[:, 5],
                               inp[:, 6], inp[:, 7:], version=0, options=opts)
        return np.asarray(out)[..., 0].astype(float).reshape(n)
    lib, lock, parm = raw
    with lock:
        if lib._last_used_options != opts:
            lib.pyinitswitch(opts, parmpath=parm)
            lib._last_used_options = opts
        out = lib.pymsiscalc(inp[:, 0], inp[:, 1], inp[:, 2], inp[:, 3], inp[:, 4],
                             inp[:, 5], inp[:, 6], inp[:, 7:])
    return out[:, 0].astype(float)


def density(epoch, lat_rad, lon_rad, alt_km, space_weather=None, *, storm_ap=False,
            time_scale="ut1"):
    """NRLMSISE-00 total mass density, kg/m^3 (vectorised; arrays broadcast).

    Parameters
    ----------
    epoch : Epoch or array_like
        cosmoplan ``Epoch`` (any scale; converted to UTC) or UTC MJD floats.
    lat_rad, lon_rad : array_like
        Geodetic latitude and east longitude, WGS-84, radians.
    alt_km : array_like
        Height above the WGS-84 ellipsoid, km (the model covers 0..1000 km and above).
    space_weather : SpaceWeather, optional
        Indices source (default: :meth:`SpaceWeather.default`).
    storm_ap : bool
        Use the 7-element Ap history (model switch 9 = -1) instead of the daily Ap.
    time_scale : {'ut1', 'utc'}
        Scale of the model's day of year and seconds of day ("UT" in the model): UT1 as
        Orekit's ``NRLMSISE00`` by default (UT1-UTC from cosmoplan's EOP table), or UTC.
        The indices always follow UTC days. The choice changes densities by < 1e-5
        except within |UT1-UTC| (< 0.9 s) of 00:00 UTC, where the day of year differs
        (up to ~0.5 %).

    Returns
    -------
    ndarray
        Density including anomalous oxygen (GTD7D), kg/m^3, in the broadcast shape.
    """
    sw = _space_weather(space_weather)
    ts = _check_scale(time_scale)
    day, sod = _day_sod(epoch)
    try:
        coords = [np.asarray(x, float) for x in (lat_rad, lon_rad, alt_km)]
        day, sod, lat, lon, alt = np.broadcast_arrays(day, sod, *coords)
    except (TypeError, ValueError) as exc:
        raise InputError(f"lat_rad, lon_rad, alt_km must be numbers (broadcastable with the "
                         f"epochs): {exc}", field="position",
                         value=(lat_rad, lon_rad, alt_km)) from None
    shape = day.shape
    d, s = day.ravel(), sod.ravel()
    f107, f107a, ap, bad = sw._indices(d, s)
    if bad.any():
        sw._warn(d[bad], s[bad], bad.size)
    if d.size == 0:
        return np.zeros(shape)
    md, ms = _model_time(d, s, ts)
    rho = _msis00(md, ms, np.degrees(lon.ravel()), np.degrees(lat.ravel()), alt.ravel(),
                  f107, f107a, ap, storm_ap)
    return rho.reshape(shape)


class DensityProvider:
    """Density callable for a propagator's right-hand side: ``rho = provider(t_s, r_itrf)``.

    Parameters
    ----------
    epoch0 : Epoch or float
        Reference epoch (a scalar cosmoplan ``Epoch`` or a UTC MJD); ``t_s`` counts SI
        seconds from it. A leap second inside the run shifts the UTC slot boundaries by
        at most 1 s (ignored).
    space_weather : SpaceWeather, optional
        Default: :meth:`SpaceWeather.default`.
    storm_ap, time_scale : bool, str
        As in :func:`density` (UT1-UTC is taken once per 3-hour slot).

    Call
    ----
    ``provider(t_s, r_itrf_km)``: ``t_s`` a float (or an (N,) array), ``r_itrf_km`` of
    shape (3,) or (N, 3), ITRF km; returns ``rho`` of shape (N,) in kg/m^3 (shape () for a
    single (3,) position). Geodetic coordinates (WGS-84): a 5-pass fixed point for one
    position, ERFA ``gc2gde`` for several. The indices (and UT1-UTC) are cached per
    3-hour UTC slot, so a day of LEO propagation (~10^4 calls) computes them ~8 times (in
    the monthly-prediction region the interpolated F10.7 is thus sampled per slot); the
    fallback warning is given once per provider. The density is discontinuous where the
    indices change: at 00:00 UTC (F10.7, F10.7a, daily Ap) and, with ``storm_ap``, every
    3 h; an integrator should stop there (:meth:`discontinuities`).
    """

    def __init__(self, epoch0, space_weather=None, *, storm_ap=False, time_scale="ut1"):
        from ..time import Epoch

        if isinstance(epoch0, Epoch) and epoch0.ndim != 0:
            raise InputError("DensityProvider needs one (scalar) epoch0", field="epoch0",
                             value=epoch0)
        day, sod = _day_sod(epoch0)
        self.day0 = int(np.ravel(day)[0])
        self.sod0 = float(np.ravel(sod)[0])
        self.space_weather = _space_weather(space_weather)
        self.storm_ap = bool(storm_ap)
        self.time_scale = _check_scale(time_scale)
        self._cache = {}
        self._warned = False
        self._opts = _options(self.storm_ap)
        raw = _msis00_raw()
        self._lib, self._lock, self._parm = raw if raw is not None else (None, None, None)
        buf = np.empty((1, 14), dtype=np.float32, order="F")
        self._cols = [buf[:, k] for k in range(7)] + [buf[:, 7:]]

    def _slot(self, key, day, sod):
        """(doy, f107, f107a, ap[7], dut1, doy of the day before, doy of the day after)
        of the 3-h UTC slot ``key``, computed once."""
        hit = self._cache.get(key)
        if hit is None:
            sw = self.space_weather
            f107, f107a, ap, bad = sw._indices(np.array([day]), np.array([sod]))
            if bad[0] and not self._warned:
                self._warned = True
                sw._warn(np.array([day]), np.array([sod]), 1, stacklevel=4)
            dut1 = float(_dut1(day, sod)) if self.time_scale == "ut1" else 0.0
            doys = _doy(np.array([day - 1, day, day + 1]))
            hit = (float(doys[1]), float(f107[0]), float(f107a[0]), ap[0].astype(np.float32),
                   dut1, float(doys[0]), float(doys[2]))
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def __call__(self, t_s, r_itrf_km):
        r = np.asarray(r_itrf_km, dtype=float)
        if r.size == 3 and r.ndim <= 2 and self._lib is not None:  # _one checks t and r
            t = t_s if type(t_s) is float else (
                float(np.ravel(t_s)[0]) if np.size(t_s) == 1 else None)
            if t is not None:
                rho = self._one(t, r.ravel())
                return rho if r.ndim == 1 else np.array([rho])
        import erfa

        r2 = r.reshape(-1, 3)
        n = r2.shape[0]
        t = np.broadcast_to(np.asarray(t_s, dtype=float), (n,))
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(r2))):
            raise InputError(f"NRLMSISE-00 density at a non-finite time or position (t_s = "
                             f"{t_s!r}, r = {r_itrf_km!r})", field="position", value=r_itrf_km)
        lon, lat, h = erfa.gc2gde(_WGS84_A_KM, _WGS84_F, r2)
        sec = self.sod0 + t
        dd = np.floor(sec / _DAY_S)
        sod = sec - dd * _DAY_S
        day = self.day0 + dd.astype(np.int64)
        keys = day * 8 + np.minimum(sod // _SLOT_S, 7).astype(np.int64)
        uk, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        rows = [self._slot(int(k), int(day[i]), float(sod[i])) for k, i in zip(uk, first)]
        f107 = np.array([x[1] for x in rows])[inv]
        f107a = np.array([x[2] for x in rows])[inv]
        ap = np.array([x[3] for x in rows])[inv]
        if self.time_scale == "ut1":
            msod = sod + np.array([x[4] for x in rows])[inv]
            shift = np.floor(msod / _DAY_S).astype(np.int64)
            md, ms = day + shift, msod - shift * _DAY_S
        else:
            md, ms = day, sod
        rho = _msis00(md, ms, np.degrees(lon), np.degrees(lat), h, f107, f107a, ap,
                      self.storm_ap)
        return rho.reshape(r.shape[:-1]) if r.ndim == 1 else rho

    def discontinuities(self, t0_s, t1_s):
        """Times (s from epoch0, sorted, inside (t0_s, t1_s)) where the density jumps.

        00:00 UTC of each day (F10.7, F10.7a, daily Ap change), the UT1 midnight next to it
        when ``time_scale='ut1'`` (the day of year changes there) and, with ``storm_ap``,
        every 3-hour UTC slot boundary.
        """
        lo, hi = sorted((float(t0_s), float(t1_s)))
        step = _SLOT_S if self.storm_ap else _DAY_S
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise InputError(f"span must be finite, got {t0_s!r} .. {t1_s!r}", field="span",
                             value=(t0_s, t1_s))
        if (hi - lo) / step > MAX_DISCONTINUITIES:
            raise InputError(
                f"a span of {hi - lo:.4g} s holds ~{(hi - lo) / step:.3g} index changes, more "
                f"than {MAX_DISCONTINUITIES}: split it (NRLMSISE-00 propagations stop at each "
                "one)", field="span", value=(t0_s, t1_s))
        k0 = math.floor((self.sod0 + lo) / step)
        k1 = math.floor((self.sod0 + hi) / step) + 1
        out = []
        for k in range(k0, k1 + 1):
            t = k * step - self.sod0
            out.append(t)
            if self.time_scale == "ut1" and (k * step) % _DAY_S == 0:
                day = self.day0 + int(k * step // _DAY_S)
                out.append(t - float(_dut1(day, 0.0)))
        return [t for t in sorted(set(out)) if lo < t < hi]

    def _one(self, t, r):
        """Fast path for one position: no array allocation except pymsis' output."""
        if not math.isfinite(t):
            raise InputError(f"NRLMSISE-00 density at a non-finite time t_s = {t!r}",
                             field="t_s", value=t)
        sec = self.sod0 + t
        dd = math.floor(sec / _DAY_S)
        sod = sec - dd * _DAY_S
        day = self.day0 + dd
        slot = int(sod // _SLOT_S)
        key = day * 8 + (slot if slot < 8 else 7)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._slot(key, day, sod)
        lat, lon, h = _geodetic1(float(r[0]), float(r[1]), float(r[2]))
        if not math.isfinite(h):
            raise InputError(f"NRLMSISE-00 density at a non-finite position r = {r!r}",
                             field="position", value=r)
        msod = sod + hit[4]
        doy = hit[0]
        if msod < 0.0:
            msod += _DAY_S
            doy = hit[5]
        elif msod >= _DAY_S:
            msod -= _DAY_S
            doy = hit[6]
        c = self._cols
        c[0][0] = doy
        c[1][0] = msod
        c[2][0] = lon * _DEG
        c[3][0] = lat * _DEG
        c[4][0] = h
        c[5][0] = hit[1]
        c[6][0] = hit[2]
        c[7][:] = hit[3]
        lib = self._lib
        with self._lock:
            if lib._last_used_options != self._opts:
                lib.pyinitswitch(self._opts, parmpath=self._parm)
                lib._last_used_options = self._opts
            out = lib.pymsiscalc(*c)
        return float(out[0, 0])

