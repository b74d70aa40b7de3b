"""Bridges from CCSDS OMM and OPM messages to the rest of cosmoplan.

OMM <-> SGP4 (CCSDS 502.0-B-3 §4)
---------------------------------
An OMM whose MEAN_ELEMENT_THEORY is ``SGP4`` (or ``SGP/SGP4``, the spelling of the
standard's own example) carries the content of a two-line element set with more room:
a nine-digit NORAD_CAT_ID, any number of decimals, a calendar EPOCH. CelesTrak and
Space-Track distribute their GP data this way (CelesTrak, "A New Way to Obtain GP Data",
2020): MEAN_MOTION in rev/day, MEAN_MOTION_DOT and MEAN_MOTION_DDOT are *the values of
the TLE fields* (line 1 columns 34-43 and 45-52, i.e. what Spacetrack Report #3 calls
ndot/2 and nddot/6), BSTAR in 1/earth radii, REF_FRAME TEME, TIME_SYSTEM UTC.

* :func:`omm_to_satrec` builds the python-sgp4 ``Satrec`` (the object
  :attr:`cosmoplan.tle.TLE.satrec` gives for a TLE) with ``Satrec.sgp4init`` from the
  OMM's values, WGS-72 constants and the improved operation mode ``'i'``, exactly as
  ``Satrec.twoline2rv`` does from the lines of a TLE (Vallado, Crawford, Hujsak & Kelso
  2006, "Revisiting Spacetrack Report #3", AIAA 2006-6753): the same unit conversions
  (``n / (1440 / 2 pi)`` rad/min, degrees times ``pi / 180``), and the epoch as the whole
  Julian day plus the exact decimal day fraction. An OMM made from a TLE therefore gives
  bit-identical SGP4 states (``tests/test_ccsds_bridges.py`` checks the Tianhe sets and a
  sample of the 2021-12-07 CelesTrak catalog, deep-space sets included; 373 sets
  measured, all bit-identical).
* :func:`omm_propagate` (``OMM.propagate``) returns a :class:`~cosmoplan.trajectory.Trajectory`
  with the semantics of :meth:`cosmoplan.tle.TLE.propagate`: time since epoch in SI
  seconds, SGP4 error codes and implausible states raised as
  :class:`~cosmoplan.errors.PropagationError`, a :class:`~cosmoplan.errors.StaleDataWarning`
  beyond ``max_age_days``. It works for every catalog number: python-sgp4 refuses
  numbers above 339999 (Alpha-5 ``Z9999``) in ``sgp4init``, so such an OMM's ``Satrec``
  gets ``satnum`` 0 (the number plays no part in SGP4's arithmetic) and the trajectory
  and messages keep the OMM's NORAD_CAT_ID.
* :func:`omm_to_tle` (``OMM.to_tle``) writes a :class:`~cosmoplan.tle.TLE`: every value is
  rounded to its TLE columns (epoch to 1e-8 day = 0.864 ms, angles to 1e-4 deg,
  eccentricity to 1e-7, mean motion to 1e-8 rev/day), so its propagation equals the OMM's
  only when the OMM came from a TLE. It raises :class:`~cosmoplan.errors.InputError` for a
  catalog number above 339999 (no TLE can hold it) or a value outside the TLE's columns.
* :func:`omm_from_tle` (``OMM.from_tle``) writes an OMM v3.0 of a TLE. TLE -> OMM -> TLE
  gives back the same two lines, except that the spelling ``00000+0`` of a zero
  exponent comes back as ``00000-0`` (the OMM holds the value 0, not its spelling).

:func:`check_sgp4_omm` states what an SGP4 OMM must satisfy; every failure is an
:class:`~cosmoplan.errors.InputError` naming the keyword. SGP4-XP (EPHEMERIS_TYPE 4,
BTERM/AGOM) is a different theory, which python-sgp4 does not implement: refused.

OPM -> state and burns (CCSDS 502.0-B-3 §3)
-------------------------------------------
:func:`opm_state` (``OPM.state``) gives the state vector (502.0-B-3 §3.2.4, table 3-3) as
an :class:`OPMState`: epoch (a :class:`~cosmoplan.ccsds._dates.CcsdsEpoch`, an
:class:`~cosmoplan.time.Epoch` that keeps the OPM's TIME_SYSTEM), ``r`` (3,) km and ``v``
(3,) km/s, in REF_FRAME about CENTER_NAME, or converted to any frame of
:mod:`cosmoplan.frames` for an Earth-centred state in a frame the frame tree knows
(:data:`OPM_FRAMES`). :func:`opm_keplerian_state` turns the optional osculating Keplerian
elements into a Cartesian state with the OPM's GM (consistency checks).

:func:`opm_burns` (``OPM.burns``) lists the maneuvers (502.0-B-3 §3.2.4.7-8) as
:class:`OPMBurn` objects (ignition epoch, duration, delta-mass, frame, delta-v) that
convert to the project's :class:`~cosmoplan.propagator.ImpulsiveManeuver`.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import warnings
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

from ..errors import InputError, StaleDataWarning
from ..time import Epoch
from ._dates import CcsdsEpoch, parse_date

__all__ = [
    "SGP4_THEORIES",
    "OPM_FRAMES",
    "check_sgp4_omm",
    "omm_to_satrec",
    "omm_propagate",
    "omm_to_tle",
    "omm_from_tle",
    "OPMState",
    "OPMBurn",
    "opm_state",
    "opm_keplerian_state",
    "opm_burns",
]

SGP4_THEORIES = ("SGP4", "SGP/SGP4")
"""MEAN_ELEMENT_THEORY values accepted as SGP4 (502.0-B-3 §4.2.4 and its example 4-1)."""

_MAX_TLE_SATNUM = 339999  # Alpha-5 'Z9999': python-sgp4's and the TLE's limit
_XPDOTP = 1440.0 / (2.0 * math.pi)  # rev/day -> rad/min divisor, as in SGP4.cpp twoline2rv
_DEG2RAD = math.pi / 180.0  # as SGP4.cpp's deg2rad
_JD_1949_12_31 = 2433281.5  # sgp4init's epoch counts days from 1949 December 31 0h UTC
_ORDINAL_TO_JD = 1721424.5
_DATE_RE = re.compile(
    r"(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))T(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)Z?", re.ASCII)
_COSPAR_RE = re.compile(r"(\d{4})-(\d{3})([A-Z]{1,3})", re.ASCII)
_TLE_INTL_RE = re.compile(r"(\d{2})(\d{3})([A-Z]{1,3})", re.ASCII)


# ============================================================================ OMM -> SGP4
def _kw_error(keyword, message, value=None):
    return InputError(f"{keyword}: {message}", field=keyword, value=value)


def _omm_parts(omm):
    from .omm import OMM

    if not isinstance(omm, OMM):
        raise InputError(f"expected an OMM, got {type(omm).__name__}", field="omm",
                         value=type(omm).__name__)
    md, data = omm.metadata, omm.data
    if data is None or data.mean_elements is None:
        raise _kw_error("EPOCH", "the OMM has no mean elements (502.0-B-3 table 4-3)")
    return md, data.mean_elements, data.tle_parameters


def check_sgp4_omm(omm):
    """Check that ``omm`` can be propagated with SGP4; return None or raise.

    Rules (CCSDS 502.0-B-3 §4.2.4 and table 4-3; CelesTrak/Space-Track GP practice):
    MEAN_ELEMENT_THEORY ``SGP4`` or ``SGP/SGP4``; CENTER_NAME ``EARTH``; REF_FRAME ``TEME``;
    TIME_SYSTEM ``UTC``; MEAN_MOTION given (not SEMI_MAJOR_AXIS); 0 <= ECCENTRICITY < 1,
    MEAN_MOTION > 0, 0 <= INCLINATION <= 180 deg; the TLE-related parameters present with
    BSTAR, MEAN_MOTION_DOT and MEAN_MOTION_DDOT (BTERM and AGOM belong to SGP4-XP);
    EPHEMERIS_TYPE, when given, not 4 (SGP4-XP) or 6 (special perturbations).

    Raises
    ------
    InputError
        The first rule broken; ``field`` is the keyword (e.g. ``'REF_FRAME'``).
    """
    md, me, tp = _omm_parts(omm)
    theory = (md.mean_element_theory or "").strip().upper()
    if theory not in SGP4_THEORIES:
        why = ("SGP4-XP is a different theory (BTERM, AGOM) that python-sgp4 does not "
               "implement" if theory == "SGP4-XP" else "only SGP4 mean elements are "
               "propagated by cosmoplan")
        raise _kw_error("MEAN_ELEMENT_THEORY", f"{md.mean_element_theory!r} is not SGP4 "
                        f"(accepted: {', '.join(SGP4_THEORIES)}); {why}",
                        md.mean_element_theory)
    for kw, value, want in (("CENTER_NAME", md.center_name, "EARTH"),
                            ("REF_FRAME", md.ref_frame, "TEME"),
                            ("TIME_SYSTEM", md.time_system, "UTC")):
        if (value or "").strip().upper() != want:
            raise _kw_error(kw, f"{value!r}; SGP4 mean elements are about the EARTH in TEME "
                            "with UTC epochs (Vallado et al. 2006 App. C; 502.0-B-3 §4.2.4), "
                            f"so {kw} must be {want}", value)
    if me.mean_motion is None:
        raise _kw_error("MEAN_MOTION", "missing: SGP4 OMMs give MEAN_MOTION in rev/day "
                        "(the Kozai mean motion of the TLE), not SEMI_MAJOR_AXIS",
                        me.semi_major_axis)
    if not isinstance(me.epoch, CcsdsEpoch):
        raise _kw_error("EPOCH", f"{me.epoch!r} is not a UTC date", me.epoch)
    checks = (("MEAN_MOTION", me.mean_motion, lambda x: x > 0.0, "> 0 rev/day"),
              ("ECCENTRICITY", me.eccentricity, lambda x: 0.0 <= x < 1.0,
               "0 <= e < 1 (SGP4 handles closed orbits only)"),
              ("INCLINATION", me.inclination, lambda x: 0.0 <= x <= 180.0, "0..180 deg"))
    for kw, value, ok, want in checks:
        if value is None or not ok(value):
            raise _kw_error(kw, f"{value!r}; expected {want}", value)
    if tp is None:
        raise _kw_error("BSTAR", "the OMM has no TLE-related parameters (BSTAR, "
                        "MEAN_MOTION_DOT, MEAN_MOTION_DDOT), which SGP4 needs (502.0-B-3 "
                        "table 4-3)")
    if tp.bterm is not None or tp.agom is not None:
        kw = "BTERM" if tp.bterm is not None else "AGOM"
        raise _kw_error(kw, "belongs to SGP4-XP, not SGP4; give BSTAR and MEAN_MOTION_DDOT",
                        getattr(tp, kw.lower()))
    for kw in ("BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"):
        if getattr(tp, kw.lower()) is None:
            raise _kw_error(kw, "missing; SGP4 OMMs need BSTAR, MEAN_MOTION_DOT and "
                            "MEAN_MOTION_DDOT (502.0-B-3 table 4-3)")
    if tp.ephemeris_type in (4, 6):
        raise _kw_error("EPHEMERIS_TYPE", f"{tp.ephemeris_type} means "
                        f"{'SGP4-XP' if tp.ephemeris_type == 4 else 'special perturbations'}"
                        ", not SGP4", tp.ephemeris_type)
    if tp.norad_cat_id is not None and tp.norad_cat_id < 0:
        raise _kw_error("NORAD_CAT_ID", f"{tp.norad_cat_id} is negative", tp.norad_cat_id)


def _epoch_parts(epoch):
    """(y, day of year, JD of 0h, exact day fraction) of a UTC CcsdsEpoch's text."""
    m = _DATE_RE.fullmatch(str(epoch.text))
    if m is None:  # pragma: no cover - the reader checked the syntax
        raise _kw_error("EPOCH", f"{epoch.text!r} is not a CCSDS date", epoch.text)
    y = int(m.group(1))
    if m.group(4):
        day = _dt.date(y, 1, 1) + _dt.timedelta(days=int(m.group(4)) - 1)
    else:
        day = _dt.date(y, int(m.group(2)), int(m.group(3)))
    seconds = Fraction(int(m.group(5)) * 3600 + int(m.group(6)) * 60) + Fraction(m.group(7))
    if seconds >= 86400:
        raise _kw_error("EPOCH", f"{epoch.text!r} falls in a leap second, which an SGP4 epoch "
                        "(a day fraction of 86400 s) cannot hold", epoch.text)
    doy = day.timetuple().tm_yday
    return y, doy, day.toordinal() + _ORDINAL_TO_JD, seconds / 86400


