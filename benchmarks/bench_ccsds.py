#!/usr/bin/env python3
"""Reading and writing a 100,000-row OEM in KVN and XML: cosmoplan against its peers.

Builds an OEM of one LEO segment with ``--rows`` states (10 s apart, Keplerian motion, full
17-digit values, as a propagator writes them), and times in the same run, median of
``--repeat`` runs each:

* cosmoplan: ``ccsds.loads`` of the KVN and XML texts, ``to_kvn`` and ``to_xml``;
* ccsds-ndm-py 0.0.9 (Rust, import name ``ccsds_ndm``), ``Oem.from_str``/``to_str``, in the
  Python given by ``--ndm-python`` (its own environment: it shares the import name with the
  GPL ccsds-ndm, ORACLES.md) or skipped when absent;
* Orekit 13.1 (orekit-jpype) ``OemParser`` and ``OemWriter``, in ``--orekit-python``
  (offline data from shared/tools/orekit_oracle.py), or skipped.

Prints rows per second and each peer's time over cosmoplan's (a ratio > 1: cosmoplan is
faster). Usage:

    python benchmarks/bench_ccsds.py [--rows N] [--repeat R]
        [--ndm-python ../ndm-venv/bin/python] [--orekit-python ../oracle-venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from cosmoplan import ccsds  # noqa: E402


def make_oem_text(rows):
    """KVN text of a one-segment OEM with ``rows`` LEO states (Keplerian, 10 s step)."""
    mu, a = 398600.4418, 6778.137
    n = np.sqrt(mu / a**3)
    t = np.arange(rows) * 10.0
    inc = np.radians(51.6)
    u = n * t
    r = np.stack([a * np.cos(u), a * np.sin(u) * np.cos(inc), a * np.sin(u) * np.sin(inc)], 1)
    v = a * n * np.stack([-np.sin(u), np.cos(u) * np.cos(inc), np.cos(u) * np.sin(inc)], 1)
    r = r * (1 + 1e-7 * np.sin(7 * u))[:, None]  # full-precision digits everywhere
    t0 = np.datetime64("2021-06-17T01:22:27.000")
    stamps = np.datetime_as_string(t0 + (t * 1e3).astype("timedelta64[ms]"), unit="ms")
    stop = stamps[-1]
    head = f"""CCSDS_OEM_VERS = 2.0
CREATION_DATE = 2026-11-30T00:00:00
ORIGINATOR = cosmoplan-bench

META_START
OBJECT_NAME = BENCH
OBJECT_ID = 2021-053A
CENTER_NAME = EARTH
REF_FRAME = GCRF
TIME_SYSTEM = UTC
START_TIME = {stamps[0]}
STOP_TIME = {stop}
INTERPOLATION = HERMITE
INTERPOLATION_DEGREE = 7
META_STOP

"""
    body = "\n".join(f"{s} {x!r} {y!r} {z!r} {p!r} {q!r} {w!r}"
                     for s, (x, y, z), (p, q, w) in zip(stamps, r.tolist(), v.tolist()))
    return head + body + "\n"


def median_time(func, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peer(python, which, kvn, xml, repeat):
    if not python or not Path(python).exists():
        return None, f"no interpreter at {python}"
    proc = subprocess.run([python, str(HERE / "_ccsds_peers.py"), which, str(kvn), str(xml),
                           str(repeat)], capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        return None, (proc.stderr.strip().splitlines() or ["failed"])[-1][:200]
    return json.loads(proc.stdout.strip().splitlines()[-1]), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--ndm-python", default=str(HERE.parents[1] / "ndm-venv/bin/python"))
    ap.add_argument("--orekit-python", default=str(HERE.parents[1] / "oracle-venv/bin/python"))
    args = ap.parse_args()

    kvn_text = make_oem_text(args.rows)
    msg = ccsds.loads(kvn_text)
    xml_text = msg.to_xml()
    assert ccsds.loads(xml_text) == msg
    ours = {"read_kvn": median_time(lambda: ccsds.loads(kvn_text), args.repeat),
            "write_kvn": median_time(msg.to_kvn, args.repeat),
            "read_xml": median_time(lambda: ccsds.loads(xml_text), args.repeat),
            "write_xml": median_time(msg.to_xml, args.repeat)}
    with tempfile.TemporaryDirectory() as tmp:
        kvn, xml = Path(tmp) / "bench.oem", Path(tmp) / "bench.xml"
        kvn.write_text(kvn_text)
        xml.write_text(xml_text)
        peers = {"ccsds-ndm-py": peer(args.ndm_python, "ndm", kvn, xml, args.repeat),
                 "Orekit 13.1": peer(args.orekit_python, "orekit", kvn, xml, args.repeat)}

    print(f"OEM of {args.rows:,} rows ({len(kvn_text) / 1e6:.1f} MB KVN, "
          f"{len(xml_text) / 1e6:.1f} MB XML), median of {args.repeat} runs")
    print(f"{'':14s}{'cosmoplan':>20s}" + "".join(f"{name:>30s}" for name in peers))
    for op in ("read_kvn", "write_kvn", "read_xml", "write_xml"):
        line = f"{op:14s}{args.rows / ours[op]:>13,.0f} rows/s"
        for res, _err in peers.values():
            if res is None or res.get(op) is None:
                line += f"{'n/a':>30s}"
            else:
                line += f"{args.rows / res[op]:>13,.0f} rows/s x{res[op] / ours[op]:>6.2f}"
        print(line)
    for name, (res, err) in peers.items():
        if err:
            print(f"{name}: not run ({err})")
        elif res and res.get("read_xml_error"):
            print(f"{name}: XML read failed ({res['read_xml_error']})")
    print("x: the peer's time over cosmoplan's (> 1: cosmoplan is faster)")


if __name__ == "__main__":
    main()
