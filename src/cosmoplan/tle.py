"""Two-line element sets (TLE/3LE): strict parsing, exact writing, SGP4 propagation.

The format
----------
A two-line element set is two 69-column card images (Hoots & Roehrich 1980, *Spacetrack
Report No. 3*, and the CelesTrak/Space-Track format notes), optionally preceded by a name
line ("3LE"; Space-Track prefixes it with ``"0 "``). Columns are 1-based:

====  =======  ===========================  =======================================================
line  columns  field (attribute)            content
====  =======  ===========================  =======================================================
1     1        line number                  ``1``
1     3-7      ``satnum``                   catalog number: 5 digits, or Alpha-5 (below)
1     8        ``classification``           ``U``, ``C`` or ``S``
1     10-17    ``intl_designator``          launch year (2 digits), number (3), piece (1-3 letters)
1     19-32    epoch                        ``YYDDD.DDDDDDDD``: year (57-99 -> 19YY, 00-56 -> 20YY)
                                            and day of year with fraction (1.0 = 1 January 0h UTC)
1     34-43    ``ndot``                     d(mean motion)/dt / 2, rev/day^2, ``+.NNNNNNNN``
1     45-52    ``nddot``                    d2(mean motion)/dt2 / 6, rev/day^3, ``+NNNNN-N``
                                            (implied point: `` 12345-6`` = 0.12345e-6)
1     54-61    ``bstar``                    B* drag term, 1/earth radii, same exponent form
1     63       ``ephemeris_type``           0 in distributed element sets
1     65-68    ``element_number``           element set number
1     69       checksum                     digits of columns 1-68 summed, ``-`` counting 1, mod 10
2     1        line number                  ``2``
2     3-7      ``satnum``                   must equal line 1's
2     9-16     ``inclination_rad``          degrees in the line, ``NNN.NNNN``
2     18-25    ``raan_rad``                 right ascension of the ascending node, degrees
2     27-33    ``eccentricity``             7 digits with an implied leading decimal point
2     35-42    ``arg_perigee_rad``          argument of perigee, degrees
2     44-51    ``mean_anomaly_rad``         mean anomaly, degrees
2     53-63    ``mean_motion_rev_per_day``  revolutions per day, ``NN.NNNNNNNN``
2     64-68    ``rev_number``               revolution number at epoch
2     69       checksum
====  =======  ===========================  =======================================================

Columns 2, 9, 18, 33, 44, 53, 62, 64 of line 1 and 2, 8, 17, 26, 34, 43, 52 of line 2 are
blank. The decimal points sit in fixed columns, so a field shifted by one column is caught.

Alpha-5 (CelesTrak's "Alpha-5" note, for catalog numbers above 99999): 100000-339999
are written as a letter and four digits, ``A0000`` = 100000 ... ``Z9999`` = 339999; the
letters I and O are not used (``J0000`` = 180000, ``P0000`` = 230000).

Reading is strict (every field is checked by column range before python-sgp4 sees it)
and tolerant only where real files differ harmlessly:

* leading blanks in a numeric field are accepted (``"1    20U"``, ``"  5304"``);
* characters after column 69 are ignored (the Vallado verification file keeps its
  start/stop/step times there); a line shorter than 69 columns is an error;
* ``\\r\\n`` line ends, blank lines and ``#`` comment lines are accepted by :func:`read_tles`.

Writing (:meth:`TLE.to_lines`) gives the canonical form, so ``from_lines(*to_lines())``
gives back every field exactly, and a canonical input line comes back byte for byte. What
is canonicalised: a blank-padded catalog number is zero-padded (``"1    20U"`` ->
``"1 00020U"``), an explicit ``+`` sign in columns 34, 45 or 54 becomes a blank, a blank
ephemeris type becomes ``0``, a mantissa with a leading zero is normalised
(``" 01234-3"`` -> ``" 12340-4"``; a zero mantissa gets exponent 0), and the checksum is
recomputed. The sign of a zero exponent (``00000-0`` as Space-Track writes it,
``00000+0`` as CelesTrak does) is kept as read, as is the sign of a negative zero
(``-.00000000``).

Constructing a :class:`TLE` checks that every field can be written in its columns and
read back (so :func:`write_tles` never writes a file :func:`read_tles` rejects). What is
canonicalised there: integral floats in integer fields become ``int``; surrounding blanks
of ``name`` and ``intl_designator`` are removed (an empty name is None); an ``epoch_day``
that rounds to the first day of the next year in the TLE's 8 decimals (``365.999999999``
of 2021) becomes day ``1.0`` of that year. Refused with an :class:`InputError` naming the
field: control characters (line breaks, tabs, NUL, ...) in ``name``; an
``intl_designator`` other than 2 digits, 3 digits or blanks and up to 3 *capital*
letters (lower case is refused, not upper-cased, as the reader refuses it); a value that
rounds out of its columns (``mean_motion_rev_per_day = 99.999999999`` -> ``100.00000000``,
an eccentricity rounding to 1, a mean motion rounding to 0, ``ndot`` rounding to 1, a B*
or nddot outside the one-digit exponent form).

Propagation uses python-sgp4 (Vallado's C++ SGP4 of Vallado, Crawford, Hujsak &
Kelso 2006, "Revisiting Spacetrack Report #3", AIAA 2006-6753) with WGS-72 constants, in
the TEME frame of that paper's Appendix C. Its integer error codes are never hidden:
:meth:`TLE.propagate` raises :class:`~cosmoplan.errors.PropagationError`, and
:func:`propagate_tles` returns them with a validity mask.

Plausibility of SGP4 states
---------------------------
SGP4 can return numbers that are no orbit with error code 0: an element set with a huge
B* (``" 99999-0"``), or a real high-drag one propagated days away from its epoch
(backwards, its drag term *raises* the orbit; forwards, past its decay), gives |r| of
1e5-1e15 km or |v| of 1e4 km/s and more. Every state with code 0 is therefore checked,
and one that fails gets the cosmoplan code :data:`IMPLAUSIBLE_STATE` (99) instead of a
position:

* |r| and |v| finite;
* 6000 km <= |r| (SGP4 reports code 6 below one Earth radius, 6378.135 km, itself;
  this bound only catches what slips through);
* |r| <= 1.5 a (1 + e) + 1000 km, with ``a`` from the element set's (Kozai) mean
  motion and WGS-72's mu and ``e`` its eccentricity: 1.5 times the mean apogee radius;
* |v| <= 1.25 sqrt(2 mu / |r|), 1.25 times the escape speed where the state is
  (SGP4 orbits are closed).

Why these bounds: the 33 cases of the Vallado verification file (all of which pass
with them) reach at most 1.35 times their mean apogee radius (33333, e = 0.995, whose
osculating apogee lies far above the mean one) and v^2 r / (2 mu) = 0.98 (vis-viva: < 1
on any closed orbit); the 4797 CelesTrak sets of refdata stay below 1.07 and 0.95 within
14 days of their epochs. 51 of the 23939 Space-Track sets of refdata (decaying objects,
B* 5e-4 to 0.4, propagated backwards, or forwards past their decay between code-6
epochs) reach code-0 states of up to 1.5e5 times the radius bound, or |v| of 9000-16000
times the escape speed at a plausible |r|, within 14 days. Such a set's |r| rises
smoothly through the bound: it marks where SGP4's extrapolation stops being believable,
not a sharp physical edge.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from ._io import atomic_write_text
from .errors import DataRangeWarning, InputError, PropagationError, StaleDataWarning
from .time import Epoch
from .trajectory import Trajectory

__all__ = [
    "TLE",
    "SGP4Result",
    "read_tles",
    "write_tles",
    "propagate_tles",
    "alpha5_to_int",
    "int_to_alpha5",
    "tle_checksum",
    "IMPLAUSIBLE_STATE",
]

_DEG = math.pi / 180.0
_ORDINAL_TO_JD = 1721424.5  # JD of 0h on the day before proleptic Gregorian ordinal 1
_MAX_SATNUM = 339999  # 'Z9999' in Alpha-5

#: Error code of :class:`SGP4Result` (cosmoplan's, beside python-sgp4's 1-6) for a state
#: SGP4 returned with code 0 that fails the plausibility check of the module docstring.
IMPLAUSIBLE_STATE = 99
_MU_KM3_S2 = 398600.8  # WGS-72, as python-sgp4's WGS72 constants
_R_MIN_KM = 6000.0
_APOGEE_FACTOR = 1.5
_APOGEE_MARGIN_KM = 1000.0
_ESCAPE_FACTOR = 1.25
_R_MIN2 = _R_MIN_KM**2
_V2R_MAX2 = (_ESCAPE_FACTOR**2 * 2.0 * _MU_KM3_S2) ** 2  # bound on (|v|^2)^2 |r|^2

_SHOW_MAX = 80  # characters of user text shown in a message
# Control characters (C0 incl. tab, DEL, C1, Unicode line/paragraph separators).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_INTL = re.compile(r"(?:[0-9]{2}[0-9 ]{3}[A-Z ]{3}| {8})")
_TLE_LINE_START = re.compile(r"\s*[12] ")

# Column templates shown above a user's line in error messages (after python-sgp4's).
_TEMPLATE = {
    1: "1 NNNNNC NNNNNAAA NNNNN.NNNNNNNN +.NNNNNNNN +NNNNN-N +NNNNN-N N NNNNK",
    2: "2 NNNNN NNN.NNNN NNN.NNNN NNNNNNN NNN.NNNN NNN.NNNN NN.NNNNNNNNNNNNNK",
}
_LEGEND = ("N digit (leading blanks allowed), A letter or blank, C classification, "
           "+ sign or blank, - exponent sign, K checksum")
_RULER = "".join(str(k // 10) if k % 10 == 0 else " " for k in range(1, 70))

# ------------------------------------------------------------------ field layout
# (field, first column, last column (1-based, inclusive), regex, what is expected).
# Every regex matches exactly (last - first + 1) characters, so the concatenation of a
# line's regexes checks the same thing as matching each column range on its own.


def _rjust(width):
    """Regex of a right-justified integer filling exactly ``width`` columns."""
    return "(?:" + "|".join(f" {{{width - k}}}[0-9]{{{k}}}" if k < width else f"[0-9]{{{k}}}"
                            for k in range(1, width + 1)) + ")"


_SATNUM = r"(?:[A-HJ-NP-Z][0-9]{4}|" + _rjust(5) + ")"
_ANGLE = _rjust(3) + r"\.[0-9]{4}"
_EXPFORM = r"[ +-][0-9]{5}[+-][0-9]"

_LINE1 = (
    ("line number", 1, 1, r"1", "'1'"),
    ("blank", 2, 2, r" ", "a blank"),
    ("satnum", 3, 7, _SATNUM,
     "a catalog number: 5 digits (leading blanks allowed) or Alpha-5, a letter other "
     "than I or O and 4 digits, e.g. '25544' or 'A0000'"),
    ("classification", 8, 8, r"[UCS]", "U, C or S"),
    ("blank", 9, 9, r" ", "a blank"),
    ("intl_designator", 10, 17, r"(?:[0-9]{2}[0-9 ]{3}[A-Z ]{3}| {8})",
     "launch year (2 digits), launch number (3 digits) and piece (up to 3 letters), "
     "e.g. '98067A  ', or 8 blanks"),
    ("blank", 18, 18, r" ", "a blank"),
    ("epoch", 19, 32, r"[ 0-9][0-9]" + _rjust(3) + r"\.[0-9]{8}",
     "YYDDD.DDDDDDDD (year, day of year with 8 decimals; the point in column 24), "
     "e.g. '21152.91865056'"),
    ("blank", 33, 33, r" ", "a blank"),
    ("ndot", 34, 43, r"[ +-]\.[0-9]{8}",
     "sign (blank, + or -), the point in column 35 and 8 digits, e.g. ' .00003057'"),
    ("blank", 44, 44, r" ", "a blank"),
    ("nddot", 45, 52, _EXPFORM,
     "sign, 5 digits with an implied leading point, exponent sign and digit, "
     "e.g. ' 00000-0' or '-11606-4'"),
    ("blank", 53, 53, r" ", "a blank"),
    ("bstar", 54, 61, _EXPFORM,
     "sign, 5 digits with an implied leading point, exponent sign and digit, "
     "e.g. ' 33542-4'"),
    ("blank", 62, 62, r" ", "a blank"),
    ("ephemeris_type", 63, 63, r"[0-9 ]", "a digit (0)"),
    ("blank", 64, 64, r" ", "a blank"),
    ("element_number", 65, 68, "(?:" + _rjust(4) + "| {4})", "up to 4 digits, right-justified"),
)
_LINE2 = (
    ("line number", 1, 1, r"2", "'2'"),
    ("blank", 2, 2, r" ", "a blank"),
    ("satnum", 3, 7, _SATNUM,
     "the catalog number of line 1 (5 digits or Alpha-5)"),
    ("blank", 8, 8, r" ", "a blank"),
    ("inclination", 9, 16, _ANGLE, "degrees as NNN.NNNN, the point in column 12"),
    ("blank", 17, 17, r" ", "a blank"),
    ("raan", 18, 25, _ANGLE, "degrees as NNN.NNNN, the point in column 21"),
    ("blank", 26, 26, r" ", "a blank"),
    ("eccentricity", 27, 33, r"[0-9]{7}",
     "7 digits with an implied leading decimal point, e.g. '0005053'"),
    ("blank", 34, 34, r" ", "a blank"),
    ("arg_perigee", 35, 42, _ANGLE, "degrees as NNN.NNNN, the point in column 39"),
    ("blank", 43, 43, r" ", "a blank"),
    ("mean_anomaly", 44, 51, _ANGLE, "degrees as NNN.NNNN, the point in column 48"),
    ("blank", 52, 52, r" ", "a blank"),
    ("mean_motion", 53, 63, _rjust(2) + r"\.[0-9]{8}",
     "revolutions per day as NN.NNNNNNNN, the point in column 55"),
    ("rev_number", 64, 68, "(?:" + _rjust(5) + "| {5})", "up to 5 digits, right-justified"),
)
_CHECKSUM = ("checksum", 69, 69, r"[0-9]", "a digit")

_COMPILED = {
    1: tuple((f, a, b, re.compile(rx), exp) for f, a, b, rx, exp in _LINE1),
    2: tuple((f, a, b, re.compile(rx), exp) for f, a, b, rx, exp in _LINE2),
}
_FAST = {
    k: re.compile("".join(rx if f == "blank" else f"(?P<{f.replace(' ', '_')}>{rx})"
                          for f, a, b, rx, exp in (*spec, _CHECKSUM)))
    for k, spec in ((1, _LINE1), (2, _LINE2))
}
# Where each attribute lives, for messages about values set directly.
_WHERE = {f: (line, a, b) for line, spec in ((1, _LINE1), (2, _LINE2)) for f, a, b, *_ in spec}


def _where(name):
    line, a, b = _WHERE[name]
    return f"line {line}, column {a}" if a == b else f"line {line}, columns {a}-{b}"


# ------------------------------------------------------------------ helpers
def alpha5_to_int(text):
    """Catalog number of a 5-character TLE field: digits, or Alpha-5 ``'A0000'`` -> 100000.

    Raises :class:`InputError` for text that is neither (the letters I and O are not used
    by Alpha-5, after CelesTrak's note).
    """
    s = str(text).strip()
    if re.fullmatch(r"[0-9]{1,5}", s):
        return int(s)
    if re.fullmatch(r"[A-HJ-NP-Z][0-9]{4}", s):
        c = s[0]
        k = ord(c) - ord("A") + 10 - (c > "I") - (c > "O")
        return k * 10000 + int(s[1:])
    raise InputError(
        f"{_clip(text)} is not a catalog number; expected 1-5 digits or Alpha-5 (a letter "
        "other than I or O and 4 digits, e.g. 'A0000' = 100000)",
        field="satnum", value=_clip_value(text),
    )


def int_to_alpha5(number):
    """Five-character TLE form of a catalog number: zero-padded, or Alpha-5 from 100000.

    ``int_to_alpha5(100000) == 'A0000'``; ``int_to_alpha5(339999) == 'Z9999'``.
    """
    if isinstance(number, str) and re.fullmatch(r"\s*[0-9]+\s*", number):
        n = int(number)
    elif _is_number(number) and float(number).is_integer():
        n = int(number)
    else:
        raise InputError(
            f"catalog number {_clip(number)}: expected an integer 0 to {_MAX_SATNUM}",
            field="satnum", value=number,
        )
    if not 0 <= n <= _MAX_SATNUM:
        raise InputError(
            f"catalog number {number} cannot be written in a TLE; expected 0 to "
            f"{_MAX_SATNUM} (Alpha-5 'Z9999')", field="satnum", value=number,
        )
    if n < 100000:
        return f"{n:05d}"
    k, rest = divmod(n, 10000)
    c = ord("A") + k - 10
    c += c >= ord("I")
    c += c >= ord("O")
    return f"{chr(c)}{rest:04d}"


_CK_MAP = bytes.maketrans(b"-", b"1")  # '-' counts 1
_CK_DROP = bytes(c for c in range(256) if not (48 <= c <= 57 or c == 45))


def tle_checksum(line):
    """Checksum of a TLE line: digits of columns 1-68 summed, each ``-`` counting 1, mod 10."""
    if not isinstance(line, str):
        raise InputError(f"tle_checksum takes a TLE line (str), got {type(line).__name__}",
                         field="line", value=line)
    digits = line[:68].encode("ascii", "replace").translate(_CK_MAP, _CK_DROP)
    return (sum(digits) - 48 * len(digits)) % 10


@functools.lru_cache(maxsize=4096)
def _utc_day_length_s(jd0):
    """86400 + the leap second(s) of the UTC day starting at JD ``jd0`` (0h).

    Pre-1972 rate changes (< 3 ms/day) are not counted: they do not change how ERFA
    spreads a UTC day over its quasi-Julian-date fraction.
    """
    with warnings.catch_warnings():  # outside ERFA's table a day is 86400 s; no warning
        warnings.simplefilter("ignore", DataRangeWarning)
        length = float(Epoch(jd0 + 1.0, 0.0, scale="utc") - Epoch(jd0, 0.0, scale="utc"))
    return 86400.0 if abs(length - 86400.0) < 0.01 else 86400.0 + round(length - 86400.0, 3)


def _days_in_year(year):
    return 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365


def _parse_expform(text):
    """' 33542-4' -> 0.33542e-4 (correctly rounded); returns (value, exponent_sign_is_plus)."""
    sign = "-" if text[0] == "-" else ""
    return float(f"{sign}0.{text[1:6]}e{text[6]}{text[7]}"), text[6] == "+"


def _format_expform(value, plus_for_zero_exponent, name):
    """Inverse of :func:`_parse_expform`; ``name`` only for the error message."""
    sign = "-" if math.copysign(1.0, value) < 0 else " "
    a = abs(value)
    if a == 0.0:
        return f"{sign}00000{'+' if plus_for_zero_exponent else '-'}0"
    digits = f"{a:.4e}"  # 'd.dddde+XX': 5 significant digits recover the parsed decimal
    exponent = int(digits[7:]) + 1
    if not -9 <= exponent <= 9:
        raise InputError(
            f"{name} ({_where(name)}) = {value!r} cannot be written in the TLE exponent "
            "form (0.NNNNN x 10^E with one exponent digit); expected 1e-10 <= |value| < "
            "1e9 (after rounding to 5 digits) or 0", field=name, value=value,
        )
    if exponent == 0:
        esign = "+" if plus_for_zero_exponent else "-"
    else:
        esign = "-" if exponent < 0 else "+"
    return f"{sign}{digits[0]}{digits[2:6]}{esign}{abs(exponent)}"


def _clip(value, limit=_SHOW_MAX):
    """``repr`` of a value for a message, cut to ``limit`` characters of text:
    ``'XXXX...'... (5000000 characters)``."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}... ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= limit + 2 else f"{text[:limit]}... ({len(text)} characters)"


def _clip_plain(text, limit=200):
    """Text (a file name) for a message, cut to ``limit`` characters."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _clip_value(value, limit=1000):
    """The offending value kept on an InputError: long text cut short."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "..."
    return value


def _check_flag(value, name):
    """A bool argument (numpy bools too); InputError otherwise."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise InputError(f"{name} = {_clip(value)}; expected True or False", field=name,
                     value=value)


def _path_arg(value, name, *, text_hint=""):
    """``pathlib.Path`` of a ``str`` or ``os.PathLike`` argument; InputError otherwise."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
        if isinstance(value, bytes):
            value = os.fsdecode(value)
    if isinstance(value, str):
        if "\x00" in value:
            raise InputError(f"{name} {_clip(value)} contains a NUL character; expected a "
                             "file name", field=name, value=_clip_value(value))
        return Path(value)
    if isinstance(value, (bytes, bytearray)):
        hint = ("; for a file name pass a str or pathlib.Path" + (
            ", for TLE text decode the bytes first (data.decode('ascii'))" if text_hint
            else ""))
    elif hasattr(value, "read"):
        hint = "; pass the file's name" + (", or its text (f.read())" if text_hint else "")
    elif isinstance(value, (list, tuple)):
        hint = ("; for lines of TLE text pass '\\n'.join(lines)" if text_hint else "")
    else:
        hint = ""
    raise InputError(
        f"{name} must be a file name (str or os.PathLike){text_hint}, got "
        f"{type(value).__name__}{hint}", field=name, value=_clip_value(value))


def _is_dir(path):
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _sanitize(text):
    """A user's line for display: control characters shown as '?' (columns kept)."""
    return _CONTROL.sub("?", text)


def _show(which, text, first, last):
    """Template, the user's line and a caret marker under columns first..last."""
    return (
        f"\n\n  columns   {_RULER}\n"
        f"  format    {_TEMPLATE[which]}\n"
        f"  {'line ' + str(which):<9} {_sanitize(text)}\n"
        f"  {'':<9} {' ' * (first - 1)}{'^' * (last - first + 1)}\n"
        f"  ({_LEGEND})"
    )


class _Loc:
    """Where a TLE line came from: source (file) and 1-based line numbers, for messages."""

    __slots__ = ("source", "lines")

    def __init__(self, source, line1, line2):
        self.source = source
        self.lines = {1: line1, 2: line2}

    def error(self, which, text, fieldname, first, last, found, expected, *, label=None):
        cols = f"column {first}" if first == last else f"columns {first}-{last}"
        msg = (f"{cols} ({label or fieldname}, TLE line {which}): found {found}; "
               f"expected {expected}{_show(which, text, first, last)}")
        return InputError(msg, source=self.source, line=self.lines[which], field=fieldname,
                          value=found)


def _clean(line, which, loc):
    """The first 69 columns of a line, its line end removed; refuses a short line.

    Non-ASCII characters need no check of their own: every column range admits ASCII
    characters only, so they are reported with their field."""
    if not isinstance(line, str):
        raise InputError(f"TLE line {which} must be a str, got {type(line).__name__}",
                         source=loc.source, line=loc.lines[which], field="line",
                         value=line)
    text = line.rstrip("\r\n")
    if len(text) < 69:
        missing = [f for f, a, b, *_ in ((*_COMPILED[which], _CHECKSUM))
                   if b > len(text) and f != "blank"]
        raise loc.error(
            which, text, missing[0], len(text) + 1, 69,
            f"a line of {len(text)} characters (columns {len(text) + 1}-69 missing)",
            "69 columns; a TLE line is a 69-column card image",
            label=", ".join(missing),
        ) from None
    return text[:69]


def _check_line(text, which, loc, verify_checksum):
    """Validate every column range of one line; return {field: text}."""
    match = _FAST[which].fullmatch(text)
    if match is None:  # find the first bad column range, left to right
        for name, a, b, rx, expected in _COMPILED[which]:
            chunk = text[a - 1:b]
            if rx.fullmatch(chunk) is None:
                raise loc.error(which, text, name, a, b, repr(chunk), expected)
        raise loc.error(which, text, "checksum", 69, 69, repr(text[68]), "a digit")
    out = match.groupdict()
    ck = out["checksum"]
    if verify_checksum:
        want = tle_checksum(text)
        if int(ck) != want:
            raise loc.error(
                which, text, "checksum", 69, 69, repr(ck),
                f"'{want}' (the sum of the digits of columns 1-68, '-' counting 1, mod 10); "
                "a digit of the line was probably changed",
            )
    return out


# ------------------------------------------------------------------ the element set
def _bad_value(name, value, expected):
    return InputError(f"{name} ({_where(name)}) = {_clip(value)}; expected {expected}",
                      field=name, value=_clip_value(value))


def _is_number(value):
    if type(value) is float or type(value) is int:  # fast path
        return math.isfinite(value)
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, bool) and math.isfinite(value))


