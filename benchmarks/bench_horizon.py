#!/usr/bin/env python3
"""Speed of the DEM horizon ray casting of ``cosmoplan.surface.horizon``.

* One site: ``Horizon.from_array`` on a synthetic 1000 x 1000 lunar south-pole DEM (20 m
  pixels, 20 km square around the pole: rolling terrain and bowl craters), 1 deg azimuth
  steps (360 rays, half-pixel steps, to the DEM edge). Target: under 5 s. The first call
  (JIT compilation or loading numba's on-disk cache) is timed apart; then the median of
  ``--repeat`` runs.
* The same ray casting written here as a plain vectorised NumPy implementation (all rays
  and steps as (360, N) arrays, bilinear gathers, a running "still on the DEM" mask), as
  the baseline: no package on PyPI computes lunar DEM horizons. Both must agree to 1e-6 deg.
* Many sites: 100 sites scattered over the central 12 km of the same DEM, sites per second.

Usage: python benchmarks/bench_horizon.py [--repeat R] [--size N]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from _timing import timed  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cosmoplan.surface.horizon import (  # noqa: E402
    Horizon,
    polar_stereographic,
    polar_stereographic_inverse,
)

R_M = 1737400.0
PIXEL_M = 20.0


def synthetic_dem(n, px, seed=0):
    """Heights (m) of an n x n grid centred on the south pole, and its transform."""
    rng = np.random.default_rng(seed)
    half = n * px / 2.0
    tr = (px, 0.0, -half, 0.0, -px, half)
    c = -half + (np.arange(n) + 0.5) * px
    xx, yy = np.meshgrid(c, -c)
    h = np.zeros((n, n))
    for _ in range(30):  # rolling terrain: Gaussian hills and hollows, 1-5 km wide
        x0, y0 = rng.uniform(-half, half, 2)
        w = rng.uniform(1000.0, 5000.0)
        h += rng.uniform(-400.0, 600.0) * np.exp(-((xx - x0) ** 2 + (yy - y0) ** 2) / w**2)
    for _ in range(40):  # bowl craters, depth 0.2 diameter, a raised rim
        x0, y0 = rng.uniform(-half, half, 2)
        rad = rng.uniform(100.0, 2500.0)
        r = np.hypot(xx - x0, yy - y0) / rad
        h += np.where(r < 1.0, 0.4 * rad * (r**2 - 1.0), 0.04 * rad * np.exp(-8 * (r - 1.0)))
    return h, tr


def horizon_numpy(h, tr, lat_deg, lon_deg, az_step_deg=1.0):
    """The module's ray casting (same step rule and stop rules) in vectorised NumPy."""
    a, _, c, _, e, f = tr
    nrow, ncol = h.shape
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    xs, ys = (float(v) for v in polar_stereographic(lat, lon))
    cf = min(max((xs - c) / a - 0.5, 0.0), ncol - 1.0)
    rf = min(max((ys - f) / e - 0.5, 0.0), nrow - 1.0)
    i, j = min(int(cf), ncol - 2), min(int(rf), nrow - 2)
    tx, ty = cf - i, rf - j
    hs = ((1 - ty) * ((1 - tx) * h[j, i] + tx * h[j, i + 1])
          + ty * ((1 - tx) * h[j + 1, i] + tx * h[j + 1, i + 1]))
    floor = -math.acos(min(R_M, R_M + hs) / (R_M + hs))
    rho_max = max(math.hypot(u, v) for u in (c, c + a * ncol) for v in (f, f + e * nrow))
    ds = 0.5 * min(abs(a), abs(e)) / (1.0 + rho_max**2 / (4 * R_M**2))
    n_steps = math.ceil(1.6 * math.hypot(a * ncol, e * nrow) / ds) + 2
    g = np.arange(1, n_steps + 1) * (ds / R_M)
    az = np.radians(np.arange(math.ceil(360.0 / az_step_deg - 1e-9)) * az_step_deg)
    sl, cl = math.sin(lat), math.cos(lat)
    up = np.array([cl * math.cos(lon), cl * math.sin(lon), sl])
    north = np.array([-sl * math.cos(lon), -sl * math.sin(lon), cl])
    east = np.array([-math.sin(lon), math.cos(lon), 0.0])
    d = np.cos(az)[:, None] * north + np.sin(az)[:, None] * east  # (M, 3)
    cg, sg = np.cos(g), np.sin(g)
    p = cg[None, :, None] * up + sg[None, :, None] * d[:, None, :]  # (M, N, 3)
    den = 1.0 - p[..., 2]
    x = 2 * R_M * p[..., 1] / den
    y = 2 * R_M * p[..., 0] / den
    colf = (x - c) / a - 0.5
    rowf = (y - f) / e - 0.5
    ok = (colf >= 0) & (colf <= ncol - 1) & (rowf >= 0) & (rowf <= nrow - 1)
    i0 = np.clip(np.floor(colf).astype(np.int64), 0, ncol - 2)
    j0 = np.clip(np.floor(rowf).astype(np.int64), 0, nrow - 2)
    tx, ty = colf - i0, rowf - j0
    h00, h01 = h[j0, i0], h[j0, i0 + 1]
    h10, h11 = h[j0 + 1, i0], h[j0 + 1, i0 + 1]
    hp = (1 - ty) * ((1 - tx) * h00 + tx * h01) + ty * ((1 - tx) * h10 + tx * h11)
    ok &= np.isfinite(hp)
    ok = np.logical_and.accumulate(ok, axis=1)  # a ray stops at its first bad step
    rp = R_M + hp
    el = np.arctan2((hp - hs) - rp * 2 * np.sin(g / 2) ** 2, rp * sg)
    el = np.where(ok, el, -np.inf).max(axis=1)
    return az, np.maximum(el, floor)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--size", type=int, default=1000, help="DEM size, pixels (square)")
    ap.add_argument("--sites", type=int, default=100)
    args = ap.parse_args()

    h, tr = synthetic_dem(args.size, PIXEL_M)
    print(f"DEM {args.size} x {args.size}, {PIXEL_M:g} m pixels, heights {h.min():.0f} .. "
          f"{h.max():.0f} m; site at the south pole, 1 deg azimuth steps")

    t0 = time.perf_counter()
    hz = Horizon.from_array(h, tr, -90.0, 0.0)
    print(f"first call (JIT compile or numba cache load): {time.perf_counter() - t0:.2f} s")

    out = {}

    def ours():
        out["hz"] = Horizon.from_array(h, tr, -90.0, 0.0)

    def numpy_ref():
        out["np"] = horizon_numpy(h, tr, -90.0, 0.0)

    t_ours = timed(ours, args.repeat)
    t_np = timed(numpy_ref, args.repeat)
    hz = out["hz"]
    az_np, el_np = out["np"]
    diff = float(np.max(np.abs(np.degrees(hz.elevation - el_np))))
    assert np.array_equal(hz.azimuth, az_np)
    print(f"one site, cosmoplan (numba kernel): {t_ours * 1e3:.1f} ms (target < 5 s); "
          f"horizon {hz.elevation_deg.min():.2f} .. {hz.elevation_deg.max():.2f} deg")
    print(f"one site, vectorised NumPy: {t_np * 1e3:.1f} ms; NumPy / cosmoplan = "
          f"{t_np / t_ours:.1f}; max difference {diff:.1e} deg "
          f"({'OK' if diff < 1e-6 else 'FAIL'}: < 1e-6 deg)")

    rng = np.random.default_rng(7)
    xy = rng.uniform(-6000.0, 6000.0, (args.sites, 2))
    lat, lon = polar_stereographic_inverse(xy[:, 0], xy[:, 1])
    sites = np.degrees(np.column_stack([lat, lon]))

    def many():
        out["many"] = [Horizon.from_array(h, tr, la, lo) for la, lo in sites]

    t_many = timed(many, max(1, min(args.repeat, 3)))
    i = int(rng.integers(args.sites))
    _, el_i = horizon_numpy(h, tr, *sites[i])
    diff_i = float(np.max(np.abs(np.degrees(out["many"][i].elevation - el_i))))
    print(f"{args.sites} sites on the same DEM: {t_many:.2f} s, {args.sites / t_many:.0f} sites/s "
          f"(site {i} vs NumPy: {diff_i:.1e} deg)")
    if diff >= 1e-6 or diff_i >= 1e-6:
        sys.exit("cosmoplan and the NumPy reference disagree")


if __name__ == "__main__":
    main()
