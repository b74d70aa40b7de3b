"""satkit peer for bench_propagation.py, run in satkit's own environment (satkit 0.24,
satkit-data, astropy-iers-data; offline as in shared/ORACLES.md):

    python _propagation_satkit_peer.py SPEC.json

SPEC (written by bench_propagation.py): ``initial`` (GCRF x y z vx vy vz, m and m/s, at
2021-06-17T00:00:00 UTC), ``duration_s``, ``warmup``, ``repeat`` and ``cases``, a list of
dicts with ``name``, ``degree``, ``abs_error``, ``rel_error``, ``timed`` (bool).

Settings (``satkit.propsettings``): EGM96 (satkit-data's EGM96.gfc) degree x order
``degree``, Sun and Moon gravity off, solid tides off, relativity off, space weather off,
no ``satproperties`` (no drag, no radiation pressure), integrator RKV98 with
``enable_interp=False`` (satkit's 16-stage no-interpolant tableau: only the final state is
wanted), ``abs_error`` (m and m/s alike) and ``rel_error``. Each timed run is one
``satkit.propagate(state, t0, duration_secs=...)`` call. Prints one JSON line: per case the
median and all times (s), force evaluations / accepted / rejected steps, the final state and
the settings as satkit prints them.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ["SATKIT_OFFLINE"] = "1"


def _data(module):
    return str(Path(importlib.import_module(module).__file__).parent / "data")


def main():
    import numpy as np
    import satkit as sk

    # EGM96.gfc, DE440, SW and EOP-All from satkit-data; finals2000A.all (the EOP table
    # satkit 0.24 reads) from astropy-iers-data
    sk.utils.add_search_dir(_data("satkit_data"))
    sk.utils.add_search_dir(_data("astropy_iers_data"))
    spec = json.loads(Path(sys.argv[1]).read_text())
    x = np.asarray(spec["initial"], float)
    t0 = sk.time(2021, 6, 17, 0, 0, 0)  # UTC
    out = {"version": sk.utils.version(), "epoch": t0.to_iso8601(), "cases": {}}
    for case in spec["cases"]:
        ps = sk.propsettings()
        ps.gravity_model = sk.gravmodel.egm96
        ps.gravity_degree = int(case["degree"])
        ps.gravity_order = int(case["degree"])
        ps.use_sun_gravity = False
        ps.use_moon_gravity = False
        ps.use_spaceweather = False
        ps.tide_model = sk.tidemodel.none
        ps.use_relativistic_correction = False
        ps.integrator = sk.integrator.rkv98
        ps.enable_interp = False
        ps.abs_error = float(case["abs_error"])
        ps.rel_error = float(case["rel_error"])
        runs = (spec["warmup"] + spec["repeat"]) if case.get("timed") else 1
        times = []
        for _ in range(runs):
            t_start = time.perf_counter()
            res = sk.propagate(x, t0, duration_secs=float(spec["duration_s"]), propsettings=ps)
            times.append(time.perf_counter() - t_start)
        timed = times[spec["warmup"]:] if case.get("timed") else times
        st = res.stats
        out["cases"][case["name"]] = {
            "median_s": statistics.median(timed),
            "min_s": min(timed),
            "times_s": times,
            "evaluations": int(st.num_eval),
            "accepted": int(st.num_accept),
            "rejected": int(st.num_reject),
            "final": np.r_[np.asarray(res.pos), np.asarray(res.vel)].tolist(),
            "settings": " ".join(str(ps).split()),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
