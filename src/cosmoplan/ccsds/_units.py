"""Units written in messages: parse, compare dimensions, scale to the standard's units.

CCSDS 502.0-B-3 §7.7.1 and 508.0-B-1 §6.2.4 require the standard's units exactly (km, km/s,
km**2/s, m**2, kg, deg, ...). A strict reader refuses anything else; a lenient one
(``strict=False``) accepts units of the same dimension and scales the value, as tools
that write SI (m, m/s) or typographic forms (``m×s⁻¹``, ``km²·s⁻¹``) require.

Grammar: factors joined by ``*``, ``·``, ``×`` or ``.``, an optional ``/`` before the
denominator; each factor a base unit with an optional exponent ``**n``, ``^n`` or
superscript digits (``²``, ``⁻¹``). Base units: m, km, s, min, h, d/day, kg, g, rad, deg, rev,
W, N; ``1`` for dimensionless numerators.
"""

from __future__ import annotations

import math
import re

__all__ = ["parse_unit", "scale_to"]

# base unit -> (factor to SI, dimension vector (length, time, mass, angle))
_BASE = {
    "m": (1.0, (1, 0, 0, 0)), "km": (1000.0, (1, 0, 0, 0)),
    "s": (1.0, (0, 1, 0, 0)), "min": (60.0, (0, 1, 0, 0)), "h": (3600.0, (0, 1, 0, 0)),
    "d": (86400.0, (0, 1, 0, 0)), "day": (86400.0, (0, 1, 0, 0)),
    "kg": (1.0, (0, 0, 1, 0)), "g": (1e-3, (0, 0, 1, 0)),
    "rad": (1.0, (0, 0, 0, 1)), "deg": (math.pi / 180.0, (0, 0, 0, 1)),
    "rev": (2.0 * math.pi, (0, 0, 0, 1)),
    "N": (1.0, (1, -2, 1, 0)), "W": (1.0, (2, -3, 1, 0)),
    "1": (1.0, (0, 0, 0, 0)),
}
_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_FACTOR = re.compile(r"([A-Za-z]+|1)(?:\*\*|\^)?([-+]?\d+)?$")


def parse_unit(text):
    """(factor to SI, dimension tuple) of a unit string; ValueError if not understood."""
    t = text.strip().translate(_SUPER)
    t = re.sub(r"([A-Za-z])([-+]?\d)", r"\1**\2", t) if "**" not in t and "^" not in t else t
    num, _, den = t.partition("/")
    factor, dims = 1.0, [0, 0, 0, 0]
    for part, sign in ((num, 1), (den, -1)):
        if not part and sign == -1:
            continue
        for tok in re.split(r"(?<!\*)[*·×.](?!\*)", part.replace("**", "^")):
            tok = tok.strip()
            m = _FACTOR.match(tok)
            if not m or m.group(1) not in _BASE:
                raise ValueError(f"unit {text!r}: {tok!r} is not a unit this reader knows")
            f, d = _BASE[m.group(1)]
            p = sign * int(m.group(2) or 1)
            factor *= f ** p
            dims = [a + p * b for a, b in zip(dims, d)]
    return factor, tuple(dims)


def scale_to(given, standard):
    """Factor that turns a value in ``given`` units into ``standard`` units; ValueError when
    the dimensions differ or a unit is not understood."""
    fg, dg = parse_unit(given)
    fs, ds = parse_unit(standard)
    if dg != ds:
        raise ValueError(f"[{given}] is not a unit of the same kind as [{standard}]")
    return fg / fs
