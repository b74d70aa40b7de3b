"""Gravity fields (Earth, Moon) in spherical harmonics to any degree and order (numba kernels).

The potential of a field of fully normalised coefficients C_nm, S_nm is

    U = mu / r * sum_{n=0}^{N} (R / r)^n sum_{m=0}^{min(n, M)}
            Pbar_nm(t) (C_nm cos(m lambda) + S_nm sin(m lambda))

with t = z / r the sine of the geocentric latitude, u = sqrt(1 - t^2) its cosine and
Pbar_nm the fully normalised associated Legendre functions (no Condon-Shortley phase;
Holmes & Featherstone 2002, eq. 5, and Montenbruck & Gill 2000, §3.2).

Legendre functions: the *modified forward row method* of Holmes & Featherstone (2002,
J. Geodesy 76:279-299), the one Orekit's ``HolmesFeatherstoneAttractionModel`` uses. It
recurs over the order m, downwards from the sectorials, on the scaled functions
Ptilde_nm = Pbar_nm / u^m:

    Ptilde_mm = sqrt((2m + 1) / (2m)) Ptilde_{m-1,m-1},  Ptilde_00 = 1, Ptilde_11 = sqrt(3)
                                                                          (H&F eq. 28)
    Ptilde_nm = g_nm t Ptilde_{n,m+1} - h_nm u^2 Ptilde_{n,m+2}            (H&F eq. 27)
    g_nm = 2 (m + 1) / sqrt(j (n - m)(n + m + 1)),
    h_nm = sqrt((n + m + 2)(n - m - 1) / (j (n - m)(n + m + 1))),  j = 2 if m = 0 else 1
                                                                  (H&F eqs. 19 and 22)

and the derivative d Ptilde_nm / dt = e_nm Ptilde_{n,m+1}, e_nm = sqrt((n - m)(n + m + 1)
/ j), which is H&F eq. 30 (dPbar_nm/dtheta = m t/u Pbar_nm - e_nm Pbar_{n,m+1}) with the
u^m factor taken out. The scaled functions never underflow near the poles (the reason for
H&F's method) and stay below 1e300 up to degree 1400 (:data:`MAX_KERNEL_DEGREE`); no
power-of-two rescaling is needed below that.

Gradient: Orekit (like H&F eq. 5) sums over m by Horner's rule in u and converts a
spherical gradient to Cartesian axes, which divides by u (singular on the polar axis).
Here the longitude factors are instead u^m cos(m lambda) + i u^m sin(m lambda) =
((x + i y) / r)^m, polynomials in xi = x / r, eta = y / r, so U is a polynomial in
(xi, eta, t) times powers of 1/r, and its Cartesian gradient follows as in Pines
(1973, AIAA J. 11(11):1508-1511), whose "derived Legendre functions" are these Ptilde_nm:

    a = (dU/dxi, dU/deta, dU/dt) / r + r_hat (dU/dr - (xi dU/dxi + eta dU/deta + t dU/dt) / r)

with d(xi + i eta)^m / dxi = m (xi + i eta)^(m-1), d/deta = i m (xi + i eta)^(m-1). No
division by u anywhere: the kernels are exact on the polar axis. The kernels recur on
Q_nm = (R/r)^n Ptilde_nm (eq. 27 is linear at fixed n, so seeding the sectorial with
(R/r)^m carries the factor), which saves the per-term multiplication.

Positions are body-fixed (ITRF for the Earth, MOON_PA for the Moon), km; accelerations
km/s^2, potentials km^2/s^2. Coefficients are read from ICGEM ``.gfc`` files
(:func:`load_gfc`, format of Barthelmes & Foerste, ICGEM format, GFZ 2011/2023) or GMAT
``.cof`` files (:func:`load_cof`). Two fields are bundled:

* :func:`default_field`: the Earth, EGM96 (Lemoine et al. 1998, NASA/TP-1998-206861),
  tide-free, truncated at degree 120, ``cosmoplan/data/egm96_120.npz`` (written by
  ``tools/make_egm96_bundle.py``);
* :func:`default_moon_field`: the Moon, Lunar Prospector LP165P (Konopliv et al. 2001,
  Icarus 150, 1-18; NASA PDS, public domain), GM 4902.801056 km^3/s^2, R 1738 km, in the
  lunar principal-axis frame (evaluate at MOON_PA positions, :mod:`cosmoplan.moon`),
  truncated at degree and order 70, ``cosmoplan/data/moon_lp165p_70.npz`` (written by
  ``tools/make_moon_gravity_bundle.py`` from ``tools/data/lp165p_deg70.cof``).

Numba integration: :func:`sh_accel_kernel` and :func:`sh_potential_kernel` take plain
floats, ints and float64 arrays: ``c`` and ``s`` (``GravityField.c/.s``), ``rec`` from
:func:`recursion_coefficients` (read-only, shareable) and ``work`` from
:func:`kernel_work` (scratch, one per thread). Allocate both once, outside the loop.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import numpy as np

from .._numba import jit
from ..errors import InputError

__all__ = [
    "GravityField",
    "load_gfc",
    "load_cof",
    "default_field",
    "default_moon_field",
    "acceleration",
    "potential",
    "recursion_coefficients",
    "kernel_work",
    "sh_accel_kernel",
    "sh_potential_kernel",
    "MAX_KERNEL_DEGREE",
    "BUNDLE_FILE",
    "MOON_BUNDLE_FILE",
]

MAX_KERNEL_DEGREE = 1400
"""Highest degree the kernels accept: the scaled Legendre functions Ptilde_nm reach
~1e292 on the polar axis at degree 1400 (1e25 at 120, 1e75 at 360)."""

BUNDLE_FILE = "egm96_120.npz"
"""Name of the bundled EGM96 field (degree and order 120) in ``cosmoplan/data``."""

MOON_BUNDLE_FILE = "moon_lp165p_70.npz"
"""Name of the bundled lunar field LP165P (degree and order 70) in ``cosmoplan/data``."""

_NORMS = ("fully_normalized", "unnormalized")
_TIDE_SYSTEMS = ("tide_free", "zero_tide", "mean_tide", "unknown")
_TIME_VARIABLE_KEYS = ("gfct", "trnd", "dot", "acos", "asin")
_REQUIRED_HEADER = ("product_type", "earth_gravity_constant", "radius", "max_degree")


# --------------------------------------------------------------------------------------
# The field object
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GravityField:
    """A static gravity field in fully normalised spherical harmonics.

    Attributes
    ----------
    mu : float
        Gravitational parameter GM of the coefficients, km^3/s^2.
    radius_km : float
        Reference radius R of the coefficients, km.
    c, s : ndarray, shape (max_degree + 1, max_degree + 1)
        Fully normalised C_nm and S_nm indexed ``[n, m]``; zero above the diagonal
        (m > n) and for m > ``max_order``. Read-only.
    max_degree : int
        Highest degree held.
    tide_system : str
        Permanent-tide convention of C_20 as the file states it: ``"tide_free"``,
        ``"zero_tide"``, ``"mean_tide"`` or ``"unknown"``.
    name : str
        Model name (``modelname`` of the ICGEM header).
    source : str
        Where the coefficients came from (file name, or bundle description).
    norm : str
        Always ``"fully_normalized"`` (unnormalised files are converted on reading).
    max_order : int or None
        Highest order held; None means ``max_degree``.
    """

    mu: float
    radius_km: float
    c: np.ndarray = field(repr=False)
    s: np.ndarray = field(repr=False)
    max_degree: int
    tide_system: str = "unknown"
    name: str = ""
    source: str = ""
    norm: str = "fully_normalized"
    max_order: int | None = None

    def __post_init__(self):
        c = np.array(self.c, dtype=np.float64, order="C")  # own, read-only copies
        s = np.array(self.s, dtype=np.float64, order="C")
        n = int(self.max_degree)
        if c.shape != (n + 1, n + 1) or s.shape != (n + 1, n + 1):
            raise InputError(
                f"c and s must have shape ({n + 1}, {n + 1}) for max_degree {n}, got "
                f"{c.shape} and {s.shape}", field="c", value=c.shape)
        if self.norm != "fully_normalized":
            raise InputError(f"norm must be 'fully_normalized', got {self.norm!r}",
                             field="norm", value=self.norm)
        for name in ("mu", "radius_km"):
            val = getattr(self, name)
            if isinstance(val, bool) or not isinstance(val, (int, float, np.integer,
                                                             np.floating)) \
                    or not (math.isfinite(val) and val > 0):
                raise InputError(f"{name} must be a positive number, got {val!r}",
                                 field=name, value=val)
        if not (np.all(np.isfinite(c)) and np.all(np.isfinite(s))):
            bad = np.argwhere(~(np.isfinite(c) & np.isfinite(s)))[0]
            raise InputError(f"coefficients must be finite: (n, m) = ({bad[0]}, {bad[1]}) is "
                             f"C = {c[bad[0], bad[1]]!r}, S = {s[bad[0], bad[1]]!r}",
                             field="c", value=(int(bad[0]), int(bad[1])))
        order = n if self.max_order is None else int(self.max_order)
        if not 0 <= order <= n:
            raise InputError(f"max_order must lie in 0..{n}, got {self.max_order!r}",
                             field="max_order", value=self.max_order)
        c.flags.writeable = False
        s.flags.writeable = False
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "s", s)
        object.__setattr__(self, "max_degree", n)
        object.__setattr__(self, "max_order", order)
        object.__setattr__(self, "mu", float(self.mu))
        object.__setattr__(self, "radius_km", float(self.radius_km))

    def truncated(self, degree, order=None):
        """The same field cut at ``degree`` and ``order`` (default: ``order = degree``)."""
        degree, order = _check_degree_order(self, degree, order)
        c = self.c[: degree + 1, : degree + 1].copy()
        s = self.s[: degree + 1, : degree + 1].copy()
        c[:, order + 1:] = 0.0
        s[:, order + 1:] = 0.0
        return GravityField(mu=self.mu, radius_km=self.radius_km, c=c, s=s, max_degree=degree,
                            tide_system=self.tide_system, name=self.name, source=self.source,
                            norm=self.norm, max_order=order)

    def zonal_j(self):
        """Unnormalised zonal coefficients J_0..J_max_degree, J_n = -C_n0 sqrt(2n + 1).

        J_0 is returned as 0 (the central term is ``mu``), the layout of
        :data:`cosmoplan.constants.EGM96_J`.
        """
        n = np.arange(self.max_degree + 1)
        j = -self.c[:, 0] * np.sqrt(2.0 * n + 1.0)
        j[0] = 0.0
        return j


def _check_degree_order(fld, degree, order):
    """Validate ``order <= degree <= fld.max_degree`` and ``order <= fld.max_order``."""
    if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)):
        raise InputError(f"degree must be an integer, got {degree!r}", field="degree",
                         value=degree)
    degree = int(degree)
    if order is None:
        order = min(degree, fld.max_order)
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)):
        raise InputError(f"order must be an integer, got {order!r}", field="order", value=order)
    order = int(order)
    if not 0 <= degree <= fld.max_degree:
        raise InputError(
            f"degree {degree} outside 0..{fld.max_degree}: field {fld.name or fld.source!r} "
            f"holds degree {fld.max_degree} at most", field="degree", value=degree)
    if degree > MAX_KERNEL_DEGREE:
        raise InputError(f"degree {degree} above {MAX_KERNEL_DEGREE}, the kernels' limit",
                         field="degree", value=degree)
    if not 0 <= order <= degree:
        raise InputError(f"order {order} outside 0..{degree} (order <= degree)",
                         field="order", value=order)
    if order > fld.max_order:
        raise InputError(
            f"order {order} above {fld.max_order}, the highest order field "
            f"{fld.name or fld.source!r} holds", field="order", value=order)
    return degree, order


# --------------------------------------------------------------------------------------
# ICGEM .gfc reader
# --------------------------------------------------------------------------------------


def _decimal(token):
    """Decimal of a number token; Fortran ``D`` exponents accepted. None if not a number."""
    try:
        d = Decimal(token.replace("D", "E").replace("d", "e"))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _float(token):
    """float of a coefficient token (Fortran ``D`` exponents accepted), or None."""
    try:
        v = float(token)
    except ValueError:
        try:
            v = float(token.replace("D", "E").replace("d", "e"))
        except ValueError:
            return None
    return v if math.isfinite(v) else None


def _log_unnormalised_to_normalised(n, m):
    """log f, f the factor with Cbar_nm = C_nm * f: 1 / sqrt((2 - delta_m0)(2n + 1)(n - m)! /
    (n + m)!). f itself overflows a float from about degree 150 (m near n)."""
    return -0.5 * (math.log(2.0 if m else 1.0) + math.log(2 * n + 1)
                   + math.lgamma(n - m + 1) - math.lgamma(n + m + 1))


def _scale_log(x, log_f):
    """x * exp(log_f) without overflowing the factor (x a float; 0 stays 0; inf if the
    product overflows)."""
    if x == 0.0:
        return 0.0
    e = math.log(abs(x)) + log_f
    return math.copysign(math.exp(e) if e < 709.0 else math.inf, x)


def load_gfc(path, max_degree=None):
    """Read a static gravity field from an ICGEM ``.gfc`` file.

    Parameters
    ----------
    path : str or os.PathLike
        ICGEM file: a header ending with ``end_of_head`` (``begin_of_head`` optional)
        with at least ``product_type gravity_field``, ``earth_gravity_constant`` (m^3/s^2),
        ``radius`` (m) and ``max_degree``; optional ``modelname``, ``norm``
        (``fully_normalized``, the default, or ``unnormalized``, converted here),
        ``tide_system``, ``errors``. Then lines ``gfc n m C S [sigmaC sigmaS]``.
    max_degree : int, optional
        Read degrees 0..max_degree only (default: the header's ``max_degree``). Reading
        stops at the first line beyond it once every coefficient needed has been seen.

    Returns
    -------
    GravityField
        ``mu`` in km^3/s^2, ``radius_km`` in km. Degree-0/1 lines may be absent
        (C_00 = 1, degree 1 = 0: origin at the centre of mass); every (n, m) with
        2 <= n <= max_degree must be present exactly once.

    Raises
    ------
    InputError
        With ``source`` (file), ``line``, ``field`` (keyword or column) and ``value``:
        not an ICGEM file, missing header keyword, unsupported ``norm``, m > n, n above the
        header's max_degree, duplicate (n, m), missing coefficients, non-numeric values,
        ``max_degree`` above what the file holds, time-variable lines (``gfct``, ``trnd``,
        ``acos``, ``asin``: not supported).
    """
    try:
        src = os.fspath(path)
    except TypeError:
        raise InputError(f"path must be a file name, got {path!r}", field="path",
                         value=path) from None
    if max_degree is not None and (isinstance(max_degree, bool)
                                   or not isinstance(max_degree, (int, np.integer))
                                   or max_degree < 0):
        raise InputError(f"max_degree must be a non-negative integer, got {max_degree!r}",
                         source=src, field="max_degree", value=max_degree)
    try:
        fh = open(src, encoding="latin-1")
    except OSError as exc:
        raise InputError(f"cannot open gravity field file: {exc.strerror}", source=src,
                         value=src) from None
    with fh:
        header, header_lines, lineno = _read_header(fh, src)
        return _read_data(fh, src, header, header_lines, lineno, max_degree)


def _read_header(fh, src):
    header, header_lines = {}, {}
    lineno = 0
    for lineno, line in enumerate(fh, start=1):
        parts = line.split()
        if not parts:
            continue
        key = parts[0]
        if key == "end_of_head":
            break
        if key in ("gfc",) + _TIME_VARIABLE_KEYS:
            raise InputError(f"data line '{key}' before 'end_of_head': not an ICGEM .gfc file "
                             "(or its header is incomplete)", source=src, line=lineno,
                             field=key, value=line.strip()[:80])
        if key.lower() in _HEADER_KEYS and key.lower() not in header:
            header[key.lower()] = parts[1] if len(parts) > 1 else ""
            header_lines[key.lower()] = lineno
    else:
        raise InputError("not an ICGEM .gfc file: no 'end_of_head' line", source=src,
                         line=lineno or None, field="end_of_head", value=None)
    for key in _REQUIRED_HEADER:
        if key not in header:
            raise InputError(f"header keyword '{key}' missing (ICGEM format requires it)",
                             source=src, line=lineno, field=key, value=None)
    if header["product_type"] != "gravity_field":
        raise InputError(f"product_type {header['product_type']!r} is not 'gravity_field'",
                         source=src, line=header_lines["product_type"],
                         field="product_type", value=header["product_type"])
    return header, header_lines, lineno


_HEADER_KEYS = ("product_type", "modelname", "earth_gravity_constant", "radius", "max_degree",
                "errors", "norm", "tide_system", "format", "begin_of_head")


def _read_data(fh, src, header, header_lines, end_of_head, max_degree):
    def bad(key, msg):
        return InputError(msg, source=src, line=header_lines[key], field=key,
                          value=header[key])

    gm = _decimal(header["earth_gravity_constant"])
    if gm is None or gm <= 0:
        raise bad("earth_gravity_constant", "earth_gravity_constant "
                  f"{header['earth_gravity_constant']!r} is not a positive number (m^3/s^2)")
    ae = _decimal(header["radius"])
    if ae is None or ae <= 0:
        raise bad("radius", f"radius {header['radius']!r} is not a positive number (m)")
    try:
        file_degree = int(header["max_degree"])
    except ValueError:
        file_degree = -1
    if file_degree < 0:
        raise bad("max_degree", f"max_degree {header['max_degree']!r} is not a non-negative "
                  "integer")
    norm = header.get("norm", "fully_normalized").lower()
    if norm not in _NORMS:
        raise bad("norm", f"norm {header['norm']!r} not supported; expected one of "
                  f"{', '.join(_NORMS)}")
    tide = header.get("tide_system", "unknown").lower()
    if tide not in _TIDE_SYSTEMS:
        raise bad("tide_system", f"tide_system {header['tide_system']!r} unknown; expected "
                  f"one of {', '.join(_TIDE_SYSTEMS)}")
    if max_degree is None:
        max_degree = file_degree
    max_degree = int(max_degree)
    if max_degree > file_degree:
        raise InputError(f"max_degree {max_degree} asked, but file holds degree "
                         f"{file_degree} at most", source=src,
                         line=header_lines["max_degree"], field="max_degree",
                         value=max_degree)

    nn = max_degree
    c = np.zeros((nn + 1, nn + 1))
    s = np.zeros((nn + 1, nn + 1))
    seen = np.zeros((nn + 1, nn + 1), dtype=bool)
    # every (n, m) with 2 <= n <= nn is needed; degree 0 and 1 are optional
    needed = max(0, (nn + 1) * (nn + 2) // 2 - 3)
    got = 0
    columns = ("C", "S", "sigmaC", "sigmaS")
    lineno = end_of_head
    for lineno, line in enumerate(fh, start=end_of_head + 1):
        parts = line.split()
        if not parts:
            continue
        key = parts[0]
        if key != "gfc":
            if key in _TIME_VARIABLE_KEYS:
                n = _int_or_none(parts[1]) if len(parts) > 1 else None
                if n is not None and n > nn:
                    continue  # beyond the degree asked: does not change the field read
                raise InputError(
                    f"time-variable term '{key}' not supported (static fields only); use a "
                    "static model or evaluate the time-variable one first", source=src,
                    line=lineno, field=key, value=line.strip()[:80])
            raise InputError(f"unknown data keyword {key!r}; expected 'gfc'", source=src,
                             line=lineno, field="key", value=key)
        if len(parts) not in (5, 7):
            raise InputError(f"'gfc' line has {len(parts) - 1} values, expected 4 (n m C S) "
                             "or 6 (n m C S sigmaC sigmaS)", source=src, line=lineno,
                             field="gfc", value=line.strip()[:80])
        n = _int_or_none(parts[1])
        m = _int_or_none(parts[2])
        if n is None or n < 0:
            raise InputError(f"degree n {parts[1]!r} is not a non-negative integer",
                             source=src, line=lineno, field="n", value=parts[1])
        if m is None or m < 0:
            raise InputError(f"order m {parts[2]!r} is not a non-negative integer",
                             source=src, line=lineno, field="m", value=parts[2])
        if m > n:
            raise InputError(f"order m = {m} > degree n = {n}", source=src, line=lineno,
                             field="m", value=m)
        if n > file_degree:
            raise InputError(f"degree n = {n} above the header's max_degree {file_degree}",
                             source=src, line=lineno, field="n", value=n)
        if n > nn:
            if got == needed:
                break  # sorted file: everything asked for has been read
            continue
        vals = [_float(tok) for tok in parts[3:]]
        for k, v in enumerate(vals):
            if v is None:
                raise InputError(f"{columns[k]} of (n, m) = ({n}, {m}) is not a number: "
                                 f"{parts[3 + k]!r}", source=src, line=lineno,
                                 field=columns[k], value=parts[3 + k])
        if seen[n, m]:
            raise InputError(f"duplicate coefficient (n, m) = ({n}, {m})", source=src,
                             line=lineno, field="gfc", value=(n, m))
        seen[n, m] = True
        if n >= 2:
            got += 1
        c[n, m] = vals[0]
        s[n, m] = vals[1]
    if got != needed:
        nm = np.argwhere(np.tril(~seen))
        nm = nm[nm[:, 0] >= 2]
        first = ", ".join(f"({a}, {b})" for a, b in nm[:5])
        raise InputError(
            f"{len(nm)} coefficient(s) missing up to degree {nn}, first (n, m) = {first} "
            f"(file ends at line {lineno})", source=src, line=lineno, field="gfc",
            value=tuple(int(v) for v in nm[0]))
    if not seen[0, 0]:
        c[0, 0] = 1.0
    if norm == "unnormalized":
        for n in range(nn + 1):
            for m in range(n + 1):
                log_f = _log_unnormalised_to_normalised(n, m)
                if log_f < 700.0:
                    f = math.exp(log_f)
                    c[n, m] *= f
                    s[n, m] *= f
                else:  # the factor alone would overflow
                    c[n, m] = _scale_log(c[n, m], log_f)
                    s[n, m] = _scale_log(s[n, m], log_f)
        if not (np.all(np.isfinite(c)) and np.all(np.isfinite(s))):
            bad = np.argwhere(~(np.isfinite(c) & np.isfinite(s)))[0]
            raise InputError(f"unnormalized coefficient (n, m) = ({bad[0]}, {bad[1]}) overflows "
                             "when fully normalised (is the file really 'unnormalized'?)",
                             source=src, line=header_lines.get("norm"), field="norm",
                             value=header.get("norm"))
    return GravityField(
        mu=float(gm / Decimal(10) ** 9), radius_km=float(ae / Decimal(1000)), c=c, s=s,
        max_degree=nn, tide_system=tide, name=header.get("modelname", ""),
        source=os.path.basename(src), norm="fully_normalized")


def _int_or_none(token):
    try:
        return int(token)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------
# GMAT .cof reader
# --------------------------------------------------------------------------------------

_COF_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?")
_COF_COLUMNS = ("n (columns 9-11)", "m (columns 12-14)", "C (columns 18-38)",
                "S (columns 39-59)")
_COF_RECORDS = "COMMENT (or any line starting with 'C'), POTFIELD, RECOEF or END"


def load_cof(path, max_degree=None, *, body=None, name=None):
    """Read a static gravity field from a GMAT ``.cof`` file.

    Format (GMAT's ``HarmonicGravityCof`` reader; fixed columns, numbers may run together):

    * comments: lines starting with ``C`` (``COMMENT ...``, ``CCCC...``); blank lines;
    * one header, before any coefficient::

          POTFIELD165165  0 4.90280105600000e+12 1.73800000000000e+06 1.00000000000000e+00

      degree in columns 9-11, order in 12-14, then four numbers separated by blanks: a
      body flag (integer, not used), GM (m^3/s^2), reference radius (m) and the
      normalisation flag (1: fully normalised, 0: unnormalised, converted here);
    * coefficients ``RECOEF`` with n in columns 9-11, m in 12-14, C in 18-38 and S in
      39-59 (21-character fields, e.g. ``-2.72203236159000e-09-7.57518292083000e-10``;
      lines with m = 0 may stop after C);
    * an optional ``END`` line, after which nothing is read.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.cof`` file.
    max_degree : int, optional
        Read degrees 0..max_degree only (default: the header's degree). Reading stops at
        the first line beyond it once every coefficient needed has been seen, so a file
        truncated after degree ``max_degree`` (such as the bundled LP165P excerpt, whose
        header still declares 165) reads without error.
    body : str, optional
        The body the field belongs to (``.cof`` headers name none): recorded in
        ``GravityField.source``, e.g. ``"LP165P.cof (Moon)"``.
    name : str, optional
        Model name (``GravityField.name``); default: the file name without its extension.

    Returns
    -------
    GravityField
        ``mu`` in km^3/s^2, ``radius_km`` in km, ``tide_system="unknown"`` (``.cof`` files
        do not state it), ``max_order = min(header order, max_degree)``. Degree-0/1 lines
        may be absent (C_00 = 1, degree 1 = 0); every (n, m) with 2 <= n <= max_degree and
        m <= min(n, order) must be present exactly once.

    Raises
    ------
    InputError
        With ``source`` (file), ``line``, ``field`` and ``value``: empty file, no or a
        second ``POTFIELD`` header, a coefficient before it, an unknown record, bad header
        values, a field not in GMAT's columns, a truncated or extra field, a value that is
        not a number, m > n, n or m above the header's, a non-zero S for m = 0, a
        duplicate (n, m), missing coefficients, ``max_degree`` above the header's.
    """
    try:
        src = os.fspath(path)
    except TypeError:
        raise InputError(f"path must be a file name, got {path!r}", field="path",
                         value=path) from None
    if max_degree is not None and (isinstance(max_degree, bool)
                                   or not isinstance(max_degree, (int, np.integer))
                                   or max_degree < 0):
        raise InputError(f"max_degree must be a non-negative integer, got {max_degree!r}",
                         source=src, field="max_degree", value=max_degree)
    for key, val in (("body", body), ("name", name)):
        if val is not None and not isinstance(val, str):
            raise InputError(f"{key} must be a string, got {val!r}", source=src, field=key,
                             value=val)
    try:
        fh = open(src, encoding="latin-1")
    except OSError as exc:
        raise InputError(f"cannot open gravity field file: {exc.strerror}", source=src,
                         value=src) from None
    with fh:
        fld = _read_cof(fh, src, None if max_degree is None else int(max_degree))
    base = os.path.basename(src)
    stem = os.path.splitext(base)[0]
    return GravityField(
        mu=fld["mu"], radius_km=fld["radius_km"], c=fld["c"], s=fld["s"],
        max_degree=fld["max_degree"], max_order=fld["max_order"], tide_system="unknown",
        name=stem if name is None else name,
        source=base if body is None else f"{base} ({body})", norm="fully_normalized")


def _cof_int(text):
    """int of a .cof integer field (blanks around it allowed; digits only), or None."""
    tok = text.strip()
    return int(tok) if re.fullmatch(r"[+-]?[0-9]+", tok) else None


def _cof_float(text):
    """float of a fixed-width .cof number field (blanks around it allowed), or None."""
    tok = text.strip()
    if not _COF_NUMBER.fullmatch(tok):
        return None
    v = float(tok.replace("D", "E").replace("d", "e"))
    return v if math.isfinite(v) else None


def _cof_header(line, src, lineno, max_degree):
    """Parse a POTFIELD line: (degree, order, mu km^3/s^2, radius km, normalised)."""
    def bad(field_, msg, value):
        return InputError(msg, source=src, line=lineno, field=field_, value=value)

    if len(line) < 14:
        raise bad("POTFIELD", f"POTFIELD header {line!r} truncated: expected the degree in "
                  "columns 9-11 and the order in 12-14, then body flag, GM (m^3/s^2), radius "
                  "(m) and normalisation flag", line)
    nm = []
    for text, what, cols in ((line[8:11], "degree", "9-11"), (line[11:14], "order", "12-14")):
        v = _cof_int(text)
        if v is None or v < 0:
            raise bad(what, f"POTFIELD {what} {text!r} (columns {cols}) is not a non-negative "
                      "integer", text)
        nm.append(v)
    nmax, mmax = nm
    if mmax > nmax:
        raise bad("order", f"POTFIELD order {mmax} above its degree {nmax}", mmax)
    rest = line[14:].split()
    if len(rest) != 4:
        raise bad("POTFIELD", f"POTFIELD header has {len(rest)} value(s) after the degree and "
                  "order, expected 4: body flag, GM (m^3/s^2), radius (m), normalisation "
                  "flag (1 or 0)", line[14:].strip())
    if _cof_int(rest[0]) is None:
        raise bad("body_flag", f"POTFIELD body flag {rest[0]!r} is not an integer", rest[0])
    gm = _decimal(rest[1]) if _COF_NUMBER.fullmatch(rest[1]) else None
    if gm is None or gm <= 0:
        raise bad("GM", f"POTFIELD GM {rest[1]!r} is not a positive number (m^3/s^2)", rest[1])
    ae = _decimal(rest[2]) if _COF_NUMBER.fullmatch(rest[2]) else None
    if ae is None or ae <= 0:
        raise bad("radius", f"POTFIELD radius {rest[2]!r} is not a positive number (m)",
                  rest[2])
    flag = _decimal(rest[3]) if _COF_NUMBER.fullmatch(rest[3]) else None
    if flag is None or flag not in (0, 1):
        raise bad("normalization", f"POTFIELD normalisation flag {rest[3]!r} is neither 1 "
                  "(fully normalised) nor 0 (unnormalised)", rest[3])
    if max_degree is not None and max_degree > nmax:
        raise bad("max_degree", f"max_degree {max_degree} asked, but the POTFIELD header "
                  f"declares degree {nmax} at most", max_degree)
    return (nmax, mmax, float(gm / Decimal(10) ** 9), float(ae / Decimal(1000)),
            flag == 1)


def _cof_record(line, src, lineno):
    """Split a RECOEF line in GMAT's columns: (n, m, C, S or None)."""
    def bad(field_, msg, value):
        return InputError(msg, source=src, line=lineno, field=field_, value=value)

    if line[6:8].strip() or line[14:17].strip() or len(line) < 17:
        raise bad("RECOEF", f"RECOEF line {line!r} not in GMAT's fixed columns: n in columns "
                  "9-11, m in 12-14, C in 18-38, S in 39-59", line)
    nm = []
    for text, what in ((line[8:11], 0), (line[11:14], 1)):
        v = _cof_int(text)
        if v is None or v < 0:
            raise bad("nm"[what], f"{_COF_COLUMNS[what]} {text!r} is not a non-negative "
                      "integer", text)
        nm.append(v)
    n, m = nm
    if m > n:
        raise bad("m", f"order m = {m} > degree n = {n}", m)
    if len(line) > 59:
        raise bad("RECOEF", f"characters after column 59 (the end of S) for (n, m) = ({n}, "
                  f"{m}): {line[59:]!r}", line[59:])
    vals = []
    for k, sl in ((2, slice(17, 38)), (3, slice(38, 59))):
        text = line[sl]
        if k == 3 and not text:
            if m == 0:
                break  # m = 0 lines may stop after C
            raise bad("S", f"S of (n, m) = ({n}, {m}) missing: the line ends at column "
                      f"{len(line)}, expected a 21-character field in columns 39-59", line)
        if len(text) < 21:
            raise bad("CS"[k - 2], f"{_COF_COLUMNS[k][0]} of (n, m) = ({n}, {m}) truncated: "
                      f"{text!r} is {len(text)} character(s), the field is 21 "
                      f"({_COF_COLUMNS[k][2:].strip('()')})", text)
        v = _cof_float(text)
        if v is None:
            raise bad("CS"[k - 2], f"{_COF_COLUMNS[k][0]} of (n, m) = ({n}, {m}) is not a "
                      f"number: {text!r} ({_COF_COLUMNS[k][2:].strip('()')})", text)
        vals.append(v)
    s = vals[1] if len(vals) > 1 else None
    if m == 0 and s:
        raise bad("S", f"S of (n, m) = ({n}, 0) must be 0 (no sine term for m = 0), got "
                  f"{line[38:59]!r}", line[38:59])
    return n, m, vals[0], s


def _read_cof(fh, src, max_degree):
    header = None
    header_line = None
    lineno = 0
    for lineno, raw in enumerate(fh, start=1):
        line = raw.rstrip()
        if not line:
            continue
        if line[0] == "C":  # COMMENT, CCCC...
            continue
        if line.split()[0] == "END":
            break
        if line.startswith("POTFIELD"):
            if header is not None:
                raise InputError(f"second POTFIELD header (the first is at line "
                                 f"{header_line})", source=src, line=lineno,
                                 field="POTFIELD", value=line)
            header = _cof_header(line, src, lineno, max_degree)
            header_line = lineno
            nmax, mmax = header[0], header[1]
            nn = nmax if max_degree is None else max_degree
            mm = min(mmax, nn)
            c = np.zeros((nn + 1, nn + 1))
            s = np.zeros((nn + 1, nn + 1))
            seen = np.zeros((nn + 1, nn + 1), dtype=np.int64)  # line numbers, 0: not seen
            need = np.tril(np.ones((nn + 1, nn + 1), dtype=bool))
            need[:, mm + 1:] = False
            need[:2] = False  # degrees 0 and 1 optional
            needed = int(need.sum())
            got = 0
            continue
        if not line.startswith("RECOEF"):
            raise InputError(f"unknown record {line.split()[0]!r}; expected {_COF_RECORDS} "
                             "starting in column 1", source=src, line=lineno, field="record",
                             value=line.split()[0])
        if header is None:
            raise InputError(f"RECOEF line before the POTFIELD header: {line!r}; not a GMAT "
                             ".cof file, or its POTFIELD header is missing", source=src,
                             line=lineno, field="POTFIELD", value=line)
        n, m, cnm, snm = _cof_record(line, src, lineno)
        if n > nmax:
            raise InputError(f"degree n = {n} above the POTFIELD header's degree {nmax} "
                             f"(line {header_line})", source=src, line=lineno, field="n",
                             value=n)
        if m > mmax:
            raise InputError(f"order m = {m} above the POTFIELD header's order {mmax} "
                             f"(line {header_line})", source=src, line=lineno, field="m",
                             value=m)
        if n > nn:
            if got == needed:
                break  # sorted file: everything asked for has been read
            continue
        if seen[n, m]:
            raise InputError(f"duplicate coefficient (n, m) = ({n}, {m}), first at line "
                             f"{seen[n, m]}", source=src, line=lineno, field="RECOEF",
                             value=(n, m))
        seen[n, m] = lineno
        if need[n, m]:
            got += 1
        c[n, m] = cnm
        s[n, m] = 0.0 if snm is None else snm
    if header is None:
        if lineno == 0:
            raise InputError("file is empty; expected a GMAT .cof file (a POTFIELD header, "
                             "then RECOEF lines)", source=src, line=1, field="POTFIELD",
                             value="")
        raise InputError(f"no POTFIELD header in {lineno} line(s): not a GMAT .cof file",
                         source=src, line=lineno, field="POTFIELD", value=None)
    if got != needed:
        nm = np.argwhere(need & (seen == 0))
        first = ", ".join(f"({a}, {b})" for a, b in nm[:5])
        raise InputError(
            f"{len(nm)} coefficient(s) missing up to degree {nn} (order {mm}), first (n, m) = "
            f"{first} (file ends at line {lineno}); the POTFIELD header (line {header_line}) "
            f"declares degree {nmax}: pass max_degree for a truncated file", source=src,
            line=lineno, field="RECOEF", value=tuple(int(v) for v in nm[0]))
    if not seen[0, 0]:
        c[0, 0] = 1.0
    if not header[4]:  # unnormalised file
        for n in range(nn + 1):
            for m in range(n + 1):
                log_f = _log_unnormalised_to_normalised(n, m)
                c[n, m] = _scale_log(c[n, m], log_f)
                s[n, m] = _scale_log(s[n, m], log_f)
        if not (np.all(np.isfinite(c)) and np.all(np.isfinite(s))):
            bad = np.argwhere(~(np.isfinite(c) & np.isfinite(s)))[0]
            raise InputError(f"unnormalised coefficient (n, m) = ({bad[0]}, {bad[1]}) "
                             "overflows when fully normalised (is the normalisation flag "
                             "right?)", source=src, line=header_line, field="normalization",
                             value=0)
    return dict(mu=header[2], radius_km=header[3], c=c, s=s, max_degree=nn, max_order=mm)


# --------------------------------------------------------------------------------------
# Bundled fields (EGM96, LP165P)
# --------------------------------------------------------------------------------------


def pack_lower(a):
    """Lower triangle (m <= n) of a square array, row by row: length (N + 1)(N + 2) / 2."""
    return np.asarray(a)[np.tril_indices(a.shape[0])]


def unpack_lower(v, nmax):
    """Inverse of :func:`pack_lower`."""
    a = np.zeros((nmax + 1, nmax + 1))
    a[np.tril_indices(nmax + 1)] = v
    return a


def field_from_npz(path):
    """A :class:`GravityField` from a bundle written by ``tools/make_egm96_bundle.py`` or
    ``tools/make_moon_gravity_bundle.py``."""
    with np.load(path, allow_pickle=False) as z:
        nmax = int(z["max_degree"])
        return GravityField(
            mu=float(z["mu_km3_s2"]), radius_km=float(z["radius_km"]),
            c=unpack_lower(z["c_packed"], nmax), s=unpack_lower(z["s_packed"], nmax),
            max_degree=nmax, tide_system=str(z["tide_system"]), name=str(z["name"]),
            source=str(z["source"]), norm=str(z["norm"]))


@lru_cache(maxsize=1)
def default_field():
    """EGM96, tide-free, degree and order 120, bundled (loaded once per process).

    The source file is ICGEM's EGM96.gfc as shipped by satkit-data 0.9.0 (the file the
    Orekit oracle reads); its sha256 and header are stored in the bundle
    (``bundle_metadata()``).
    """
    from importlib.resources import files

    return field_from_npz(os.fspath(files("cosmoplan") / "data" / BUNDLE_FILE))


@lru_cache(maxsize=1)
def default_moon_field():
    """The Moon: LP165P, degree and order 70, bundled (loaded once per process).

    Lunar Prospector field LP165P (Konopliv et al. 2001, Icarus 150, 1-18; NASA PDS,
    public domain), GM 4902.801056 km^3/s^2, R 1738.0 km, read with :func:`load_cof` from
    the excerpt ``tools/data/lp165p_deg70.cof`` of GMAT's ``LP165P.cof`` (its sha256 and
    header lines are in ``bundle_metadata(MOON_BUNDLE_FILE)``). Coefficients in the lunar
    principal-axis frame: evaluate at MOON_PA positions (:mod:`cosmoplan.moon`).
    ``tide_system`` is ``"unknown"`` (the .cof file does not state it).
    """
    from importlib.resources import files

    return field_from_npz(os.fspath(files("cosmoplan") / "data" / MOON_BUNDLE_FILE))


def bundle_metadata(bundle=BUNDLE_FILE):
    """Provenance of a bundled field: source file name, sha256, header text, tool.

    ``bundle``: :data:`BUNDLE_FILE` (EGM96, the default) or :data:`MOON_BUNDLE_FILE`.
    """
    from importlib.resources import files

    if bundle not in (BUNDLE_FILE, MOON_BUNDLE_FILE):
        raise InputError(f"bundle must be {BUNDLE_FILE!r} or {MOON_BUNDLE_FILE!r}, got "
                         f"{bundle!r}", field="bundle", value=bundle)
    with np.load(os.fspath(files("cosmoplan") / "data" / bundle)) as z:
        return {k: str(z[k]) for k in ("source", "source_sha256", "source_header",
                                       "generated_by", "tide_system", "name")}


def sha256_file(path):
    """Hex sha256 of a file (provenance of bundled data)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def recursion_coefficients(nmax):
    """Recursion coefficients of the modified forward row method, shape (3, L, L), L = nmax + 1.

    ``rec[0, m, n]`` = g_nm, ``rec[1, m, n]`` = h_nm, ``rec[2, m, n]`` = e_nm for n > m
    (H&F 2002 eqs. 19, 22, 30), stored by order then degree (the kernels' loop order);
    the diagonal ``rec[0, m, m]`` holds the scaled sectorial Ptilde_mm (H&F eq. 28). The
    coefficients do not depend on nmax: an array for degree L - 1 serves every
    nmax <= L - 1. Read-only (cached), shareable between threads.
    """
    nmax = int(nmax)
    if not 0 <= nmax <= MAX_KERNEL_DEGREE:
        raise InputError(f"nmax {nmax} outside 0..{MAX_KERNEL_DEGREE}", field="nmax",
                         value=nmax)
    size = nmax + 1
    rec = np.zeros((3, size, size))
    n = np.arange(size, dtype=float)
    for m in range(size):
        j = 2.0 if m == 0 else 1.0
        nn = n[m + 1:]
        f = (nn - m) * (nn + m + 1)
        rec[0, m, m + 1:] = 2.0 * (m + 1) / np.sqrt(j * f)
        rec[1, m, m + 1:] = np.sqrt((nn + m + 2) * (nn - m - 1) / (j * f))
        rec[2, m, m + 1:] = np.sqrt(f / j)
    sect = 1.0
    for m in range(size):
        if m == 1:
            sect = math.sqrt(3.0)
        elif m > 1:
            sect *= math.sqrt((2 * m + 1) / (2.0 * m))
        rec[0, m, m] = sect
    rec.flags.writeable = False
    return rec


def kernel_work(nmax):
    """Scratch array for the kernels, shape (6, nmax + 2); one per thread, reusable."""
    return np.zeros((6, int(nmax) + 2))


@jit
def _powers_and_longitude(xi, eta, rho, nmax, mmax, work):
    """Fill work[0] = rho^n (n <= nmax) and work[1] + i work[2] = (xi + i eta)^m (m <= mmax).

    Both by halving (k = p + q, p = k // 2), as Orekit does, so each value is a product of
    O(log k) factors rather than k.
    """
    pw = work[0]
    cm = work[1]
    sm = work[2]
    pw[0] = 1.0
    if nmax >= 1:
        pw[1] = rho
    for n in range(2, nmax + 1):
        p = n // 2
        pw[n] = pw[p] * pw[n - p]
    cm[0] = 1.0
    sm[0] = 0.0
    if mmax >= 1:
        cm[1] = xi
        sm[1] = eta
    for m in range(2, mmax + 1):
        p = m // 2
        q = m - p
        cm[m] = cm[p] * cm[q] - sm[p] * sm[q]
        sm[m] = sm[p] * cm[q] + cm[p] * sm[q]


@jit
def sh_accel_kernel(x, y, z, mu, radius, c, s, nmax, mmax, rec, work):
    """Acceleration (km/s^2) of a spherical-harmonic field at body-fixed (x, y, z) km.

    Includes the central term mu C_00 / r^2. Degrees 1..nmax, orders 0..mmax
    (mmax <= nmax). ``c``, ``s``: fully normalised coefficients indexed [n, m], at least
    (nmax + 1) x (mmax + 1). ``rec``: :func:`recursion_coefficients` of degree >= nmax.
    ``work``: float64 scratch of shape (6, >= nmax + 2) (:func:`kernel_work`), overwritten.
    Returns (ax, ay, az) in the body-fixed frame. No singularity on the polar axis.
    """
    r = np.sqrt(x * x + y * y + z * z)
    inv_r = 1.0 / r
    k = -mu * c[0, 0] * inv_r * inv_r * inv_r
    ax = k * x
    ay = k * y
    az = k * z
    if nmax < 1:
        return ax, ay, az
    xi = x * inv_r
    eta = y * inv_r
    t = z * inv_r
    u2 = xi * xi + eta * eta
    _powers_and_longitude(xi, eta, radius * inv_r, nmax, mmax, work)
    pw = work[0]
    cm = work[1]
    sm = work[2]
    # rows Ptilde_{., m} (p0), Ptilde_{., m+1} (p1), Ptilde_{., m+2} (p2), rotated
    p0 = work[3]
    p1 = work[4]
    p2 = work[5]
    for n in range(nmax + 2):
        p1[n] = 0.0
        p2[n] = 0.0
        p0[n] = 0.0
    g = rec[0]
    h = rec[1]
    e = rec[2]
    v_xi = 0.0
    v_eta = 0.0
    v_t = 0.0
    v_r = 0.0
    for m in range(nmax, -1, -1):
        # row m of Q_nm = rho^n Ptilde_nm: the recursion over m at fixed n is linear, so
        # seeding with rho^m Ptilde_mm carries the rho^n factor along.
        gm = g[m]
        hm = h[m]
        p0[m] = gm[m] * pw[m]  # sectorial, H&F eq. 28
        if m > mmax:
            for n in range(m + 1, nmax + 1):  # H&F eq. 27
                p0[n] = gm[n] * t * p1[n] - hm[n] * u2 * p2[n]
        else:
            em = e[m]
            sa = 0.0  # sum_n Q_nm C_nm (n >= 1: the central term is handled apart)
            sb = 0.0  # sum_n Q_nm S_nm
            sar = 0.0  # sum_n (n + 1) Q_nm C_nm
            sbr = 0.0
            sat = 0.0  # sum_n rho^n dPtilde_nm/dt C_nm = sum_n e_nm Q_n,m+1 C_nm
            sbt = 0.0
            if m > 0:  # sectorial term (e_mm = 0: no t-derivative)
                q = p0[m]
                sa = q * c[m, m]
                sb = q * s[m, m]
                sar = (m + 1.0) * sa
                sbr = (m + 1.0) * sb
            n1 = m + 2.0
            for n in range(m + 1, nmax + 1):
                q = gm[n] * t * p1[n] - hm[n] * u2 * p2[n]  # H&F eq. 27
                p0[n] = q
                cnm = c[n, m]
                snm = s[n, m]
                qc = q * cnm
                qs = q * snm
                sa += qc
                sb += qs
                sar += n1 * qc
                sbr += n1 * qs
                qt = em[n] * p1[n]
                sat += qt * cnm
                sbt += qt * snm
                n1 += 1.0
            cmm = cm[m]
            smm = sm[m]
            v_r += sar * cmm + sbr * smm
            v_t += sat * cmm + sbt * smm
            if m > 0:
                c1 = cm[m - 1]
                s1 = sm[m - 1]
                v_xi += m * (sa * c1 + sb * s1)
                v_eta += m * (sb * c1 - sa * s1)
        tmp = p2
        p2 = p1
        p1 = p0
        p0 = tmp
    # a = g/r [(V_xi, V_eta, V_t) - r_hat (V_r + xi V_xi + eta V_eta + t V_t)], g = mu / r
    gr = mu * inv_r * inv_r
    f = v_r + xi * v_xi + eta * v_eta + t * v_t
    ax += gr * (v_xi - xi * f)
    ay += gr * (v_eta - eta * f)
    az += gr * (v_t - t * f)
    return ax, ay, az


@jit
def sh_potential_kernel(x, y, z, mu, radius, c, s, nmax, mmax, rec, work):
    """Potential U (km^2/s^2, positive, central term mu C_00 / r included) at (x, y, z) km.

    Same arguments and recursion as :func:`sh_accel_kernel`.
    """
    r = np.sqrt(x * x + y * y + z * z)
    inv_r = 1.0 / r
    if nmax < 1:
        return mu * c[0, 0] * inv_r
    xi = x * inv_r
    eta = y * inv_r
    t = z * inv_r
    u2 = xi * xi + eta * eta
    _powers_and_longitude(xi, eta, radius * inv_r, nmax, mmax, work)
    pw = work[0]
    cm = work[1]
    sm = work[2]
    p0 = work[3]
    p1 = work[4]
    p2 = work[5]
    for n in range(nmax + 2):
        p1[n] = 0.0
        p2[n] = 0.0
        p0[n] = 0.0
    g = rec[0]
    h = rec[1]
    v = 0.0
    for m in range(nmax, -1, -1):
        gm = g[m]
        hm = h[m]
        p0[m] = gm[m] * pw[m]
        if m > mmax:
            for n in range(m + 1, nmax + 1):
                p0[n] = gm[n] * t * p1[n] - hm[n] * u2 * p2[n]
        else:
            sa = 0.0
            sb = 0.0
            if m > 0:
                sa = p0[m] * c[m, m]
                sb = p0[m] * s[m, m]
            for n in range(m + 1, nmax + 1):
                q = gm[n] * t * p1[n] - hm[n] * u2 * p2[n]
                p0[n] = q
                sa += q * c[n, m]
                sb += q * s[n, m]
            v += sa * cm[m] + sb * sm[m]
        tmp = p2
        p2 = p1
        p1 = p0
        p0 = tmp
    return mu * inv_r * (c[0, 0] + v)


@jit
def _accel_batch(pos, mu, radius, c, s, nmax, mmax, rec, work, out):
    for i in range(pos.shape[0]):
        ax, ay, az = sh_accel_kernel(pos[i, 0], pos[i, 1], pos[i, 2], mu, radius, c, s, nmax,
                                     mmax, rec, work)
        out[i, 0] = ax
        out[i, 1] = ay
        out[i, 2] = az


@jit
def _potential_batch(pos, mu, radius, c, s, nmax, mmax, rec, work, out):
    for i in range(pos.shape[0]):
        out[i] = sh_potential_kernel(pos[i, 0], pos[i, 1], pos[i, 2], mu, radius, c, s, nmax,
                                     mmax, rec, work)


# --------------------------------------------------------------------------------------
# Public wrappers
# --------------------------------------------------------------------------------------


def _prepare(r_itrf, fld, degree, order):
    fld = default_field() if fld is None else fld
    if not isinstance(fld, GravityField):
        raise InputError(f"field must be a GravityField (load_gfc, default_field), got "
                         f"{type(fld).__name__}", field="field", value=fld)
    degree, order = _check_degree_order(fld, degree, order)
    try:
        r = np.asarray(r_itrf, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"r_itrf must be positions in km, shape (..., 3), got {r_itrf!r}",
                         field="r_itrf", value=r_itrf) from None
    if r.ndim == 0 or r.shape[-1] != 3:
        raise InputError(f"r_itrf must have shape (..., 3), got {r.shape}", field="r_itrf",
                         value=r.shape)
    flat = np.ascontiguousarray(r.reshape(-1, 3))
    if not np.all(np.isfinite(flat)) or np.any(np.all(flat == 0.0, axis=1)):
        bad = flat[~np.isfinite(flat).all(axis=1) | np.all(flat == 0.0, axis=1)][0]
        raise InputError(f"r_itrf must be finite and not the origin (the field is singular "
                         f"at r = 0), got {bad!r}", field="r_itrf", value=bad)
    return fld, degree, order, r, flat


def acceleration(r_itrf, field=None, degree=20, order=None):
    """Gravity acceleration of a spherical-harmonic field, central term included.

    Parameters
    ----------
    r_itrf : array_like, shape (..., 3)
        Body-fixed positions (ITRF for the Earth), km.
    field : GravityField, optional
        Default: :func:`default_field` (EGM96, degree 120).
    degree, order : int
        Truncation, ``order <= degree <= field.max_degree`` (order default: degree).

    Returns
    -------
    ndarray, shape (..., 3)
        Acceleration in the same body-fixed axes, km/s^2.
    """
    fld, degree, order, r, flat = _prepare(r_itrf, field, degree, order)
    out = np.empty_like(flat)
    _accel_batch(flat, fld.mu, fld.radius_km, fld.c, fld.s, degree, order,
                 recursion_coefficients(degree), kernel_work(degree), out)
    return out.reshape(r.shape)


def potential(r_itrf, field=None, degree=20, order=None):
    """Gravity potential U = mu / r (1 + ...) (km^2/s^2, positive) at body-fixed positions.

    Same parameters as :func:`acceleration`; returns shape ``r_itrf.shape[:-1]``.
    The acceleration is the gradient of this potential.
    """
    fld, degree, order, r, flat = _prepare(r_itrf, field, degree, order)
    out = np.empty(flat.shape[0])
    _potential_batch(flat, fld.mu, fld.radius_km, fld.c, fld.s, degree, order,
                     recursion_coefficients(degree), kernel_work(degree), out)
    return out.reshape(r.shape[:-1])
