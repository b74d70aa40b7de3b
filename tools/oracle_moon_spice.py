"""Oracle: lunar frames and the view from lunar sites, computed with SPICE (spiceypy).

Writes ``tests/fixtures/moon_spice.json``, read by ``tests/test_moon.py`` (no SPICE needed
there). SPICE is the reference implementation of the NAIF lunar frames.

Run (offline) in a separate environment::

    python -m venv /tmp/spice && /tmp/spice/bin/pip install spiceypy lunarsky skyfield-data
    /tmp/spice/bin/python tools/oracle_moon_spice.py

Kernels: ``moon_pa_de421_1900-2050.bpc`` and ``moon_080317.tf`` from the PyPI package
lunarsky (``lunarsky/data``), ``de421.bsp`` from skyfield-data; the Moon's radii
(1737.4 km, IAU mean sphere) are set inline (no text PCK on PyPI). Epochs are TDB seconds
past J2000 (no leap-second kernel needed). ``azlcpo`` (N0067) gives azimuth (clockwise from
north) and elevation of the Sun and the Earth seen from a constant surface point with
aberration corrections NONE, LT and LT+S.
"""

from __future__ import annotations

import datetime
import json
import math
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np
import spiceypy as sp

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "moon_spice.json"
R_MOON = 1737.4
SITES = [(-89.999, 0.0, 0.0), (-88.74, 124.5, 0.0), (-89.45, 222.69, 1.5), (0.0, 0.0, 0.0),
         (45.0, -30.0, -2.0), (-85.99, 2.93, 5.0)]
TARGETS = ["SUN", "EARTH"]
CORRECTIONS = ["NONE", "CN", "CN+S"]  # converged light time (SPICE "LT" is one iteration)


def main():
    lunarsky = files("lunarsky") / "data"
    sp.furnsh(str(lunarsky / "pck" / "moon_pa_de421_1900-2050.bpc"))
    sp.furnsh(str(lunarsky / "fk" / "satellites" / "moon_080317.tf"))
    sp.furnsh(str(files("skyfield_data") / "data" / "de421.bsp"))
    sp.pdpool("BODY301_RADII", [R_MOON, R_MOON, R_MOON])
    rng = np.random.default_rng(20261130)
    ets = sorted(float(x) for x in rng.uniform(-3.1e9, 1.55e9, 24))  # 1901 .. 2049
    ets += [8.6e8 + 3600.0 * k for k in range(6)]  # a few hours in 2027
    frames = []
    for et in ets:
        frames.append({
            "et_tdb_s": et,
            "J2000_to_MOON_PA": np.array(sp.pxform("J2000", "MOON_PA", et)).tolist(),
            "J2000_to_MOON_ME": np.array(sp.pxform("J2000", "MOON_ME", et)).tolist(),
        })
    views = []
    for lat, lon, h in SITES:
        la, lo = math.radians(lat), math.radians(lon)
        pos = [(R_MOON + h) * math.cos(la) * math.cos(lo),
               (R_MOON + h) * math.cos(la) * math.sin(lo), (R_MOON + h) * math.sin(la)]
        for et in ets[:: 3]:
            for target in TARGETS:
                for corr in CORRECTIONS:
                    azl, _ = sp.azlcpo("ELLIPSOID", target, et, corr, False, True, pos, "MOON",
                                       "MOON_ME")
                    views.append({"lat_deg": lat, "lon_deg": lon, "height_km": h,
                                  "et_tdb_s": et, "target": target, "correction": corr,
                                  "range_km": azl[0], "az_deg": math.degrees(azl[1]),
                                  "el_deg": math.degrees(azl[2])})
    OUT.write_text(json.dumps({
        "generator": "tools/oracle_moon_spice.py",
        "generated": datetime.date.today().isoformat(),
        "versions": {"spiceypy": sp.__version__, "cspice": sp.tkvrsn("TOOLKIT"),
                     "python": sys.version.split()[0]},
        "kernels": ["moon_pa_de421_1900-2050.bpc", "moon_080317.tf", "de421.bsp"],
        "moon_radius_km": R_MOON,
        "frames": frames,
        "views": views,
    }, indent=1) + "\n")
    print(f"wrote {OUT}: {len(frames)} frame epochs, {len(views)} views")


if __name__ == "__main__":
    main()