@dataclass(frozen=True, kw_only=True)
class TLE:
    """One two-line element set, every field in internal units, validated on creation.

    Build one with :meth:`from_lines` (or :func:`read_tles` for files); the constructor
    takes the fields below by keyword and checks their ranges (an :class:`InputError`
    names the field and its columns in the format). Instances are immutable and
    hashable; equality compares the fields (not the cached SGP4 state).

    Attributes
    ----------
    satnum : int
        NORAD catalog number, 0 to 339999 (above 99999 written in Alpha-5).
    classification : str
        ``'U'`` (unclassified), ``'C'`` or ``'S'``.
    intl_designator : str
        COSPAR designator as in the TLE, blanks stripped, e.g. ``'21035A'`` ('' if blank).
    epoch_year : int
        Four-digit year of the epoch (two-digit years 57-99 -> 1957-1999, 00-56 ->
        2000-2056).
    epoch_day : float
        Day of year of the epoch in UTC, with fraction (1.0 = 1 January, 0h), as printed
        with 8 decimals (a day that rounds to the next 1 January becomes day 1.0 of the
        next year).
    ndot : float
        First time derivative of the mean motion divided by 2, rev/day^2 (as in the TLE;
        not used by SGP4).
    nddot : float
        Second time derivative of the mean motion divided by 6, rev/day^3 (not used by
        SGP4).
    bstar : float
        SGP4 drag term B*, 1/earth radii.
    ephemeris_type : int
        Ephemeris type (0 in distributed element sets).
    element_number : int
        Element set number, 0-9999.
    inclination_rad, raan_rad, arg_perigee_rad, mean_anomaly_rad : float
        Mean inclination (0..pi), right ascension of the ascending node, argument of
        perigee and mean anomaly (0..2 pi), rad, in the TEME frame of date.
    eccentricity : float
        Mean eccentricity, 0 <= e < 1.
    mean_motion_rev_per_day : float
        Kozai mean motion, rev/day, > 0.
    rev_number : int
        Revolution number at epoch, 0-99999.
    name : str or None
        Object name from the 3LE name line (``"0 "`` prefix and surrounding blanks
        removed); one line of text without control characters.
    source : str or None
        File the element set was read from (``'<text>'`` for text given to
        :func:`read_tles`, the ``source`` of :meth:`from_lines`), for messages; None when
        built directly. Not part of equality or hashing, and not carried over by
        :func:`dataclasses.replace`.
    line_number : int or None
        1-based line number of its line 1 in ``source`` (None if unknown); like
        ``source``, for messages only.

    Notes
    -----
    Format: Hoots & Roehrich (1980), *Spacetrack Report No. 3*; the column layout is in
    this module's docstring. Alpha-5 catalog numbers after CelesTrak's note.
    """

    satnum: int
    classification: str = "U"
    intl_designator: str = ""
    epoch_year: int
    epoch_day: float
    ndot: float = 0.0
    nddot: float = 0.0
    bstar: float = 0.0
    ephemeris_type: int = 0
    element_number: int = 0
    inclination_rad: float
    raan_rad: float
    eccentricity: float
    arg_perigee_rad: float
    mean_anomaly_rad: float
    mean_motion_rev_per_day: float
    rev_number: int = 0
    name: str | None = None
    # How zero exponents were spelt in the source (nddot, bstar): '00000+0' -> True.
    _zero_exponent_plus: tuple = field(default=(False, False), repr=False, compare=False)
    # Where the element set was read (for messages); not compared, not copied by replace().
    source: str | None = field(default=None, init=False, repr=False, compare=False)
    line_number: int | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        bad, number = _bad_value, _is_number
        put = object.__setattr__  # canonical forms (frozen dataclass)
        if not (number(self.satnum) and float(self.satnum).is_integer()
                and 0 <= self.satnum <= _MAX_SATNUM):
            raise bad("satnum", self.satnum, f"an integer 0..{_MAX_SATNUM}")
        if not (isinstance(self.classification, str) and self.classification in "UCS"
                and len(self.classification) == 1):
            raise bad("classification", self.classification, "'U', 'C' or 'S'")
        intl = self.intl_designator
        if not isinstance(intl, str):
            raise bad("intl_designator", intl, "text (e.g. '98067A', or '' for none)")
        if intl != intl.strip():
            intl = intl.strip()
            put(self, "intl_designator", intl)
        if len(intl) > 8 or not _INTL.fullmatch(f"{intl:<8}"):
            hint = (f"; capital letters only: {intl.upper()!r}?"
                    if len(intl) <= 8 and _INTL.fullmatch(f"{intl.upper():<8}") else "")
            raise bad("intl_designator", intl,
                      "launch year (2 digits), launch number (3 digits, blanks allowed) and "
                      f"piece (up to 3 capital letters), e.g. '98067A', or ''{hint}")
        year = self.epoch_year
        if not (number(year) and float(year).is_integer() and 1957 <= year <= 2056):
            raise bad("epoch", year, "a year 1957..2056 (two-digit TLE years)")
        ndays = _days_in_year(int(year))
        day = self.epoch_day
        if not (number(day) and 1.0 <= day < ndays + 1):
            raise bad("epoch", day,
                      f"a day of year with fraction in [1, {ndays + 1}) for {int(year)}")
        if round(day, 8) >= ndays + 1:  # prints as day ndays + 1: the next 1 January, 0h
            if year == 2056:
                raise bad("epoch", day, "a day of year that does not round to "
                          f"{ndays + 1}.00000000 (8 decimals) in 2056, the last TLE year")
            year, day = int(year) + 1, 1.0
            put(self, "epoch_day", day)
        for name in ("satnum", "ephemeris_type", "element_number", "rev_number"):
            v = getattr(self, name)
            if type(v) is not int and number(v) and float(v).is_integer():
                put(self, name, int(v))
        if type(year) is not int:
            put(self, "epoch_year", int(year))
        elif year != self.epoch_year:
            put(self, "epoch_year", year)
        for name in ("ndot", "nddot", "bstar"):
            if not number(getattr(self, name)):
                raise bad(name, getattr(self, name), "a finite number")
        if round(abs(self.ndot), 8) >= 1.0:
            raise bad("ndot", self.ndot,
                      "|ndot| < 1 rev/day^2 after rounding to the 8 decimals of the field "
                      "(+.NNNNNNNN)")
        _format_expform(self.nddot, False, "nddot")  # checks the one-digit exponent
        _format_expform(self.bstar, False, "bstar")
        for name, hi in (("ephemeris_type", 9), ("element_number", 9999),
                         ("rev_number", 99999)):
            v = getattr(self, name)
            if not (number(v) and float(v).is_integer() and 0 <= v <= hi):
                raise bad(name, v, f"an integer 0..{hi}")
        if not (number(self.inclination_rad) and 0.0 <= self.inclination_rad <= math.pi):
            raise bad("inclination", self.inclination_rad,
                      "0 <= inclination <= pi rad (0-180 degrees)")
        for name in ("raan", "arg_perigee", "mean_anomaly"):
            v = getattr(self, name + "_rad")
            if not (number(v) and 0.0 <= v <= 2.0 * math.pi):
                raise bad(name, v, "an angle in [0, 2 pi] rad (0-360 degrees)")
        e = self.eccentricity
        if not (number(e) and 0.0 <= e < 1.0):
            raise bad("eccentricity", e, "0 <= e < 1 (SGP4 handles closed orbits only)")
        if round(e * 1e7) > 9999999:
            raise bad("eccentricity", e,
                      "e < 0.99999995, which the 7-digit field can hold (this rounds to 1)")
        mm = self.mean_motion_rev_per_day
        if not (number(mm) and 0.0 < mm < 100.0):
            raise bad("mean_motion", mm, "0 < mean motion < 100 rev/day")
        if not 0.0 < round(mm, 8) < 100.0:
            raise bad("mean_motion", mm,
                      "0.000000005 <= mean motion < 99.999999995 rev/day, which the field "
                      f"NN.NNNNNNNN holds (this value rounds to {mm:.8f})")
        zp = self._zero_exponent_plus
        if not (type(zp) is tuple and len(zp) == 2
                and all(isinstance(x, (bool, np.bool_)) for x in zp)):
            raise InputError(f"_zero_exponent_plus = {_clip(zp)}; expected two bools",
                             field="_zero_exponent_plus", value=_clip_value(zp))
        name = self.name
        if name is not None:
            if not isinstance(name, str):
                raise InputError(f"name must be text or None, got {_clip(name)}",
                                 field="name", value=_clip_value(name))
            m = _CONTROL.search(name)
            if m:
                raise InputError(
                    f"name {_clip(name)} contains the control character {m.group()!r} at "
                    f"position {m.start() + 1}; a name is one line of printable text (a 3LE "
                    "name line)", field="name", value=_clip_value(name))
            if name != name.strip() or not name:
                put(self, "name", name.strip() or None)

    # ---------------------------------------------------------------- parsing
    @classmethod
    def from_lines(cls, line1, line2, name=None, *, source=None, first_line_number=None,
                   verify_checksum=True):
        """Parse and validate one element set.

        Parameters
        ----------
        line1, line2 : str
            The two card images. A trailing ``\\n``/``\\r\\n`` is removed; at least 69
            columns are required, and anything after column 69 is ignored (the Vallado
            verification file keeps its start/stop/step times there).
        name : str, optional
            Object name (a 3LE line 0); a ``"0 "`` prefix and surrounding blanks are
            removed.
        source : str, optional
            Where the lines come from (file name), for error messages.
        first_line_number : int, optional
            1-based line number of ``line1`` in ``source`` (``line2`` is taken to follow
            it); without it, messages say line 1 and line 2.
        verify_checksum : bool
            Check column 69 of both lines (default True).

        Returns
        -------
        TLE

        Raises
        ------
        InputError
            A malformed line or an impossible value. The message gives the source, the
            line number, the column range, the field, the text found and what was
            expected, and shows the column template above the line.
        """
        n1 = first_line_number
        if n1 is None:
            n1 = 1
        elif not (isinstance(n1, (int, np.integer)) and not isinstance(n1, (bool, np.bool_))
                  and n1 >= 1):
            raise InputError(f"first_line_number = {_clip(n1)}; expected an integer >= 1 "
                             "(the line number of line 1 in source) or None",
                             source=None if source is None else _clip_plain(source),
                             field="first_line_number", value=_clip_value(n1))
        if source is not None:
            if isinstance(source, os.PathLike):
                source = os.fspath(source)
                source = os.fsdecode(source) if isinstance(source, bytes) else source
            if not isinstance(source, str):
                raise InputError(f"source = {_clip(source)}; expected a file name (str or "
                                 "os.PathLike) or None", field="source",
                                 value=_clip_value(source))
        if name is not None and not isinstance(name, str):
            raise InputError(f"name must be text or None, got {_clip(name)}", source=source,
                             field="name", value=_clip_value(name))
        if name is not None:
            name = name.strip()
            if name.startswith("0 "):
                name = name[2:].strip()
        verify_checksum = _check_flag(verify_checksum, "verify_checksum")
        known = source is not None or first_line_number is not None
        return cls._parse(line1, line2, name, source, int(n1), int(n1) + 1, verify_checksum,
                          located=known)

    @classmethod
    def _parse(cls, line1, line2, name, source, lineno1, lineno2, verify_checksum, *,
               located=True):
        loc = _Loc(source, lineno1, lineno2)
        t1 = _clean(line1, 1, loc)
        t2 = _clean(line2, 2, loc)
        f1 = _check_line(t1, 1, loc, verify_checksum)
        f2 = _check_line(t2, 2, loc, verify_checksum)
        satnum = alpha5_to_int(f1["satnum"])
        if alpha5_to_int(f2["satnum"]) != satnum:
            raise loc.error(2, t2, "satnum", 3, 7, repr(f2["satnum"]),
                            f"{f1['satnum']!r}, the catalog number on line 1 (line "
                            f"{lineno1}); the two lines belong to different objects")
        yy = int(f1["epoch"][:2])
        year = 1900 + yy if yy >= 57 else 2000 + yy
        day = float(f1["epoch"][2:])
        if not 1.0 <= day < _days_in_year(year) + 1:
            raise loc.error(1, t1, "epoch", 21, 32, repr(f1["epoch"][2:]),
                            f"a day of year in [1, {_days_in_year(year) + 1}) for {year}")
        incl = float(f2["inclination"])
        if incl > 180.0:
            raise loc.error(2, t2, "inclination", 9, 16, repr(f2["inclination"]),
                            "0 <= inclination <= 180 degrees")
        for key, a, b in (("raan", 18, 25), ("arg_perigee", 35, 42),
                          ("mean_anomaly", 44, 51)):
            if float(f2[key]) > 360.0:
                raise loc.error(2, t2, key, a, b, repr(f2[key]), "an angle 0..360 degrees")
        mm = float(f2["mean_motion"])
        if mm <= 0.0:
            raise loc.error(2, t2, "mean_motion", 53, 63, repr(f2["mean_motion"]),
                            "a mean motion > 0 rev/day")
        nddot, nddot_plus = _parse_expform(f1["nddot"])
        bstar, bstar_plus = _parse_expform(f1["bstar"])
        ndot_text = f1["ndot"]
        try:
            tle = cls(
                satnum=satnum,
                classification=f1["classification"],
                intl_designator=f1["intl_designator"].strip(),
                epoch_year=year,
                epoch_day=day,
                ndot=float(("-" if ndot_text[0] == "-" else "") + ndot_text[1:]),
                nddot=nddot,
                bstar=bstar,
                ephemeris_type=int(f1["ephemeris_type"].strip() or 0),
                element_number=int(f1["element_number"].strip() or 0),
                inclination_rad=incl * _DEG,
                raan_rad=float(f2["raan"]) * _DEG,
                eccentricity=float("0." + f2["eccentricity"]),
                arg_perigee_rad=float(f2["arg_perigee"]) * _DEG,
                mean_anomaly_rad=float(f2["mean_anomaly"]) * _DEG,
                mean_motion_rev_per_day=mm,
                rev_number=int(f2["rev_number"].strip() or 0),
                name=name,
                _zero_exponent_plus=(nddot_plus, bstar_plus),
            )
        except InputError as exc:  # a name with control characters, a lower-case piece
            raise InputError(str(exc), source=source, line=lineno1, field=exc.field,
                             value=exc.value) from None
        if located:
            object.__setattr__(tle, "source", source)
            object.__setattr__(tle, "line_number", lineno1)
        return tle

    @classmethod
    def from_file(cls, path, *, verify_checksum=True):
        """The one element set of a 2LE/3LE file (see :func:`read_tles` for several).

        Raises :class:`InputError` if the file holds no element set or more than one.
        """
        verify_checksum = _check_flag(verify_checksum, "verify_checksum")
        source, lines = _split_lines(path, text_ok=False)
        tles = _read_lines(source, lines, verify_checksum)
        if len(tles) != 1:
            raise InputError(
                f"expected exactly one element set, found {len(tles)}; use "
                "cosmoplan.tle.read_tles() to read several", source=source,
                field="file", value=len(tles),
            )
        return tles[0]

    # ---------------------------------------------------------------- writing
    def to_lines(self):
        """The two canonical 69-column lines, checksums recomputed.

        Returns
        -------
        line1, line2 : str
            Without line ends. ``TLE.from_lines(*t.to_lines()) == t`` field for field.
        """
        yy = self.epoch_year % 100
        ndot_sign = "-" if math.copysign(1.0, self.ndot) < 0 else " "
        ndot = f"{abs(self.ndot):.8f}"[1:]  # < 1 after rounding: checked on creation
        sat = int_to_alpha5(self.satnum)
        l1 = (
            f"1 {sat}{self.classification} {self.intl_designator:<8} "
            f"{yy:02d}{self.epoch_day:012.8f} {ndot_sign}{ndot} "
            f"{_format_expform(self.nddot, self._zero_exponent_plus[0], 'nddot')} "
            f"{_format_expform(self.bstar, self._zero_exponent_plus[1], 'bstar')} "
            f"{int(self.ephemeris_type):1d} {int(self.element_number):4d}"
        )
        ecc = round(self.eccentricity * 1e7)  # <= 9999999: checked on creation
        # '+ 0.0' turns an angle of -0.0 into 0.0 (no '-' in the field)
        l2 = (
            f"2 {sat} {math.degrees(self.inclination_rad) + 0.0:8.4f} "
            f"{math.degrees(self.raan_rad) + 0.0:8.4f} {ecc:07d} "
            f"{math.degrees(self.arg_perigee_rad) + 0.0:8.4f} "
            f"{math.degrees(self.mean_anomaly_rad) + 0.0:8.4f} "
            f"{self.mean_motion_rev_per_day:11.8f}{int(self.rev_number):5d}"
        )
        if len(l1) != 68 or len(l2) != 68:  # pragma: no cover - guarded by __post_init__
            raise InputError(f"cannot format element set {self.satnum} in 69 columns (a "
                             f"field overflows its columns):\n{l1}\n{l2}", field="element set",
                             value=self.satnum)
        return l1 + str(tle_checksum(l1)), l2 + str(tle_checksum(l2))

    def __str__(self):
        l1, l2 = self.to_lines()
        return f"{self.name}\n{l1}\n{l2}" if self.name else f"{l1}\n{l2}"

    # ---------------------------------------------------------------- epoch
    @cached_property
    def _jd(self):
        """(jd1, jd2) as python-sgp4 stores them (``jdsatepoch``, ``jdsatepochF``): 0h of
        the day and the day fraction rounded to the TLE's 8 decimals (0.86 ms)."""
        whole = math.floor(self.epoch_day)
        jd1 = _dt.date(int(self.epoch_year), 1, 1).toordinal() + _ORDINAL_TO_JD + whole - 1
        return jd1, round(self.epoch_day - whole, 8)

    @cached_property
    def epoch(self):
        """Epoch of the element set, an :class:`~cosmoplan.time.Epoch` in UTC.

        The day fraction is read as a fraction of 86400 UTC clock seconds (so 0.5 is
        12:00:00 UTC also on a day that ends with a leap second, where ERFA's
        quasi-Julian-date fraction would spread the day over 86401 s).
        """
        jd1, frac = self._jd
        length = _utc_day_length_s(jd1)
        return Epoch(jd1, frac * 86400.0 / length if length != 86400.0 else frac,
                     scale="utc")

    def age_days(self, epoch):
        """Days from this element set's epoch to ``epoch`` (positive after it).

        ``epoch`` may be an Epoch (any scale, any shape), ISO text or an aware datetime;
        the result has its shape. Intervals are in SI days (86400 SI s), leap seconds
        counted.
        """
        return (Epoch.coerce(epoch) - self.epoch) / 86400.0

    # ---------------------------------------------------------------- SGP4
    @cached_property
    def satrec(self):
        """python-sgp4 ``Satrec`` of this element set, built once and cached.

        Made with ``Satrec.twoline2rv(line1, line2, WGS72)`` from :meth:`to_lines` (so a
        canonical line: the same numbers as the line read). WGS-72 are the constants of
        the verification set of Vallado et al. (2006), AIAA 2006-6753, and of the element
        sets distributed by the 18th Space Defense Squadron. python-sgp4 reads
        Alpha-5 catalog numbers itself (``satnum`` 100000 for ``'A0000'``; checked by
        ``tests/test_tle.py::test_alpha5_round_trip_and_sgp4``).
        The object is shared: do not modify it.
        """
        from sgp4.api import WGS72, Satrec

        return Satrec.twoline2rv(*self.to_lines(), WGS72)

    def propagate(self, epochs, frame="TEME", *, max_age_days=14.0):
        """States from SGP4 at the given epochs, as a :class:`~cosmoplan.trajectory.Trajectory`.

        Parameters
        ----------
        epochs : Epoch, shape () or (M,)
            Strictly increasing epochs, any time scale (or ISO text / aware datetimes).
            Time since the element-set epoch is counted in SI seconds (leap seconds
            included), the ``tsince`` minutes of Spacetrack Report #3.
        frame : str
            ``'TEME'`` (SGP4's own frame, Vallado et al. 2006 App. C) or any frame of
            :func:`cosmoplan.frames.transform` (``'GCRF'``, ``'ITRF'``, ...), reached
            through cosmoplan's frame tree with the bundled EOP.
        max_age_days : float or None
            Warn (:class:`~cosmoplan.errors.StaleDataWarning`) when an epoch is more than
            this many days from the element-set epoch; None never warns.

        Returns
        -------
        Trajectory
            ``r`` (M, 3) km, ``v`` (M, 3) km/s in ``frame``, centre ``'earth'``, named
            after the object.

        Raises
        ------
        PropagationError
            If SGP4 returns a non-zero error code at any epoch (decayed, eccentricity out
            of range, ...), or a state that fails the plausibility check of the module
            docstring (code :data:`IMPLAUSIBLE_STATE`, 99). The message names the element
            set (object, catalog number, epoch, and file and line when it was read from
            one) and gives how many epochs failed, the first one (ISO), the code and its
            text; ``codes`` holds the (M,) codes. No NaN or implausible state is ever
            returned as a position.
        InputError
            Epochs that are not an Epoch, ISO text or aware datetimes, an empty or 2-D
            epoch array, epochs not strictly increasing, an unknown frame, or a
            ``max_age_days`` that is not a number >= 0 or None.
        """
        epochs = Epoch.coerce(epochs)
        if epochs.ndim > 1:
            raise InputError(
                f"TLE.propagate takes one epoch or a 1-D array of epochs, got shape "
                f"{epochs.shape}; use propagate_tles() for other shapes (or ravel())",
                field="epochs", value=epochs.shape)
        res = _propagate([self], epochs, max_age_days, stacklevel=3)
        res.raise_for_errors()
        traj = Trajectory(res.epoch, res.r[0], res.v[0], frame="TEME", center="earth",
                          name=self._label())
        if str(frame).upper() != "TEME":
            traj = traj.to_frame(frame)
        return traj

    def _label(self):
        return self.name or f"NORAD {self.satnum}"

    def _describe(self):
        """'TIANHE (NORAD 48274; element set of 2021-06-01T22:02:51.408Z, file line 3)'."""
        where = ""
        if self.source is not None:
            where = f", {_clip_plain(self.source)}"
            if self.line_number is not None:
                where += f" line {self.line_number}"
        elif self.line_number is not None:
            where = f", line {self.line_number}"
        what = f"{self.name} (NORAD {self.satnum}; " if self.name else f"NORAD {self.satnum} ("
        return f"{what}element set of {self.epoch.iso()}{where})"

    @cached_property
    def _max_r2(self):
        """Square of the largest plausible |r| (km^2): 1.5 a (1 + e) + 1000 km."""
        n = self.mean_motion_rev_per_day * (2.0 * math.pi / 86400.0)  # rad/s
        a = (_MU_KM3_S2 / (n * n)) ** (1.0 / 3.0)
        return (_APOGEE_FACTOR * a * (1.0 + self.eccentricity) + _APOGEE_MARGIN_KM) ** 2


