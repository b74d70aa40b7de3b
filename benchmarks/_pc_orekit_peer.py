"""Orekit peer for bench_pc.py, run in the oracle environment (orekit-jpype, offline data
from shared/tools/orekit_oracle.py):

    python _pc_orekit_peer.py ENCOUNTERS.npz REPEATS

Loads xm, ym, sx, sy, radius (metres), computes each with Orekit 13.1's
``Patera2005``, ``Alfano2005`` and ``Laas2015`` short-term 2-D methods in a Python loop (the
way a Python user calls them), and prints one JSON line: median seconds per Pc and the
values.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np


def main():
    here = Path(__file__).resolve()
    sys.path.insert(0, str(here.parents[2] / "shared" / "tools"))
    import orekit_oracle

    orekit_oracle.start_orekit()
    from org.orekit.ssa.collision.shorttermencounter.probability.twod import (
        Alfano2005,
        Laas2015,
        Patera2005,
    )

    data = np.load(sys.argv[1])
    repeat = int(sys.argv[2])
    enc = [data[k].tolist() for k in ("xm", "ym", "sx", "sy", "radius")]
    n = len(enc[0])
    out = {}
    for name, method in (("patera", Patera2005()), ("alfano", Alfano2005()),
                         ("laas", Laas2015())):
        values = [0.0] * n

        failures = []

        def run(method=method, values=values, failures=failures):
            failures.clear()
            for i in range(n):
                try:
                    values[i] = method.compute(enc[0][i], enc[1][i], enc[2][i], enc[3][i],
                                               enc[4][i]).getValue()
                except Exception as exc:  # noqa: BLE001 - a Java exception: record it
                    values[i] = float("nan")
                    failures.append(f"{i}: {str(exc).splitlines()[0][-120:]}")

        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        out[name] = {"seconds_per_pc": statistics.median(times) / n, "values": values,
                     "failures": failures[:5], "n_failures": len(failures)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
