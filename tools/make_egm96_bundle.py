#!/usr/bin/env python3
"""Write ``src/cosmoplan/data/egm96_120.npz``: EGM96 (tide-free) to degree and order 120.

Source: ICGEM's ``EGM96.gfc`` (degree 360; Lemoine et al. 1998, NASA/TP-1998-206861) as
shipped by the PyPI package satkit-data 0.9.0, the same file the project's Orekit oracle
reads (``shared/tools/orekit_oracle.py``). Read with :func:`cosmoplan.forces.gravity_field.
load_gfc` (max_degree=120), so the bundle holds exactly what cosmoplan reads from the file.

The npz (compressed) holds ``c_packed``, ``s_packed`` (float64 lower triangles, m <= n,
row by row), ``max_degree``, ``mu_km3_s2``, ``radius_km``, ``tide_system``, ``name``,
``norm``, ``source`` (text), ``source_sha256``, ``source_header`` (the file's header,
verbatim) and ``generated_by``. It also checks that the file's GM, radius and J2..J6 agree
with :mod:`cosmoplan.constants`.

Run:  python tools/make_egm96_bundle.py [--gfc PATH] [--out PATH] [--check]
(``--check`` regenerates in memory and compares with the committed bundle.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cosmoplan import constants  # noqa: E402
from cosmoplan.forces import gravity_field as gf  # noqa: E402

DEFAULT_GFC = (ROOT.parent / "oracle-venv" / "lib" / "python3.11" / "site-packages"
               / "satkit_data" / "data" / "EGM96.gfc")
DEFAULT_OUT = ROOT / "src" / "cosmoplan" / "data" / gf.BUNDLE_FILE
DEGREE = 120
EXPECTED_SHA256 = "5247a9e9c316dd2c8f8fd491d53be0e163cb5cb3676b021754240cc9e44cb43b"


def header_text(path):
    lines = []
    with open(path, encoding="latin-1") as f:
        for line in f:
            lines.append(line.rstrip("\n"))
            if line.split()[:1] == ["end_of_head"]:
                break
    return "\n".join(lines)


def build(gfc):
    sha = gf.sha256_file(gfc)
    if sha != EXPECTED_SHA256:
        print(f"warning: {gfc} sha256 {sha} differs from satkit-data 0.9.0's "
              f"{EXPECTED_SHA256}", file=sys.stderr)
    fld = gf.load_gfc(gfc, max_degree=DEGREE)
    # consistency with the constants the rest of cosmoplan uses
    assert fld.mu == constants.EGM96_GM_KM3_S2, (fld.mu, constants.EGM96_GM_KM3_S2)
    assert fld.radius_km == constants.EGM96_RADIUS_KM, (fld.radius_km,
                                                        constants.EGM96_RADIUS_KM)
    for n, cbar in constants.EGM96_CBAR_N0.items():
        assert fld.c[n, 0] == cbar, (n, fld.c[n, 0], cbar)
    j = fld.zonal_j()
    assert np.array_equal(j[:7], constants.EGM96_J), (j[:7], constants.EGM96_J)
    arrays = dict(
        c_packed=gf.pack_lower(fld.c), s_packed=gf.pack_lower(fld.s),
        max_degree=np.int64(fld.max_degree), mu_km3_s2=np.float64(fld.mu),
        radius_km=np.float64(fld.radius_km), tide_system=np.str_(fld.tide_system),
        name=np.str_(fld.name), norm=np.str_(fld.norm),
        source=np.str_(f"EGM96.gfc (ICGEM format, degree 360) from satkit-data 0.9.0, "
                       f"truncated at degree and order {DEGREE}"),
        source_sha256=np.str_(sha), source_header=np.str_(header_text(gfc)),
        generated_by=np.str_("tools/make_egm96_bundle.py (cosmoplan.forces.gravity_field."
                             "load_gfc)"),
    )
    return fld, arrays


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gfc", default=str(DEFAULT_GFC))
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--check", action="store_true",
                    help="compare with the existing bundle instead of writing it")
    args = ap.parse_args(argv)
    fld, arrays = build(args.gfc)
    if args.check:
        old = gf.field_from_npz(args.out)
        same = (np.array_equal(old.c, fld.c) and np.array_equal(old.s, fld.s)
                and old.mu == fld.mu and old.radius_km == fld.radius_km
                and old.tide_system == fld.tide_system)
        print(f"{args.out}: {'identical to' if same else 'DIFFERS from'} {args.gfc}")
        return 0 if same else 1
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size:,} bytes): {fld.name} "
          f"degree {fld.max_degree}, {fld.tide_system}, mu {fld.mu} km^3/s^2, "
          f"R {fld.radius_km} km, sha256 {arrays['source_sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