# ------------------------------------------------------------------ files
_TEXT_HINT = " or TLE text (a str with line breaks)"


def _text_lines(text):
    """Lines of TLE text: ``\\r\\n``, ``\\r`` and ``\\n`` line ends, a leading BOM dropped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _not_text(source, where, what):
    return InputError(
        f"not a text TLE file: {what} at {where}; a TLE file is plain (ASCII or UTF-8) "
        "text of 69-column lines (is this a binary or compressed file?)",
        source=source, field="file", value=what)


def _byte_where(raw, k):
    line = raw.count(b"\n", 0, k) + 1
    column = k - raw.rfind(b"\n", 0, k)
    return f"line {line}, column {column} (byte {k + 1} of the file)"


def _split_lines(path_or_text, *, text_ok=True):
    """(source name, list of lines without line ends) of a path or of TLE text.

    ``text_ok``: a ``str`` with a line break (or '') is the text itself; without it
    (:meth:`TLE.from_file`) such a string is refused."""
    if isinstance(path_or_text, str):
        s = path_or_text
        if (not s and text_ok) or "\n" in s or "\r" in s:
            if not text_ok:
                raise InputError(
                    f"{_clip(s)} looks like TLE text, not a file name; use "
                    "read_tles(text) or TLE.from_lines(line1, line2)", field="path",
                    value=_clip_value(s))
            k = s.find("\x00")
            if k >= 0:
                raise _not_text("<text>", f"line {s.count(chr(10), 0, k) + 1}",
                                "a NUL character")
            return "<text>", _text_lines(s)
    path = _path_arg(path_or_text, "path_or_text" if text_ok else "path",
                     text_hint=_TEXT_HINT if text_ok else "")
    source = _clip_plain(path)
    try:
        raw = path.read_bytes()
    except (OSError, ValueError) as exc:
        text = str(path_or_text) if isinstance(path_or_text, str) else ""
        if text and _TLE_LINE_START.match(text):
            raise InputError(
                f"{_clip(text)} looks like TLE text, not a file name: there is no such "
                "file. Pass both lines of the element set separated by a line break "
                "(read_tles(line1 + '\\n' + line2)), or use TLE.from_lines(line1, line2)",
                field="path_or_text", value=_clip_value(text)) from None
        if _is_dir(path):
            raise InputError("cannot read TLE file: it is a directory, not a file",
                             source=source, field="file", value=source) from None
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"cannot read TLE file: {reason}", source=source, field="file",
                         value=source) from None
    k = raw.find(b"\x00")
    if k >= 0:
        raise _not_text(source, _byte_where(raw, k), "a NUL byte")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        k = exc.start
        raise _not_text(source, _byte_where(raw, k),
                        f"byte 0x{raw[k]:02X}, which is not UTF-8 text") from None
    return source, _text_lines(text)


def read_tles(path_or_text, *, verify_checksum=True):
    """Read every element set of a 2LE or 3LE file (or of TLE text).

    Parameters
    ----------
    path_or_text : str or os.PathLike
        A file name (``str`` or ``os.PathLike``), or the text itself (any ``str``
        containing a line break, or ''). Other types (bytes, open files, lists) are
        refused with an :class:`InputError` saying what to pass instead; a single TLE
        line given without a line break is refused as "TLE text, not a file name".
    verify_checksum : bool
        Check column 69 of every line (default True).

    Returns
    -------
    list of TLE
        In file order, each with its ``name`` when the file has name lines, and with
        ``source`` and ``line_number`` telling where it was read.

    Notes
    -----
    Name lines are those starting with ``"0 "`` (Space-Track 3LE) or any other line not
    starting with ``"1 "`` or ``"2 "`` (CelesTrak); a name applies to the element set that
    follows. Blank lines, ``#`` comment lines, ``\\r\\n`` (and ``\\r``) line ends and a
    UTF-8 byte-order mark are accepted. The file must be UTF-8 (ASCII) text without NUL
    bytes; control characters in a name line are refused. The Vallado verification file
    (characters after column 69) reads as it is. Text from the input shown in a message
    is cut to 80 characters.

    Raises
    ------
    InputError
        Naming the file, the 1-based line number in it, the columns and the field; also for
        a line 2 without a line 1, a line 1 not followed by its line 2, a name line with no
        element set after it, a file that is not text, a directory, or a missing file.
    """
    verify_checksum = _check_flag(verify_checksum, "verify_checksum")
    source, lines = _split_lines(path_or_text)
    return _read_lines(source, lines, verify_checksum)


def _read_lines(source, lines, verify_checksum):
    """The element sets of a file's lines (see :func:`read_tles`)."""
    out = []
    pending = None  # (line number, name)
    k = 0
    n = len(lines)
    while k < n:
        text = lines[k]
        k += 1
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if text.startswith("1 "):
            lineno1 = k
            while k < n and (not lines[k].strip() or lines[k].lstrip().startswith("#")):
                k += 1
            if k >= n or not lines[k].startswith("2 "):
                found = "the end of the file" if k >= n else _clip(lines[k][:69])
                raise InputError(
                    f"TLE line 1 (line {lineno1}) is not followed by its line 2: found "
                    f"{found}; expected a line starting with '2 '",
                    source=source, line=min(k + 1, n), field="line number",
                    value=found,
                )
            name = pending[1] if pending else None
            pending = None
            out.append(TLE._parse(text, lines[k], name, source, lineno1, k + 1,
                                  verify_checksum))
            k += 1
        elif text.startswith("2 "):
            raise InputError(
                f"found TLE line 2 {_clip(text[:69])} without a line 1 before it; expected a "
                "line starting with '1 '", source=source, line=k, field="line number",
                value=_clip_value(text),
            )
        else:
            name = text.strip()
            bad = _CONTROL.search(name)
            if bad:
                col = text.index(bad.group()) + 1
                raise InputError(
                    f"column {col}: control character {bad.group()!r} in the name line "
                    f"{_clip(name)}; expected a name of printable text, or a TLE line"
                    f"{_NOT_TLE if not out else ''}", source=source, line=k, field="name",
                    value=_clip_value(name))
            if pending is not None:
                raise InputError(
                    f"name line {_clip(name)} follows name line {pending[0]} "
                    f"({_clip(pending[1])}) with no element set between them; expected a "
                    f"line starting with '1 '{_NOT_TLE if not out else ''}", source=source,
                    line=k, field="name", value=_clip_value(text),
                )
            pending = (k, name[2:].strip() if name.startswith("0 ") else name)
    if pending is not None:
        raise InputError(
            f"name line {_clip(pending[1])} is not followed by an element set"
            f"{_NOT_TLE if not out else ''}", source=source, line=pending[0], field="name",
            value=_clip_value(pending[1]),
        )
    return out


