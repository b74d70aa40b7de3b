"""Batch propagation: N states in one call, parallel right-hand side, (N, M, 6) arrays."""

from __future__ import annotations

import numpy as np
import pytest

from cosmoplan.errors import InputError
from cosmoplan.propagator import ForceModel, NumericalPropagator, Spacecraft
from cosmoplan.time import Epoch

T0 = Epoch.from_iso("2021-06-17T00:00:00Z")
RV = np.r_[736.4514239, 6349.5575037, 2244.5419005, -6.2278106, -0.8340303, 4.4027707]


def test_a_dispersion_matches_single_propagations():
    rng = np.random.default_rng(7)
    n = 40  # >= PARALLEL_MIN_STATES: the parallel kernel
    rv = np.tile(RV, (n, 1))
    rv[:, :3] += rng.normal(0.0, 1.0, (n, 3))
    rv[:, 3:] += rng.normal(0.0, 1e-3, (n, 3))
    crafts = [Spacecraft(drag_area_m2=float(a)) for a in rng.uniform(5.0, 15.0, n)]
    prop = NumericalPropagator(ForceModel(gravity_degree=8, atmosphere="harris-priester"),
                               rtol=1e-12, atol_km=1e-8)
    epochs = T0 + np.arange(0.0, 6 * 3600.0 + 1.0, 1800.0)
    out = prop.propagate_batch(T0, rv, epochs, spacecraft=crafts)
    assert out.states.shape == (n, epochs.size, 6)
    np.testing.assert_allclose(out.states[:, 0], rv, atol=1e-12)
    for i in (0, 17, n - 1):
        one = prop.propagate(T0, rv[i, :3], rv[i, 3:], epochs=epochs, spacecraft=crafts[i])
        err = np.abs(out.states[i, :, :3] - one.trajectory.r).max()
        assert err < 1e-5, err  # km: 1 cm (the batch shares one step size)
    tr = out.trajectory(3)
    assert tr.frame == "GCRF" and len(tr.r) == epochs.size


def test_serial_and_parallel_kernels_agree():
    from cosmoplan import propagator as P

    prop = NumericalPropagator(ForceModel(gravity_degree=4, atmosphere=None,
                                          third_bodies=("sun", "moon")))
    ctx = prop._context(T0, 0.0, 3600.0)
    rng = np.random.default_rng(1)
    y = (np.tile(RV, (64, 1)) + rng.normal(0, 1e-3, (64, 6))).reshape(-1)
    args = (64, ctx["c"], ctx["w"], ctx["era0"], ctx["mu"], ctx["radius"], ctx["jn"],
            ctx["nmax"], ctx["atm"], ctx["exp_table"], ctx["hp_table"], ctx["hp_n"],
            ctx["sun_t0"], ctx["sun_dt"], ctx["sun_u"], np.zeros(64), ctx["omega"],
            ctx["sh_n"], ctx["sh_m"], ctx["sh_c"], ctx["sh_s"], ctx["sh_rec"], ctx["sh_work"],
            ctx["b_t0"], ctx["b_dt"], ctx["b_pos"], ctx["b_vel"], ctx["b_gm"], ctx["b_use"],
            np.zeros(64), ctx["use_srp"], ctx["earth_a"], ctx["earth_f"], ctx["moon_r"],
            np.zeros(64), np.zeros((0, 8)), False)
    a = P._rhs_kernel(100.0, y, *args)
    b = P._rhs_kernel_parallel(100.0, y, *args)
    np.testing.assert_array_equal(a, b)


def test_bad_batches():
    prop = NumericalPropagator(ForceModel(zonal_degree=2, atmosphere=None))
    ep = T0 + np.array([0.0, 60.0])
    with pytest.raises(InputError, match=r"\(N, 6\)"):
        prop.propagate_batch(T0, RV, ep)
    with pytest.raises(InputError, match="monotonic"):
        prop.propagate_batch(T0, RV[None], T0 + np.array([0.0, 60.0, 30.0]))
    with pytest.raises(InputError, match="NaN"):
        prop.propagate_batch(T0, np.full((2, 6), np.nan), ep)
