"""Earth-orientation parameters (EOP): UT1-UTC, polar motion and celestial-pole offsets.

The default table is the IERS Rapid Service ``finals2000A.all`` (IAU 2000A nutation
basis: dX, dY with respect to IAU 2006/2000A) shipped offline by the PyPI package
``astropy-iers-data``; it is read with astropy's IERS-A reader, which takes Bulletin B
values where they exist and Bulletin A (including about one year of predictions)
elsewhere. Nothing is downloaded. A user may load another ``finals2000A``-format file
with :meth:`EarthOrientation.from_finals2000a` and install it with :func:`set_default_eop`.

Interpolation is linear in MJD between the daily rows. UT1-UTC is interpolated as
UT1-TAI, which is continuous across leap seconds. Linear interpolation of daily values
costs less than 0.05 ms in UT1 (about 2 cm at the equator) and under 0.1 mas in polar
motion; IERS Conventions 2010 §5.5.1 describes the sub-daily tidal terms left out here
(up to about 0.1 ms / 1 mas, a few cm).

Outside the table (documented fallback, with a :class:`~cosmoplan.errors.DataRangeWarning`,
never an exception): UT1-UTC is held at the nearest tabulated value; polar motion and
dX, dY are set to zero. Beyond the end of the predictions UT1-UTC drifts by up to about
1 s per year, so Earth-fixed positions degrade by up to about 0.5 km per year at the
equator; inertial (GCRF) dynamics are unaffected.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import erfa
import numpy as np

from .constants import ARCSEC, MJD_ZERO_JD
from .errors import DataRangeWarning, InputError

__all__ = ["EarthOrientation", "EOPValues", "default_eop", "set_default_eop"]


@dataclass(frozen=True)
class EOPValues:
    """EOP at some epochs (arrays shaped like the epochs).

    Attributes
    ----------
    ut1_utc : ndarray
        UT1-UTC, s.
    xp, yp : ndarray
        Polar motion, rad.
    dx, dy : ndarray
        Celestial pole offsets dX, dY relative to IAU 2006/2000A, rad.
    in_table : ndarray of bool
        False where the documented out-of-table fallback was used.
    """

    ut1_utc: np.ndarray
    xp: np.ndarray
    yp: np.ndarray
    dx: np.ndarray
    dy: np.ndarray
    in_table: np.ndarray


def _tai_minus_utc(mjd_utc):
    """TAI-UTC (s) at UTC MJD(s), from ERFA's leap-second table."""
    from .time import _ensure_leap_seconds

    _ensure_leap_seconds()
    mjd_utc = np.asarray(mjd_utc, dtype=float)
    day = np.floor(mjd_utc)
    iy, im, iday, _ = erfa.jd2cal(MJD_ZERO_JD, day)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", erfa.ErfaWarning)
        return erfa.dat(iy, im, iday, mjd_utc - day)