_NOT_TLE = " (no element set found before it: is this a TLE file?)"


def write_tles(tles, path, three_line=True):
    """Write element sets to a file atomically (temporary file, then ``os.replace``).

    Parameters
    ----------
    tles : TLE or iterable of TLE
    path : str or os.PathLike
        Destination file; its directory must exist. A failure (a bad element, a full disk)
        leaves any existing file untouched and no partial or temporary file behind.
    three_line : bool
        Write a ``"0 NAME"`` line (Space-Track 3LE form) before each element set that has
        a name (default True); False writes bare line pairs.

    Lines are the canonical ones of :meth:`TLE.to_lines`, with ``\\n`` line ends, so
    :func:`read_tles` gives back equal element sets (with their names if ``three_line``).

    Raises
    ------
    InputError
        An item that is not a TLE, a path that is not a str/os.PathLike, a directory, a
        folder that does not exist, or a failure to write (no permission, disk full),
        naming the path.
    """
    path = _path_arg(path, "path")
    three_line = _check_flag(three_line, "three_line")
    source = _clip_plain(path)
    if isinstance(tles, TLE):
        tles = (tles,)
    elif isinstance(tles, (str, bytes)) or not hasattr(tles, "__iter__"):
        raise InputError(f"tles must be a TLE or a list of TLE objects, got "
                         f"{type(tles).__name__}", source=source, field="tles",
                         value=_clip_value(tles))
    chunks = []
    for k, t in enumerate(tles):
        if not isinstance(t, TLE):
            raise InputError(f"item {k} is a {type(t).__name__}, not a TLE",
                             source=source, field="tles", value=_clip_value(t))
        l1, l2 = t.to_lines()
        if three_line and t.name:
            chunks.append(f"0 {t.name}\n")
        chunks.append(f"{l1}\n{l2}\n")
    if _is_dir(path):
        raise InputError("cannot write the TLE file: the path is a directory, not a file",
                         source=source, field="path", value=source)
    if not _is_dir(path.parent):
        raise InputError("the folder to write into does not exist", source=source,
                         field="path", value=_clip_plain(path.parent))
    try:
        atomic_write_text(path, "".join(chunks))
    except OSError as exc:
        raise InputError(f"cannot write the TLE file: {exc.strerror or exc}", source=source,
                         field="path", value=source) from None