def _twoline2rv_epoch(year, days):
    """sgp4init's epoch (days from 1949 Dec 31 0h) as SGP4.cpp's twoline2rv computes it
    from a TLE's year and day of year: days2mdhms_SGP4, jday_SGP4, then
    ``(jd + jdFrac) - 2433281.5`` (the same floating-point operations)."""
    dayofyr = math.floor(days)
    lmonth = [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    i, inttemp = 1, 0
    while dayofyr > inttemp + lmonth[i - 1] and i < 12:
        inttemp += lmonth[i - 1]
        i += 1
    mon, day = i, dayofyr - inttemp
    temp = (days - dayofyr) * 24.0
    hr = math.floor(temp)
    temp = (temp - hr) * 60.0
    minute = math.floor(temp)
    sec = (temp - minute) * 60.0
    jd = (367.0 * year - math.floor((7 * (year + math.floor((mon + 9) / 12.0))) * 0.25)
          + math.floor(275 * mon / 9.0) + day + 1721013.5)
    jd_frac = (sec + minute * 60.0 + hr * 3600.0) / 86400.0
    if abs(jd_frac) > 1.0:
        dtt = math.floor(jd_frac)
        jd, jd_frac = jd + dtt, jd_frac - dtt
    return (jd + jd_frac) - _JD_1949_12_31


def _as_twoline2rv(value):
    """``value`` as twoline2rv computes a TLE exponent field it could be written in.

    SGP4.cpp reads B* and nddot as a 5-digit mantissa times ``pow(10, exponent)``, which can
    differ from the correctly rounded double of the same decimal by one unit in the last
    place; a value a TLE field holds exactly is computed the same way here, so an OMM of a
    TLE gives bit-identical states. Other values are used as they are.
    """
    from ..tle import _format_expform, _parse_expform

    try:
        text = _format_expform(value, False, "bstar")
    except InputError:
        return value
    if _parse_expform(text)[0] != value:
        return value
    mantissa = float("0." + text[1:6]) * (-1.0 if text[0] == "-" else 1.0)
    return mantissa * math.pow(10.0, int(text[6:8]))


def omm_to_satrec(omm):
    """The python-sgp4 ``Satrec`` of an SGP4 OMM (after :func:`check_sgp4_omm`).

    Built with ``Satrec.sgp4init(WGS72, 'i', ...)`` from EPOCH (UTC), MEAN_MOTION
    (rev/day -> rad/min), ECCENTRICITY, INCLINATION, RA_OF_ASC_NODE, ARG_OF_PERICENTER,
    MEAN_ANOMALY (deg -> rad), BSTAR (1/ER), MEAN_MOTION_DOT (rev/day**2, the TLE field,
    -> rad/min**2) and MEAN_MOTION_DDOT (rev/day**3 -> rad/min**3), with the conversions of
    ``twoline2rv`` in Vallado's SGP4.cpp, so the result propagates exactly as the TLE of the
    same values (see the module docstring). ``satnum`` is NORAD_CAT_ID (0 when absent or
    above 339999, which python-sgp4 refuses); CLASSIFICATION_TYPE, OBJECT_ID,
    EPHEMERIS_TYPE, ELEMENT_SET_NO and REV_AT_EPOCH are set where given.

    Returns
    -------
    sgp4.api.Satrec

    Raises
    ------
    InputError
        From :func:`check_sgp4_omm`, or an EPOCH inside a leap second.
    """
    from sgp4.api import WGS72, Satrec

    check_sgp4_omm(omm)
    md, me, tp = _omm_parts(omm)
    y, doy, jd0, frac = _epoch_parts(me.epoch)
    # As twoline2rv: the epoch of sgp4init from the year and day of year (deep-space terms
    # and gsto depend on it), then the exact Julian day and day fraction.
    epoch = _twoline2rv_epoch(y, doy + float(frac))
    satnum = tp.norad_cat_id or 0
    sat = Satrec()
    sat.sgp4init(WGS72, "i", satnum if satnum <= _MAX_TLE_SATNUM else 0, epoch,
                 _as_twoline2rv(tp.bstar), tp.mean_motion_dot / (_XPDOTP * 1440.0),
                 _as_twoline2rv(tp.mean_motion_ddot) / (_XPDOTP * 1440.0 * 1440.0),
                 me.eccentricity, me.arg_of_pericenter * _DEG2RAD, me.inclination * _DEG2RAD,
                 me.mean_anomaly * _DEG2RAD, me.mean_motion / _XPDOTP,
                 me.ra_of_asc_node * _DEG2RAD)
    # sgp4init splits its epoch (days since 1949) with modf, which keeps the day fraction
    # to ~1e-12 day only; store the exact one, as twoline2rv does (time since epoch).
    sat.jdsatepoch, sat.jdsatepochF = jd0, float(frac)
    sat.epochyr, sat.epochdays = y % 100, doy + float(frac)
    if tp.classification_type:
        sat.classification = tp.classification_type[:1]
    m = _COSPAR_RE.fullmatch((md.object_id or "").strip())
    if m:
        sat.intldesg = m.group(1)[2:] + m.group(2) + m.group(3)
    for attr, value in (("ephtype", tp.ephemeris_type), ("elnum", tp.element_set_no),
                        ("revnum", tp.rev_at_epoch)):
        if value is not None:
            setattr(sat, attr, int(value))
    return sat


class _OMMSet:
    """What cosmoplan.tle's SGP4 helpers need of an element set, for an OMM."""

    def __init__(self, omm):
        from ..tle import _utc_day_length_s

        self.satrec = omm_to_satrec(omm)
        md, me, tp = _omm_parts(omm)
        self.satnum = tp.norad_cat_id or 0
        self.name = md.object_name
        self.mean_motion = me.mean_motion
        self.eccentricity = me.eccentricity
        jd1, jd2 = self.satrec.jdsatepoch, self.satrec.jdsatepochF
        self._jd = (jd1, jd2)
        length = _utc_day_length_s(jd1)
        self.epoch = Epoch(jd1, jd2 * 86400.0 / length if length != 86400.0 else jd2,
                           scale="utc")

    def _label(self):
        return self.name or f"NORAD {self.satnum}"

    def _describe(self):
        return (f"{self._label()} (NORAD {self.satnum}; OMM mean elements of "
                f"{self.epoch.iso()})")

    @cached_property
    def _max_r2(self):
        from ..tle import _APOGEE_FACTOR, _APOGEE_MARGIN_KM, _MU_KM3_S2

        n = self.mean_motion * (2.0 * math.pi / 86400.0)
        a = (_MU_KM3_S2 / (n * n)) ** (1.0 / 3.0)
        return (_APOGEE_FACTOR * a * (1.0 + self.eccentricity) + _APOGEE_MARGIN_KM) ** 2


def omm_propagate(omm, epochs, frame="TEME", *, max_age_days=14.0):
    """SGP4 states of an SGP4 OMM, as :meth:`cosmoplan.tle.TLE.propagate` gives for a TLE.

    Parameters
    ----------
    omm : OMM
        Checked by :func:`check_sgp4_omm`; any NORAD_CAT_ID (also above 339999).
    epochs : Epoch, shape () or (M,)
        Strictly increasing, any time scale (or ISO text / aware datetimes); time since
        EPOCH counted in SI seconds (leap seconds included).
    frame : str
        ``'TEME'`` (SGP4's frame) or any frame of :func:`cosmoplan.frames.transform`.
    max_age_days : float or None
        Warn (:class:`~cosmoplan.errors.StaleDataWarning`) beyond this many days from EPOCH.

    Returns
    -------
    Trajectory
        ``r`` (M, 3) km, ``v`` (M, 3) km/s in ``frame``, centre ``'earth'``, named
        OBJECT_NAME.

    Raises
    ------
    InputError
        An OMM that is not SGP4-compatible, bad epochs or frame.
    PropagationError
        A non-zero SGP4 error code, or an implausible state (code 99), at any epoch, as
        :meth:`cosmoplan.tle.TLE.propagate`.
    """
    from sgp4.api import SatrecArray

    from ..tle import SGP4Result, _check_plausible
    from ..trajectory import Trajectory

    sat = _OMMSet(omm)
    epochs = Epoch.coerce(epochs, field="epochs")
    if epochs.ndim > 1 or epochs.size == 0:
        raise InputError(f"OMM propagation takes one epoch or a non-empty 1-D array of "
                         f"epochs, got shape {epochs.shape}", field="epochs",
                         value=epochs.shape)
    if max_age_days is not None and not (
            isinstance(max_age_days, (int, float, np.integer, np.floating))
            and not isinstance(max_age_days, (bool, np.bool_)) and max_age_days >= 0):
        raise InputError(f"max_age_days = {max_age_days!r}; expected a number of days >= 0 "
                         "or None", field="max_age_days", value=max_age_days)
    # The Julian-date axis of cosmoplan.tle._propagate (same numbers, same results).
    shape = epochs.shape
    flat = epochs.ravel()
    ref = flat[0].utc
    dt_s = np.asarray(flat - ref, dtype=float)
    jd = np.full(dt_s.shape, float(ref.jd1))
    fr = float(ref.jd2) + dt_s / 86400.0
    since_s = float(ref - sat.epoch)
    e1, e2 = sat._jd
    shift_s = since_s - ((float(ref.jd1) - e1) + (float(ref.jd2) - e2)) * 86400.0
    shift_s = 0.0 if abs(shift_s) < 1e-6 else round(shift_s, 6)
    err, r, v = SatrecArray([sat.satrec]).sgp4(jd, fr + shift_s / 86400.0 if shift_s else fr)
    rejected = _check_plausible([sat], err, r, v)
    bad = err != 0
    if bad.any():
        r[bad] = np.nan
        v[bad] = np.nan
    if max_age_days is not None:
        age_s = max(abs(float(dt_s.min()) + since_s), abs(float(dt_s.max()) + since_s))
        if age_s > float(max_age_days) * 86400.0:
            warnings.warn(f"OMM mean elements of {sat._label()} (NORAD {sat.satnum}), epoch "
                          f"{sat.epoch.iso(0)}, are {age_s / 86400.0:.1f} days from the "
                          f"requested epochs; the object may have manoeuvred since "
                          f"(max_age_days={max_age_days:g})", StaleDataWarning, stacklevel=3)
    res = SGP4Result(epoch=epochs, r=r.reshape((1,) + shape + (3,)),
                     v=v.reshape((1,) + shape + (3,)), error=err.reshape((1,) + shape),
                     satnum=np.array([sat.satnum], dtype=np.int64), names=(sat._label(),),
                     _tles=(sat,),
                     _rejected=None if rejected is None else rejected.reshape(
                         (1,) + shape + (2,)))
    res.raise_for_errors()
    traj = Trajectory(epochs, res.r[0], res.v[0], frame="TEME", center="earth",
                      name=sat._label())
    return traj if str(frame).upper() == "TEME" else traj.to_frame(frame)


def omm_to_tle(omm):
    """The :class:`~cosmoplan.tle.TLE` of an SGP4 OMM (values rounded to the TLE's columns).

    NORAD_CAT_ID is required and at most 339999 (Alpha-5 ``Z9999``); OBJECT_ID
    ``YYYY-NNNP`` becomes the international designator ``YYNNNP`` (another OBJECT_ID: blank);
    OBJECT_NAME becomes the name; REV_AT_EPOCH is written modulo 100000 (the TLE's five
    digits wrap); absent CLASSIFICATION_TYPE, EPHEMERIS_TYPE, ELEMENT_SET_NO, REV_AT_EPOCH
    take the TLE defaults U, 0, 0, 0.

    Raises
    ------
    InputError
        From :func:`check_sgp4_omm`; a missing or too large NORAD_CAT_ID; a value the
        TLE's columns cannot hold (the message names the OMM keyword's TLE field).
    """
    from ..tle import TLE

    check_sgp4_omm(omm)
    md, me, tp = _omm_parts(omm)
    if tp.norad_cat_id is None:
        raise _kw_error("NORAD_CAT_ID", "missing; a TLE needs a catalog number")
    if tp.norad_cat_id > _MAX_TLE_SATNUM:
        raise _kw_error("NORAD_CAT_ID", f"{tp.norad_cat_id} cannot be written in a TLE: its "
                        f"5 columns hold at most {_MAX_TLE_SATNUM} (Alpha-5 'Z9999'); propagate "
                        "the OMM itself (OMM.propagate)", tp.norad_cat_id)
    y, doy, _, frac = _epoch_parts(me.epoch)
    m = _COSPAR_RE.fullmatch((md.object_id or "").strip())
    intl = m.group(1)[2:] + m.group(2) + m.group(3) if m else ""
    try:
        return TLE(satnum=tp.norad_cat_id, classification=tp.classification_type or "U",
                   intl_designator=intl, epoch_year=y, epoch_day=doy + float(frac),
                   ndot=tp.mean_motion_dot, nddot=tp.mean_motion_ddot, bstar=tp.bstar,
                   ephemeris_type=tp.ephemeris_type or 0,
                   element_number=tp.element_set_no or 0,
                   inclination_rad=me.inclination * _DEG2RAD,
                   raan_rad=me.ra_of_asc_node * _DEG2RAD, eccentricity=me.eccentricity,
                   arg_perigee_rad=me.arg_of_pericenter * _DEG2RAD,
                   mean_anomaly_rad=me.mean_anomaly * _DEG2RAD,
                   mean_motion_rev_per_day=me.mean_motion,
                   rev_number=(tp.rev_at_epoch or 0) % 100000, name=md.object_name)
    except InputError as exc:
        raise InputError(f"this OMM cannot be written as a TLE: {exc}", field=exc.field,
                         value=exc.value) from None


def omm_from_tle(tle, originator="cosmoplan", *, creation_date=None, message_id=None,
                 object_name=None, object_id=None, theory="SGP4", comments=()):
    """An OMM v3.0 (502.0-B-3 §4) holding a TLE, in CelesTrak's GP conventions.

    Parameters
    ----------
    tle : cosmoplan.tle.TLE
    originator : str
        ORIGINATOR.
    creation_date : Epoch, optional
        CREATION_DATE (UTC, written with milliseconds); default now.
    message_id : str, optional
        MESSAGE_ID.
    object_name, object_id : str, optional
        OBJECT_NAME (default the TLE's name, else ``'NORAD <n>'``) and OBJECT_ID (default
        the international designator as ``YYYY-NNNP``, years 57-99 -> 19YY, else
        ``'UNKNOWN'``).
    theory : {'SGP4', 'SGP/SGP4'}
        MEAN_ELEMENT_THEORY (CelesTrak writes ``SGP4``).
    comments : sequence of str
        COMMENT lines of the metadata.

    Returns
    -------
    OMM
        TEME, UTC, EARTH; EPOCH with 6 decimals of seconds (exactly the TLE's epoch: 1e-8
        day is 864 microseconds); angles, eccentricity, mean motion and B* with the values
        written in the TLE's columns; MEAN_MOTION_DOT and MEAN_MOTION_DDOT are the TLE's
        ``ndot`` and ``nddot`` fields; NORAD_CAT_ID, ELEMENT_SET_NO, REV_AT_EPOCH,
        EPHEMERIS_TYPE, CLASSIFICATION_TYPE as in the TLE.

    Raises
    ------
    InputError
        ``tle`` not a TLE, or bad texts (refused by the OMM writer when written).
    """
    from ..tle import TLE
    from ._common import Header
    from .omm import OMM, MeanElements, OMMData, OMMMetadata, TLEParameters

    if not isinstance(tle, TLE):
        raise InputError(f"omm_from_tle needs a cosmoplan.tle.TLE, got {type(tle).__name__}",
                         field="tle", value=type(tle).__name__)
    if str(theory).upper() not in SGP4_THEORIES:
        raise InputError(f"theory must be one of {', '.join(SGP4_THEORIES)}, got {theory!r}",
                         field="MEAN_ELEMENT_THEORY", value=theory)
    _, l2 = tle.to_lines()
    jd0, frac = tle._jd
    micro = round(frac * 86400e6)  # exact: frac has 8 decimals, 1e-8 day = 864 us
    when = (_dt.datetime.combine(_dt.date.fromordinal(int(jd0 - _ORDINAL_TO_JD)), _dt.time(0))
            + _dt.timedelta(microseconds=micro))
    epoch = parse_date(when.strftime("%Y-%m-%dT%H:%M:%S.%f"), "UTC")
    if creation_date is None:
        creation_date = Epoch.from_datetime(_dt.datetime.now(_dt.timezone.utc))
    if not isinstance(creation_date, Epoch):
        raise InputError(f"creation_date must be an Epoch, got {type(creation_date).__name__}",
                         field="CREATION_DATE", value=creation_date)
    if object_id is None:
        m = _TLE_INTL_RE.fullmatch(tle.intl_designator)
        if m:
            yy = int(m.group(1))
            object_id = f"{1900 + yy if yy >= 57 else 2000 + yy}-{m.group(2)}{m.group(3)}"
        else:
            object_id = "UNKNOWN"
    header = Header(version="3.0", creation_date=CcsdsEpoch.from_epoch(creation_date, "UTC",
                                                                       ndp=3),
                    originator=originator, message_id=message_id)
    metadata = OMMMetadata(comments=list(comments),
                           object_name=object_name or tle.name or f"NORAD {tle.satnum}",
                           object_id=object_id, center_name="EARTH", ref_frame="TEME",
                           time_system="UTC", mean_element_theory=str(theory).upper())
    mean = MeanElements(epoch=epoch, mean_motion=float(l2[52:63]),
                        eccentricity=float("0." + l2[26:33]), inclination=float(l2[8:16]),
                        ra_of_asc_node=float(l2[17:25]), arg_of_pericenter=float(l2[34:42]),
                        mean_anomaly=float(l2[43:51]))
    params = TLEParameters(ephemeris_type=int(tle.ephemeris_type),
                           classification_type=tle.classification, norad_cat_id=tle.satnum,
                           element_set_no=int(tle.element_number),
                           rev_at_epoch=int(tle.rev_number), bstar=float(tle.bstar),
                           mean_motion_dot=float(tle.ndot), mean_motion_ddot=float(tle.nddot))
    return OMM(header, metadata, OMMData(mean_elements=mean, tle_parameters=params))


# ============================================================================ OPM -> state
_FRAME_MAP = {"EME2000": "EME2000", "J2000": "EME2000", "GCRF": "GCRF", "ICRF": "GCRF",
              "ICRF1": "GCRF", "ICRF2": "GCRF", "ICRF3": "GCRF", "CIRF": "CIRS", "CIRS": "CIRS",
              "TIRF": "TIRS", "TIRS": "TIRS", "TEME": "TEME", "ITRF": "ITRF"}
_OF_DATE = ("CIRS", "TIRS", "TEME", "ITRF")
OPM_FRAMES = ("EME2000", "J2000", "GCRF", "ICRF", "ICRF1", "ICRF2", "ICRF3", "CIRF", "CIRS",
              "TIRF", "TIRS", "TEME", "ITRF", "ITRF<year>", "ITRF-<year>")
"""REF_FRAME / MAN_REF_FRAME values :func:`opm_state` can convert (Earth-centred only).

ICRF* about the EARTH is GCRF (same axes, 502.0-B-3 Annex B); CIRF/TIRF are the CIRS/TIRS
of the frame tree; every dated ITRF realisation (ITRF2000, ITRF-97, ...) is taken as the
frame tree's ITRF (realisations differ by centimetres). TOD, MOD, GTOD, TDR, B1950 and the
ecliptic and planetary frames are refused: the frame tree does not hold them.
"""


def _cosmoplan_frame(name, keyword):
    key = (name or "").strip().upper()
    if key in _FRAME_MAP:
        return _FRAME_MAP[key]
    if re.fullmatch(r"ITRF-?\d{2,4}", key):
        return "ITRF"
    raise InputError(f"{keyword} = {name!r} cannot be converted: cosmoplan's frame tree "
                     f"supports {', '.join(OPM_FRAMES)} (TOD, MOD, GTOD and other frames are "
                     "not in it)", field=keyword, value=name)


@dataclass(frozen=True, eq=False)
class OPMState:
    """A Cartesian state from an OPM.

    Attributes
    ----------
    epoch : CcsdsEpoch or RawEpoch
        EPOCH in the OPM's TIME_SYSTEM (a :class:`~cosmoplan.time.Epoch` for the systems
        cosmoplan converts; a :class:`RawEpoch` for GMST, MET, MRT, SCLK, ...).
    r : numpy.ndarray, shape (3,)
        Position, km.
    v : numpy.ndarray, shape (3,)
        Velocity, km/s.
    frame : str
        REF_FRAME as written in the OPM, or the cosmoplan frame name after a conversion.
    center : str
        CENTER_NAME.
    name : str or None
        OBJECT_NAME.
    """

    epoch: object
    r: np.ndarray
    v: np.ndarray
    frame: str
    center: str
    name: str | None = None

    def trajectory(self):
        """A one-state :class:`~cosmoplan.trajectory.Trajectory` (frame known to cosmoplan
        for an Earth-centred state; InputError otherwise, or for a RawEpoch)."""
        from ..trajectory import Trajectory

        if not isinstance(self.epoch, Epoch):
            raise InputError(f"the epoch {self.epoch} (time system "
                             f"{self.epoch.time_system}) cannot be converted to an instant",
                             field="TIME_SYSTEM", value=self.epoch.time_system)
        return Trajectory(self.epoch.reshape(1), self.r[None], self.v[None], frame=self.frame,
                          center=self.center.lower(), name=self.name)


def _opm_parts(opm):
    from .opm import OPM

    if not isinstance(opm, OPM):
        raise InputError(f"expected an OPM, got {type(opm).__name__}", field="opm",
                         value=type(opm).__name__)
    return opm.metadata, opm.data


def _check_conversion(md, epoch, to_frame):
    """Checks for a conversion of the OPM's state; returns (from, to) cosmoplan names."""
    from ..frames import _canon

    if (md.center_name or "").strip().upper() != "EARTH":
        raise InputError(f"CENTER_NAME = {md.center_name!r}: frame conversions are for "
                         "Earth-centred states (CENTER_NAME EARTH); ask for no conversion "
                         "(to_frame=None) to get the state in the message's frame",
                         field="CENTER_NAME", value=md.center_name)
    src = _cosmoplan_frame(md.ref_frame, "REF_FRAME")
    dst = _canon(to_frame)
    if not isinstance(epoch, Epoch):
        raise InputError(f"TIME_SYSTEM = {md.time_system}: dates in it cannot be converted to "
                         "an instant, so no frame conversion is possible",
                         field="TIME_SYSTEM", value=md.time_system)
    rfe = md.ref_frame_epoch
    if src in _OF_DATE and rfe is not None and not (
            isinstance(rfe, Epoch) and abs(float(rfe - epoch)) < 1e-9):
        raise InputError(f"REF_FRAME_EPOCH = {rfe} differs from the epoch {epoch}: a frame of "
                         f"date ({src}) frozen at another epoch is not in the frame tree",
                         field="REF_FRAME_EPOCH", value=str(rfe))
    return src, dst


def opm_state(opm, to_frame=None):
    """The state vector of an OPM (502.0-B-3 table 3-3).

    Parameters
    ----------
    opm : OPM
    to_frame : str, optional
        None: the state in REF_FRAME about CENTER_NAME, as written (any frame, centre and
        time system). A frame of :data:`cosmoplan.frames.FRAMES` (``'GCRF'``, ...): the
        state converted with :func:`cosmoplan.frames.transform` (velocity with the frames'
        rotation rates), which needs CENTER_NAME ``EARTH``, a REF_FRAME of
        :data:`OPM_FRAMES` and a TIME_SYSTEM cosmoplan converts.

    Returns
    -------
    OPMState
        ``epoch`` keeps the OPM's TIME_SYSTEM (a CcsdsEpoch, i.e. an Epoch); ``r`` (3,) km,
        ``v`` (3,) km/s; ``frame`` REF_FRAME or ``to_frame``'s cosmoplan name.

    Raises
    ------
    InputError
        Conversion asked for a state about another centre (CENTER_NAME), in a frame the
        frame tree does not hold (REF_FRAME, naming the supported ones), at a date that
        cannot be converted (TIME_SYSTEM), or with a REF_FRAME_EPOCH other than EPOCH for
        a frame of date.
    """
    md, data = _opm_parts(opm)
    sv = data.state_vector
    r = np.array(sv.position, dtype=float)
    v = np.array(sv.velocity, dtype=float)
    if to_frame is None:
        return OPMState(sv.epoch, r, v, md.ref_frame, md.center_name, md.object_name)
    from ..frames import transform

    src, dst = _check_conversion(md, sv.epoch, to_frame)
    r, v = transform(r, v, sv.epoch, src, dst)
    return OPMState(sv.epoch, np.asarray(r), np.asarray(v), dst, md.center_name,
                    md.object_name)


def opm_keplerian_state(opm):
    """Cartesian state (r, v) of the OPM's osculating Keplerian elements with its GM.

    The elements (502.0-B-3 table 3-3: SEMI_MAJOR_AXIS km, ECCENTRICITY, INCLINATION,
    RA_OF_ASC_NODE, ARG_OF_PERICENTER, TRUE_ANOMALY or MEAN_ANOMALY deg, GM km**3/s**2) are
    in REF_FRAME, like the state vector, which the standard makes the primary data.

    Returns
    -------
    r, v : numpy.ndarray, shape (3,)
        km and km/s, in REF_FRAME.

    Raises
    ------
    InputError
        The OPM has no Keplerian elements (field SEMI_MAJOR_AXIS).
    """
    from ..states import keplerian_to_cartesian, mean_to_true_anomaly

    _, data = _opm_parts(opm)
    k = data.keplerian_elements
    if k is None:
        raise InputError("the OPM has no Keplerian elements (optional in 502.0-B-3 table 3-3)",
                         field="SEMI_MAJOR_AXIS")
    nu = (math.radians(k.true_anomaly) if k.true_anomaly is not None
          else float(mean_to_true_anomaly(math.radians(k.mean_anomaly), k.eccentricity)))
    r, v = keplerian_to_cartesian(mu=k.gm, a=k.semi_major_axis, e=k.eccentricity,
                                  i=math.radians(k.inclination),
                                  raan=math.radians(k.ra_of_asc_node),
                                  argp=math.radians(k.arg_of_pericenter), nu=nu)
    return np.asarray(r, float), np.asarray(v, float)


# ============================================================================ maneuvers
_LOCAL = {"RTN": "RTN", "RSW": "RTN", "RIC": "RTN", "TNW": "TNW", "NTW": "TNW"}


def _tnw_matrix(r, v):
    """Rows T (along v), N (in-plane, completing), W (along h) of a state: x_tnw = M x."""
    t = v / np.linalg.norm(v)
    w = np.cross(r, v)
    w = w / np.linalg.norm(w)
    return np.stack([t, np.cross(w, t), w])


@dataclass(frozen=True, eq=False)
class OPMBurn:
    """One maneuver of an OPM (502.0-B-3 table 3-3, §3.2.4.7-8).

    Attributes
    ----------
    epoch : CcsdsEpoch or RawEpoch
        MAN_EPOCH_IGNITION, in the OPM's TIME_SYSTEM.
    duration_s : float or None
        MAN_DURATION, s (0: impulsive; None: not given).
    delta_mass_kg : float or None
        MAN_DELTA_MASS, kg (<= 0; None: not given).
    frame : str
        MAN_REF_FRAME as written, or ``'GCRF'`` after a conversion by :func:`opm_burns`.
    dv : numpy.ndarray, shape (3,)
        MAN_DV_1..3, km/s, in ``frame`` (RTN: radial, transverse, normal; TNW: along the
        velocity, in-plane normal, along the angular momentum).
    name : str
        ``'MAN<k>'``, k from 1 in the order of the message.
    """

    epoch: object
    duration_s: float | None
    delta_mass_kg: float | None
    frame: str
    dv: np.ndarray
    name: str = ""

    def to_impulsive(self, at="midpoint"):
        """The :class:`~cosmoplan.propagator.ImpulsiveManeuver` of this burn.

        ``at='midpoint'`` (default) applies the delta-v at ignition + duration/2, the usual
        impulsive approximation of a finite burn; ``at='ignition'`` at ignition (the same
        for an impulsive burn). RTN/RSW/RIC burns stay in the spacecraft's RTN frame
        (evaluated by the propagator at the burn); inertial frames are rotated to GCRF
        (EME2000 by the frame bias; TEME, CIRS, TIRS, ITRF at the epoch: the delta-v is a
        velocity difference at one position, so only the rotation applies).

        Raises
        ------
        InputError
            A TNW burn (no such frame in ImpulsiveManeuver: convert it with
            :func:`opm_burns` where the OPM's state allows), a delta-v with a missing
            component, a frame outside :data:`OPM_FRAMES`, a non-convertible epoch.
        """
        from ..frames import rotation_matrix
        from ..propagator import ImpulsiveManeuver

        if at not in ("midpoint", "ignition"):
            raise InputError(f"at must be 'midpoint' or 'ignition', got {at!r}", field="at",
                             value=at)
        if not isinstance(self.epoch, Epoch):
            raise InputError(f"MAN_EPOCH_IGNITION {self.epoch} cannot be converted to an "
                             "instant", field="MAN_EPOCH_IGNITION", value=str(self.epoch))
        dv = np.asarray(self.dv, float)
        if not np.all(np.isfinite(dv)):
            raise InputError(f"{self.name}: MAN_DV_1..3 = {dv.tolist()} lacks a component",
                             field="MAN_DV_1", value=dv.tolist())
        epoch = self.epoch
        if at == "midpoint" and self.duration_s:
            epoch = epoch + self.duration_s / 2.0
        key = str(self.frame).strip().upper()
        if key in _LOCAL:
            if _LOCAL[key] == "TNW":
                raise InputError(f"{self.name}: MAN_REF_FRAME TNW has no ImpulsiveManeuver "
                                 "counterpart; convert it to GCRF with opm_burns(opm, "
                                 "inertial=True) (possible at the OPM's epoch only)",
                                 field="MAN_REF_FRAME", value=self.frame)
            return ImpulsiveManeuver(epoch, tuple(dv), frame="RTN", name=self.name)
        src = _cosmoplan_frame(self.frame, "MAN_REF_FRAME")
        m = rotation_matrix(self.epoch, src, "GCRF")
        return ImpulsiveManeuver(epoch, tuple(m @ dv), frame="GCRF", name=self.name)


def opm_burns(opm, inertial=False):
    """The maneuvers of an OPM as :class:`OPMBurn` objects, in the order of the message.

    Parameters
    ----------
    opm : OPM
    inertial : bool
        False (default): every burn in its MAN_REF_FRAME, as written. True: burns in a
        local frame (RTN/RSW/RIC, TNW/NTW) whose MAN_EPOCH_IGNITION *equals the OPM's
        EPOCH* (to 1 microsecond) are rotated into GCRF with the OPM's own state vector
        (converted to GCRF first; needs CENTER_NAME EARTH and a REF_FRAME of
        :data:`OPM_FRAMES`); inertial burns (EME2000, J2000, GCRF, ICRF, TEME, ITRF...) are
        rotated to GCRF. A local-frame burn at another epoch keeps its frame label: the
        state there is not in the message (it needs a propagation with the burns before
        it), and cosmoplan does not guess it; its RTN delta-v is applied by the propagator
        at the burn (:meth:`OPMBurn.to_impulsive`).

    Returns
    -------
    list of OPMBurn

    Raises
    ------
    InputError
        With ``inertial=True``: a conversion the OPM cannot support (see :func:`opm_state`),
        or a MAN_REF_FRAME the frame tree does not hold.
    """
    from ..frames import rotation_matrix, rsw_matrix

    md, data = _opm_parts(opm)
    out = []
    for k, m in enumerate(data.maneuvers, 1):
        dv = (np.full(3, np.nan) if m.man_dv is None else np.array(m.man_dv, dtype=float))
        out.append(OPMBurn(m.man_epoch_ignition, m.man_duration, m.man_delta_mass,
                           m.man_ref_frame, dv, f"MAN{k}"))
    if not inertial:
        return out
    state = None
    converted = []
    for b in out:
        key = (b.frame or "").strip().upper()
        if key in _LOCAL:
            ep0 = data.state_vector.epoch
            same = (isinstance(b.epoch, Epoch) and isinstance(ep0, Epoch)
                    and abs(float(b.epoch - ep0)) < 1e-6)
            if not same:
                converted.append(b)
                continue
            if state is None:
                state = opm_state(opm, "GCRF")
            mat = rsw_matrix(state.r, state.v) if _LOCAL[key] == "RTN" else _tnw_matrix(
                state.r, state.v)
            dv = mat.T @ b.dv
        else:
            src = _cosmoplan_frame(b.frame, "MAN_REF_FRAME")
            if not isinstance(b.epoch, Epoch):
                raise InputError(f"{b.name}: MAN_EPOCH_IGNITION {b.epoch} cannot be converted "
                                 "to an instant", field="MAN_EPOCH_IGNITION",
                                 value=str(b.epoch))
            dv = rotation_matrix(b.epoch, src, "GCRF") @ b.dv
        converted.append(OPMBurn(b.epoch, b.duration_s, b.delta_mass_kg, "GCRF", dv, b.name))
    return converted