class EarthOrientation:
    """A table of daily Earth-orientation parameters with linear interpolation.

    Parameters
    ----------
    mjd : array_like, shape (N,)
        UTC MJD of each row (strictly increasing).
    ut1_utc : array_like, shape (N,)
        UT1-UTC, s.
    xp, yp : array_like, shape (N,)
        Polar motion, arcsec.
    dx, dy : array_like, shape (N,)
        Celestial pole offsets (IAU 2000A basis), milliarcsec. NaN is read as 0.
    source : str
        Where the table came from (file name), shown in warnings.
    """

    def __init__(self, mjd, ut1_utc, xp, yp, dx, dy, source="<table>"):
        self.mjd = np.asarray(mjd, dtype=float)
        if self.mjd.ndim != 1 or self.mjd.size < 2 or np.any(np.diff(self.mjd) <= 0):
            raise InputError(
                "EOP rows must have strictly increasing MJDs (at least two rows)",
                source=source,
                field="MJD",
            )
        ut1_utc = np.asarray(ut1_utc, dtype=float)
        good = np.isfinite(ut1_utc)
        self.mjd = self.mjd[good]
        # UT1-TAI is continuous through leap seconds: interpolate it, not UT1-UTC.
        self.ut1_tai = ut1_utc[good] - _tai_minus_utc(self.mjd)
        self.xp = np.nan_to_num(np.asarray(xp, dtype=float)[good]) * ARCSEC
        self.yp = np.nan_to_num(np.asarray(yp, dtype=float)[good]) * ARCSEC
        self.dx = np.nan_to_num(np.asarray(dx, dtype=float)[good]) * ARCSEC / 1000.0
        self.dy = np.nan_to_num(np.asarray(dy, dtype=float)[good]) * ARCSEC / 1000.0
        self.source = source

    @classmethod
    def from_finals2000a(cls, path=None):
        """Read an IERS ``finals2000A.all``-format file (default: astropy-iers-data's copy).

        Raises :class:`InputError` naming the file if it cannot be read.
        """
        from astropy.utils import iers

        if path is None:
            from astropy_iers_data import IERS_A_FILE

            path = IERS_A_FILE
        try:
            table = iers.IERS_A.open(str(path))
        except Exception as exc:
            raise InputError(
                f"cannot read as an IERS finals2000A table: {exc}", source=str(path)
            ) from None
        return cls(
            np.asarray(table["MJD"], dtype=float),
            np.asarray(table["UT1_UTC"], dtype=float),
            np.asarray(table["PM_x"], dtype=float),
            np.asarray(table["PM_y"], dtype=float),
            np.asarray(table["dX_2000A"], dtype=float),
            np.asarray(table["dY_2000A"], dtype=float),
            source=str(path),
        )

    @property
    def span_mjd(self):
        """(first, last) UTC MJD of the table."""
        return float(self.mjd[0]), float(self.mjd[-1])

    def _interp(self, mjd_utc):
        mjd_utc = np.asarray(mjd_utc, dtype=float)
        lo, hi = self.span_mjd
        inside = (mjd_utc >= lo) & (mjd_utc <= hi)
        if not np.all(inside):
            bad = np.asarray(mjd_utc)[~inside]
            warnings.warn(
                f"{bad.size} epoch(s) outside the EOP table {self.source} "
                f"(MJD {lo:.0f}..{hi:.0f}, first outside MJD {bad.ravel()[0]:.2f}): "
                "UT1-UTC held at the nearest tabulated value, polar motion and dX/dY set to 0",
                DataRangeWarning,
                stacklevel=4,
            )
        ut1_tai = np.interp(mjd_utc, self.mjd, self.ut1_tai)
        vals = [np.interp(mjd_utc, self.mjd, a) for a in (self.xp, self.yp, self.dx, self.dy)]
        vals = [np.where(inside, v, 0.0) for v in vals]
        return inside, ut1_tai, vals

    def ut1_minus_utc(self, jd1_utc, jd2_utc=0.0):
        """UT1-UTC (s) at UTC two-part JD(s); out-of-table epochs use the fallback."""
        mjd = (np.asarray(jd1_utc, dtype=float) - MJD_ZERO_JD) + np.asarray(jd2_utc, dtype=float)
        inside, ut1_tai, _ = self._interp(mjd)
        lo, hi = self.span_mjd
        clamped = np.clip(mjd, lo, hi)
        # Outside: hold UT1-UTC at the edge value (not UT1-TAI, so a later leap second
        # in ERFA's table would not add a 1 s jump).
        edge = np.interp(clamped, self.mjd, self.ut1_tai) + _tai_minus_utc(clamped)
        return np.where(inside, ut1_tai + _tai_minus_utc(mjd), edge)

    def at(self, epoch):
        """All EOP at an :class:`~cosmoplan.time.Epoch` (any scale), as :class:`EOPValues`."""
        utc = epoch.utc
        mjd = (utc.jd1 - MJD_ZERO_JD) + utc.jd2
        inside, _, (xp, yp, dx, dy) = self._interp(mjd)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataRangeWarning)
            dut1 = self.ut1_minus_utc(utc.jd1, utc.jd2)
        return EOPValues(dut1, xp, yp, dx, dy, inside)


_DEFAULT = None


def default_eop():
    """The process-wide default EOP table (astropy-iers-data's finals2000A.all, read once)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = EarthOrientation.from_finals2000a()
    return _DEFAULT


def set_default_eop(table):
    """Install ``table`` (an :class:`EarthOrientation`) as the default; returns the old one."""
    global _DEFAULT
    if not isinstance(table, EarthOrientation):
        raise InputError("set_default_eop expects an EarthOrientation", value=table)
    old, _DEFAULT = _DEFAULT, table
    return old