# ------------------------------------------------------------------ batch propagation
@dataclass(frozen=True, eq=False)
class SGP4Result:
    """States of N element sets at M epochs from :func:`propagate_tles`.

    Attributes
    ----------
    epoch : Epoch
        The requested epochs, shape E (``()`` or ``(M,)``, ...).
    r, v : ndarray, shape (N,) + E + (3,)
        Positions (km) and velocities (km/s) in ``frame``; NaN where ``error`` is non-zero
        (including SGP4 code 6, for which python-sgp4 returns numbers, and code 99).
    error : ndarray of uint8, shape (N,) + E
        Error codes, 0 = good: python-sgp4's 1-6 (meanings in ``sgp4.api.SGP4_ERRORS``)
        and cosmoplan's :data:`IMPLAUSIBLE_STATE` (99), a state SGP4 returned with code 0
        that fails the plausibility check of the module docstring.
    satnum : ndarray of int, shape (N,)
    names : tuple of str
        Object names (``'NORAD n'`` where the element set has none).
    frame : str
        ``'TEME'`` as propagated; see :meth:`to_frame`.
    """

    epoch: Epoch
    r: np.ndarray
    v: np.ndarray
    error: np.ndarray
    satnum: np.ndarray
    names: tuple
    frame: str = "TEME"
    # The element sets (for messages) and, where code 99, |r| and |v| of the rejected
    # state (shape (N,) + E + (2,), NaN elsewhere; None when there is none).
    _tles: tuple = field(default=(), repr=False)
    _rejected: np.ndarray | None = field(default=None, repr=False)

    @property
    def valid(self):
        """Boolean mask, shape (N,) + E: True where SGP4 returned a plausible state."""
        return self.error == 0

    def raise_for_errors(self):
        """Raise :class:`PropagationError` if any code is non-zero; return self otherwise.

        The message gives the number of failed (satellite, epoch) pairs, the first one
        (object, catalog number, element-set epoch and the file and line it was read from,
        and the ISO epoch of the failure), its code and its text; ``codes`` holds
        ``error`` (for one satellite, its (M,) row).
        """
        bad = self.error != 0
        if not bad.any():
            return self
        nsat_all = len(self.names)
        flat_err = self.error.reshape(nsat_all, -1)
        flat_bad = bad.reshape(nsat_all, -1)
        i, j = (int(x[0]) for x in np.nonzero(flat_bad))
        code = int(flat_err[i, j])
        when = self.epoch.ravel()[j].utc.iso()
        text = self._error_text(code, i, j)
        nsat = int(flat_bad.any(axis=1).sum())
        if i < len(self._tles):
            who = self._tles[i]._describe()
        else:
            who = f"{self.names[i]} (NORAD {int(self.satnum[i])})"
        if nsat_all == 1:
            what = f"SGP4 failed for {who} at {int(bad.sum())} of {bad.size} epochs"
            codes = self.error[0]
        else:
            what = (f"SGP4 failed at {int(bad.sum())} of {bad.size} (satellite, epoch) "
                    f"pairs, for {nsat} of {nsat_all} satellites; first: {who}")
            codes = self.error
        raise PropagationError(f"{what}; first failure at {when}: error {code}: {text}",
                               codes=codes)

    def _error_text(self, code, i, j):
        if code != IMPLAUSIBLE_STATE:
            from sgp4.api import SGP4_ERRORS

            return SGP4_ERRORS.get(code, "unknown error code")
        text = "implausible state"
        if self._rejected is not None:
            rn, vn = self._rejected.reshape(len(self.names), -1, 2)[i, j]
            text += f" (|r| = {rn:.6g} km, |v| = {vn:.6g} km/s)"
        if i < len(self._tles):
            hi = math.sqrt(self._tles[i]._max_r2)
            text += (f"; expected {_R_MIN_KM:.0f} km <= |r| <= {hi:.0f} km (1.5 x the mean "
                     "apogee radius + 1000 km) and |v| <= 1.25 x the escape speed")
        return (text + ". SGP4 gave no error code, but no orbit of these elements reaches "
                "this: check B* (line 1, columns 54-61) of this element set, or propagate "
                "closer to its epoch")

    def to_frame(self, frame):
        """The same states in another Earth frame (:func:`cosmoplan.frames.transform`).

        Invalid entries stay NaN; ``error`` is unchanged. ``to_frame('GCRF')`` gives the
        GCRF version.
        """
        from .frames import transform

        bad = self.error != 0
        r, v = self.r, self.v
        if bad.any():  # transform() refuses NaN: rotate zeros there, then NaN again
            r, v = r.copy(), v.copy()
            r[bad] = 0.0
            v[bad] = 0.0
        r, v = transform(r, v, self.epoch, self.frame, frame)
        if bad.any():
            r[bad] = np.nan
            v[bad] = np.nan
        return SGP4Result(self.epoch, r, v, self.error, self.satnum, self.names,
                          str(frame).upper(), self._tles, self._rejected)

    def trajectory(self, index):
        """The states of satellite ``index`` as a :class:`Trajectory` (0-D or 1-D epochs).

        Raises :class:`PropagationError` if any of its epochs failed, :class:`InputError`
        for an index that is not an integer in range or for epochs of 2 or more
        dimensions.
        """
        n = len(self.names)
        if not (isinstance(index, (int, np.integer)) and not isinstance(index, (bool, np.bool_))
                and -n <= index < n):
            raise InputError(f"index = {_clip(index)}; expected an integer -{n} <= index < {n} "
                             f"(the result holds {n} element sets)", field="index",
                             value=_clip_value(index))
        if self.epoch.ndim > 1:
            raise InputError(f"trajectory() needs 0-D or 1-D epochs, these have shape "
                             f"{self.epoch.shape}; index r, v and error directly",
                             field="epoch", value=self.epoch.shape)
        index = int(index) % n
        sl = slice(index, index + 1)
        one = SGP4Result(self.epoch, self.r[sl], self.v[sl], self.error[sl], self.satnum[sl],
                         (self.names[index],), self.frame, self._tles[sl],
                         None if self._rejected is None else self._rejected[sl])
        one.raise_for_errors()
        return Trajectory(self.epoch, one.r[0], one.v[0], frame=self.frame, center="earth",
                          name=self.names[index])


