#!/usr/bin/env python3
"""Write ``src/cosmoplan/data/moon_lp165p_70.npz``: the lunar field LP165P to degree 70.

Source: the Lunar Prospector field LP165P (Konopliv et al. 2001, Icarus 150, 1-18, "Recent
gravity models as a result of the Lunar Prospector mission"; NASA PDS product, public
domain) in GMAT's ``.cof`` format, as kept in the GitHub repository Stanford-NavLab/LuPNT
(``data/gravity/luna/LP165P.cof``, degree 165). The committed excerpt
``tools/data/lp165p_deg70.cof`` holds its header and every RECOEF line up to degree 70,
verbatim, after COMMENT lines naming that origin. Read with
:func:`cosmoplan.forces.gravity_field.load_cof` (max_degree=70), so the bundle holds
exactly what cosmoplan reads from the file.

The npz (compressed) has the layout of ``egm96_120.npz`` (read by
:func:`cosmoplan.forces.gravity_field.field_from_npz`): ``c_packed``, ``s_packed`` (float64
lower triangles, m <= n, row by row), ``max_degree``, ``mu_km3_s2``, ``radius_km``,
``tide_system``, ``name``, ``norm``, ``source`` (text), ``source_sha256`` (of the excerpt),
``source_header`` (the excerpt's lines up to POTFIELD, verbatim), ``generated_by``, plus
``frame``. It also checks GM, radius, C20 and C22 against the values quoted below.

Run:  python tools/make_moon_gravity_bundle.py [--cof PATH] [--out PATH] [--check]
(``--check`` regenerates in memory and compares with the committed bundle.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cosmoplan.forces import gravity_field as gf  # noqa: E402

DEFAULT_COF = ROOT / "tools" / "data" / "lp165p_deg70.cof"
DEFAULT_OUT = ROOT / "src" / "cosmoplan" / "data" / gf.MOON_BUNDLE_FILE
DEGREE = 70
NAME = "LP165P"
EXPECTED_SHA256 = "6a9f81112644ee9e3b66280ec8a1d5ffd9fc2c96d3b19f7571aebfc904a40138"
# From the file's header and first lines:
#   POTFIELD165165  0 4.90280105600000e+12 1.73800000000000e+06 1.00000000000000e+00
#   RECOEF    2  0   -9.08901807506000e-05
#   RECOEF    2  2    3.46354993722000e-05 1.67294905383000e-08
QUOTED = dict(mu=4902.801056, radius_km=1738.0, c20=-9.08901807506000e-05,
              c22=3.46354993722000e-05, s22=1.67294905383000e-08)
SOURCE = ("LP165P.cof (GMAT format, degree 165; Lunar Prospector, Konopliv et al. 2001, "
          "Icarus 150, 1-18; NASA PDS, public domain) from GitHub Stanford-NavLab/LuPNT "
          "data/gravity/luna/LP165P.cof, excerpt tools/data/lp165p_deg70.cof, truncated at "
          f"degree and order {DEGREE}")
FRAME = ("MOON_PA: lunar principal axes (LP165P is referred to the principal-axis frame of "
         "the Lunar Prospector solution; cosmoplan evaluates it in the DE421 MOON_PA frame)")


def header_text(path):
    """The file's lines up to and including POTFIELD, verbatim."""
    lines = []
    with open(path, encoding="latin-1") as f:
        for line in f:
            lines.append(line.rstrip("\n"))
            if line.startswith("POTFIELD"):
                break
    return "\n".join(lines)


def build(cof):
    sha = gf.sha256_file(cof)
    if sha != EXPECTED_SHA256:
        print(f"warning: {cof} sha256 {sha} differs from the committed excerpt's "
              f"{EXPECTED_SHA256}", file=sys.stderr)
    fld = gf.load_cof(cof, max_degree=DEGREE, body="Moon", name=NAME)
    assert fld.max_degree == DEGREE and fld.max_order == DEGREE, fld
    assert fld.mu == QUOTED["mu"], (fld.mu, QUOTED["mu"])
    assert fld.radius_km == QUOTED["radius_km"], (fld.radius_km, QUOTED["radius_km"])
    assert fld.c[2, 0] == QUOTED["c20"] and fld.c[2, 2] == QUOTED["c22"], fld.c[2]
    assert fld.s[2, 2] == QUOTED["s22"], fld.s[2]
    arrays = dict(
        c_packed=gf.pack_lower(fld.c), s_packed=gf.pack_lower(fld.s),
        max_degree=np.int64(fld.max_degree), mu_km3_s2=np.float64(fld.mu),
        radius_km=np.float64(fld.radius_km), tide_system=np.str_(fld.tide_system),
        name=np.str_(fld.name), norm=np.str_(fld.norm), source=np.str_(SOURCE),
        source_sha256=np.str_(sha), source_header=np.str_(header_text(cof)),
        generated_by=np.str_("tools/make_moon_gravity_bundle.py (cosmoplan.forces."
                             "gravity_field.load_cof)"),
        frame=np.str_(FRAME),
    )
    return fld, arrays


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cof", default=str(DEFAULT_COF))
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--check", action="store_true",
                    help="compare with the existing bundle instead of writing it")
    args = ap.parse_args(argv)
    fld, arrays = build(args.cof)
    if args.check:
        old = gf.field_from_npz(args.out)
        with np.load(args.out, allow_pickle=False) as z:
            meta_same = all(str(z[k]) == str(arrays[k]) for k in
                            ("source_sha256", "source", "source_header", "name", "frame"))
        same = (np.array_equal(old.c, fld.c) and np.array_equal(old.s, fld.s)
                and old.mu == fld.mu and old.radius_km == fld.radius_km
                and old.max_degree == fld.max_degree and old.tide_system == fld.tide_system
                and meta_same)
        print(f"{args.out}: {'identical to' if same else 'DIFFERS from'} {args.cof}")
        return 0 if same else 1
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size:,} bytes): {fld.name} "
          f"degree {fld.max_degree}, mu {fld.mu} km^3/s^2, R {fld.radius_km} km, "
          f"sha256 {arrays['source_sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