def _tle_epoch_arrays(tles):
    """Element-set epochs: (jd1, jd2) as SGP4 counts them, and as UTC quasi-JD (Epoch)."""
    n = len(tles)
    sgp4_jd1 = np.fromiter((t._jd[0] for t in tles), float, n)
    sgp4_jd2 = np.fromiter((t._jd[1] for t in tles), float, n)
    epoch_jd2 = np.fromiter((float(t.epoch.jd2) for t in tles), float, n)
    return sgp4_jd1, sgp4_jd2, Epoch(sgp4_jd1, epoch_jd2, scale="utc")


def propagate_tles(tles, epochs, *, max_age_days=14.0):
    """SGP4 for N element sets at M epochs in one python-sgp4 ``SatrecArray`` call.

    Parameters
    ----------
    tles : sequence of TLE, length N
    epochs : Epoch
        Any shape E (or ISO text / aware datetimes), any time scale.
    max_age_days : float or None
        Warn (:class:`~cosmoplan.errors.StaleDataWarning`) if an epoch is more than this
        many days from an element set's epoch; None never warns.

    Returns
    -------
    SGP4Result
        ``r``, ``v`` of shape (N,) + E + (3,) in TEME (km, km/s), ``error`` (N,) + E codes
        and the ``valid`` mask; nothing is raised for SGP4 errors here, call
        :meth:`SGP4Result.raise_for_errors` to insist. A state SGP4 returns with code 0
        that fails the plausibility check of the module docstring gets code
        :data:`IMPLAUSIBLE_STATE` (99) and NaN, like an SGP4 error.

    Raises
    ------
    InputError
        ``tles`` not a TLE or a sequence of them (a single TLE counts as N = 1), an empty
        sequence, epochs that are not an Epoch, ISO text or aware datetimes, an empty
        epoch array, or a ``max_age_days`` that is not a number >= 0 or None.

    Notes
    -----
    Times since each element-set epoch are in SI minutes (leap seconds counted): the
    epochs become one Julian-date axis, ``jd`` = UTC JD of the first epoch and ``fr`` =
    SI days since it, built once; python-sgp4 subtracts each satellite's
    ``jdsatepoch``. Where a leap second lies between an element-set epoch and the first
    epoch (the UTC JD difference then differs from SI time), those satellites run in a
    separate call with ``fr`` shifted by the leap seconds: one call per distinct shift,
    never per satellite or per epoch.
    """
    return _propagate(tles, epochs, max_age_days, stacklevel=3)


def _check_plausible(tles, err, r, v):
    """Set code 99 where SGP4 gave code 0 and an implausible state (module docstring).

    Returns None, or |r| and |v| of the rejected states (shape err.shape + (2,), NaN
    elsewhere). Works through blocks of rows with preallocated buffers, so that the
    temporaries stay in cache (the check costs a few per cent of the SGP4 time)."""
    n, m = err.shape
    hi2 = np.fromiter((t._max_r2 for t in tles), float, n)[:, None]
    step = max(1, 8192 // max(1, m))
    sq = np.empty((min(step, n), m, 3))
    r2, v2, e2 = (np.empty((min(step, n), m)) for _ in range(3))
    ok, tmp = (np.empty((min(step, n), m), bool) for _ in range(2))
    rejected = None
    for i in range(0, n, step):
        k = min(step, n - i)
        s_, r2_, v2_, e2_, ok_, tmp_ = sq[:k], r2[:k], v2[:k], e2[:k], ok[:k], tmp[:k]
        np.square(r[i:i + k], out=s_)
        np.add(s_[..., 0], s_[..., 1], out=r2_)
        r2_ += s_[..., 2]
        np.square(v[i:i + k], out=s_)
        np.add(s_[..., 0], s_[..., 1], out=v2_)
        v2_ += s_[..., 2]
        # (|v|^2)^2 |r|^2 against its bound: |v| <= 1.25 sqrt(2 mu / |r|) without a root
        np.multiply(v2_, v2_, out=e2_)
        e2_ *= r2_
        np.less_equal(e2_, _V2R_MAX2, out=ok_)  # a NaN fails every comparison
        ok_ &= np.less_equal(r2_, hi2[i:i + k], out=tmp_)
        ok_ &= np.greater_equal(r2_, _R_MIN2, out=tmp_)
        if ok_.all():
            continue
        fishy = ~ok_
        fishy &= err[i:i + k] == 0
        if not fishy.any():
            continue
        err[i:i + k][fishy] = IMPLAUSIBLE_STATE
        if rejected is None:
            rejected = np.full(err.shape + (2,), np.nan)
        rejected[i:i + k][fishy] = np.stack([np.sqrt(r2_[fishy]), np.sqrt(v2_[fishy])], -1)
    return rejected


def _propagate(tles, epochs, max_age_days, stacklevel):
    from sgp4.api import SatrecArray

    if isinstance(tles, TLE):
        tles = [tles]
    elif isinstance(tles, (str, bytes)) or not hasattr(tles, "__iter__"):
        raise InputError(f"tles must be a TLE or a sequence of TLE objects, got "
                         f"{type(tles).__name__}", field="tles", value=_clip_value(tles))
    tles = list(tles)
    if not tles:
        raise InputError("propagate_tles needs at least one element set", field="tles")
    for k, t in enumerate(tles):
        if not isinstance(t, TLE):
            raise InputError(f"item {k} of tles is a {type(t).__name__}, not a TLE",
                             field="tles", value=_clip_value(t))
    if max_age_days is not None and not (
            isinstance(max_age_days, (int, float, np.integer, np.floating))
            and not isinstance(max_age_days, (bool, np.bool_)) and max_age_days >= 0):
        raise InputError(f"max_age_days = {_clip(max_age_days)}; expected a number of days "
                         ">= 0, or None never to warn", field="max_age_days",
                         value=_clip_value(max_age_days))
    epochs = Epoch.coerce(epochs, field="epochs")
    if epochs.size == 0:
        raise InputError(f"no epochs to propagate to (an empty array, shape {epochs.shape});"
                         " expected at least one epoch", field="epochs", value=epochs.shape)
    shape = epochs.shape
    flat = epochs.ravel()
    ref = flat[0].utc
    dt_s = np.asarray(flat - ref, dtype=float)  # SI seconds since the first epoch
    jd = np.full(dt_s.shape, float(ref.jd1))
    fr = float(ref.jd2) + dt_s / 86400.0

    # Per satellite: SI seconds from its epoch to ref, and how far the difference of
    # the Julian dates SGP4 subtracts is from it (non-zero only across a leap second).
    e1, e2, tle_epochs = _tle_epoch_arrays(tles)
    since_s = np.asarray(ref - tle_epochs, dtype=float)
    shift_s = since_s - ((float(ref.jd1) - e1) + (float(ref.jd2) - e2)) * 86400.0
    shift_s = np.where(np.abs(shift_s) < 1e-6, 0.0, np.round(shift_s, 6))

    sats = [t.satrec for t in tles]
    if not shift_s.any():
        err, r, v = SatrecArray(sats).sgp4(jd, fr)
    else:
        n, m = len(tles), dt_s.size
        err = np.empty((n, m), np.uint8)
        r = np.empty((n, m, 3))
        v = np.empty((n, m, 3))
        for s in np.unique(shift_s):  # one call per distinct leap-second shift
            idx = np.nonzero(shift_s == s)[0]
            e_, r_, v_ = SatrecArray([sats[i] for i in idx]).sgp4(jd, fr + s / 86400.0)
            err[idx], r[idx], v[idx] = e_, r_, v_
    rejected = _check_plausible(tles, err, r, v)
    bad = err != 0
    if bad.any():
        r[bad] = np.nan
        v[bad] = np.nan

    if max_age_days is not None and dt_s.size:
        lo, hi = float(dt_s.min()), float(dt_s.max())
        age_s = np.maximum(np.abs(lo + since_s), np.abs(hi + since_s))
        stale = age_s > float(max_age_days) * 86400.0
        if stale.any():
            w = int(np.argmax(age_s))
            far = flat[int(np.argmin(dt_s) if abs(lo + since_s[w]) > abs(hi + since_s[w])
                            else np.argmax(dt_s))]
            t = tles[w]
            named = f" (NORAD {t.satnum})" if t.name else ""
            head = ("" if len(tles) == 1 else
                    f"{int(stale.sum())} of {len(tles)} element sets are more than "
                    f"{max_age_days:g} days from the requested epochs; worst: ")
            warnings.warn(
                f"{head}element set of {t._label()}{named}, epoch "
                f"{t.epoch.iso(0)}, is {age_s[w] / 86400.0:.1f} days from {far.utc.iso(0)}; "
                "the object may have manoeuvred since (max_age_days="
                f"{max_age_days:g})",
                StaleDataWarning, stacklevel=stacklevel,
            )

    n = len(tles)
    return SGP4Result(
        epoch=epochs,
        r=r.reshape((n,) + shape + (3,)),
        v=v.reshape((n,) + shape + (3,)),
        error=err.reshape((n,) + shape),
        satnum=np.array([t.satnum for t in tles], dtype=np.int64),
        names=tuple(t._label() for t in tles),
        _tles=tuple(tles),
        _rejected=None if rejected is None else rejected.reshape((n,) + shape + (2,)),
    )
