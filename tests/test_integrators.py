"""cosmoplan.integrators: compiled DOP853, Verner 9(8) and RK4 against exact solutions,
Kepler (universal variables), SciPy's DOP853 and the numerical propagator.

The Butcher tableaus are checked against every order condition (rooted trees, Butcher
1963): DOP853 to order 8 with its dense output to order 7; Verner's 9(8) pair to order 9
(and failing order 10), its embedded weights to order 8 and its interpolant to order 9.
"""

from __future__ import annotations

import inspect
from functools import lru_cache
from math import prod

import numba
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from cosmoplan import integrators as integ
from cosmoplan.errors import InputError
from cosmoplan.kepler import propagate_kepler

MU = 398600.4415  # km^3/s^2 (EGM96)


# ------------------------------------------------------------------ right-hand sides, events
@numba.njit
def _decay(t, y, k):
    return -k * y


@numba.njit
def _oscillator(t, y, w):
    out = np.empty_like(y)
    out[0] = y[1]
    out[1] = -w * w * y[0]
    return out


@numba.njit
def _kepler(t, y, mu):
    r2 = y[0] * y[0] + y[1] * y[1] + y[2] * y[2]
    k = -mu / (r2 * np.sqrt(r2))
    out = np.empty(6)
    out[0] = y[3]
    out[1] = y[4]
    out[2] = y[5]
    out[3] = k * y[0]
    out[4] = k * y[1]
    out[5] = k * y[2]
    return out


@numba.njit
def _z(t, y):
    return y[2]


@numba.njit
def _z_and_x(t, y, x0):
    return np.array([y[2], y[0] - x0])


@numba.njit
def _blow_up(t, y):
    return y * y


# ------------------------------------------------------------------ helpers
def _kepler_orbit(a=7000.0, e=0.1, inc=28.5, raan=30.0, argp=40.0):
    """State at periapsis and the rotation perifocal -> inertial (degrees in)."""
    i, o, w = np.radians([inc, raan, argp])
    co, so, ci, si, cw, sw = np.cos(o), np.sin(o), np.cos(i), np.sin(i), np.cos(w), np.sin(w)
    q = np.array([[co * cw - so * sw * ci, -co * sw - so * cw * ci, so * si],
                  [so * cw + co * sw * ci, -so * sw + co * cw * ci, -co * si],
                  [sw * si, cw * si, ci]])
    p = a * (1.0 - e * e)
    r = q @ np.array([a * (1.0 - e), 0.0, 0.0])
    v = q @ np.array([0.0, np.sqrt(MU / p) * (1.0 + e), 0.0])
    period = 2.0 * np.pi * np.sqrt(a**3 / MU)
    return np.r_[r, v], period


def _time_from_periapsis(nu, a=7000.0, e=0.1):
    ea = 2.0 * np.arctan2(np.sqrt(1.0 - e) * np.sin(nu / 2.0), np.sqrt(1.0 + e) * np.cos(nu / 2.0))
    ea %= 2.0 * np.pi
    return (ea - e * np.sin(ea)) / np.sqrt(MU / a**3)


@lru_cache(None)
def _trees(n):
    """Rooted trees with n vertices, each as the sorted tuple of its subtrees."""
    if n == 1:
        return ((),)
    return tuple(sorted(set(_forests(n - 1))))


@lru_cache(None)
def _forests(n, largest=None):
    """Multisets of rooted trees with n vertices in all (sorted tuples), trees <= largest."""
    if n == 0:
        return ((),)
    out = set()
    for k in range(1, n + 1):
        for t in _trees(k):
            if largest is not None and (k, t) > largest:
                continue
            for rest in _forests(n - k, (k, t)):
                out.add(tuple(sorted(rest + (t,))))
    return tuple(out)


def _order(t):
    return 1 + sum(_order(c) for c in t)


def _gamma(t):
    return _order(t) * prod(_gamma(c) for c in t)


def _stage_weights(t, a, memo):
    if t not in memo:
        v = np.ones(a.shape[0])
        for child in t:
            v = v * (a @ _stage_weights(child, a, memo))
        memo[t] = v
    return memo[t]


def _worst_residual(a, b, order, theta=1.0):
    """max |gamma(t) b . Phi(t) - theta^|t|| over all rooted trees t with up to ``order``
    vertices (the order conditions, Hairer, Norsett & Wanner 1993, sec. II.2; for a
    continuous extension b(theta), sec. II.6)."""
    memo = {}
    return max(abs(_gamma(t) * (b @ _stage_weights(t, a, memo)) - theta ** q)
               for q in range(1, order + 1) for t in _trees(q))


def _dop853_dense_weights(theta):
    """b_i(theta) of DOP853's dense output, by feeding unit stage vectors through it."""
    k = np.zeros((17, 16))
    k[:16] = np.eye(16)
    y = np.zeros(16)
    ynew = integ._DP_B.copy()  # y + h sum_j B_j K_j with h = 1
    p = np.zeros((7, 16))
    integ._dense_coefficients(0, y, ynew, k[12].copy(), k, integ._DP_D, 1.0, p)
    out = np.zeros(16)
    integ._dense_eval(0, p, y, ynew, k[0].copy(), k[12].copy(), 1.0, theta, out)
    return out


# ------------------------------------------------------------------ tableaus
def test_rooted_tree_counts():
    assert [len(_trees(n)) for n in range(1, 10)] == [1, 1, 2, 4, 9, 20, 48, 115, 286]


def test_dop853_tableau_and_dense_output_order_conditions():
    a, b, c = integ._DP_A, integ._DP_B, integ._DP_C
    assert np.max(np.abs(a.sum(axis=1) - c)) < 1e-15  # row sums of A = c
    assert abs(b.sum() - 1.0) < 1e-15
    assert _worst_residual(a[:12, :12], b[:12], 8) < 1e-13
    for theta in (0.1, 0.35, 0.5, 0.8, 1.0):
        bt = _dop853_dense_weights(theta)
        assert _worst_residual(a, bt, 7, theta) < 1e-13, theta
    assert np.allclose(_dop853_dense_weights(1.0), b, rtol=0, atol=1e-14)
    # the dense-output data transcribed here equal SciPy's (the 12 step stages are cr3bp's)
    dc = pytest.importorskip("scipy.integrate._ivp.dop853_coefficients")
    assert np.array_equal(integ._DP_A[12:], dc.A[12:])
    assert np.array_equal(integ._DP_C[12:], dc.C[12:])
    assert np.array_equal(integ._DP_D, dc.D)
    assert np.array_equal(integ._DP_E[0, :12], dc.E5[:12])


def test_verner98_tableau_order_conditions():
    a, c = integ._V_A, integ._V_CC
    b = integ._V_B[:16]
    bhat = b - integ._V_E[0, :16]
    assert np.max(np.abs(a.sum(axis=1) - c)) < 1e-14  # all 26 rows
    assert abs(b.sum() - 1.0) < 1e-15 and abs(bhat.sum() - 1.0) < 1e-14
    # spot checks of the quadrature conditions sum b c^(q-1) = 1/q named in the issue
    for q in range(1, 10):
        assert abs(b @ c[:16] ** (q - 1) - 1.0 / q) < 1e-14
    assert _worst_residual(a[:16, :16], b, 9) < 1e-13  # 9th order: all 486 trees
    assert _worst_residual(a[:16, :16], b, 10) > 1e-3  # and not 10th
    assert _worst_residual(a[:16, :16], bhat, 8) < 1e-13  # embedded: 8th order
    assert _worst_residual(a[:16, :16], bhat, 9) > 1e-3
    # stage 17 is f(t + h, y1): its row is b, c = 1
    assert np.array_equal(a[16, :16], b) and c[16] == 1.0
    # the interpolant: order 9 for every theta, = b at theta = 1
    for theta in (0.1, 0.3, 0.5, 0.77, 1.0):
        bt = sum(integ._V_RT[p] * theta ** (p + 1) for p in range(9))
        assert _worst_residual(a, bt, 9, theta) < 1e-11, theta
    assert np.max(np.abs(integ._V_RT.sum(axis=0)[:16] - b)) < 1e-11


# ------------------------------------------------------------------ simple problems
@pytest.mark.parametrize("solve", [integ.dop853_solve, integ.verner98_solve])
def test_exponential_decay(solve):
    k = np.array([0.1, 1.0, 3.0])
    t_out = np.linspace(0.0, 5.0, 26)
    res = solve(_decay, (k,), 0.0, np.ones(3), 5.0, 1e-12, 1e-15, t_out)
    assert res.status == 0 and res.t_final == 5.0
    exact = np.exp(-np.outer(t_out, k))
    assert np.all(np.abs(res.y_out - exact) < 1e-11 * exact + 1e-14)
    assert np.array_equal(res.y_out[-1], res.y_final)
    # backwards, from the end state to the start
    back = solve(_decay, (k,), 5.0, exact[-1], 0.0, 1e-12, 1e-20, t_out[::-1])
    assert np.all(np.abs(back.y_out - exact[::-1]) < 1e-10 * exact[::-1])


@pytest.mark.parametrize("solve", [integ.dop853_solve, integ.verner98_solve])
def test_harmonic_oscillator_dense_output(solve):
    w = 2.0
    t_out = np.sort(np.random.default_rng(1).uniform(0.0, 20.0, 500))
    res = solve(_oscillator, (w,), 0.0, [1.0, 0.0], 20.0, 1e-12, 1e-12, t_out)
    assert res.status == 0
    err = np.max(np.abs(res.y_out[:, 0] - np.cos(w * t_out)))
    err_v = np.max(np.abs(res.y_out[:, 1] + w * np.sin(w * t_out)))
    assert err < 1e-10 and err_v < 2e-10
    # output times do not shorten the steps
    bare = solve(_oscillator, (w,), 0.0, [1.0, 0.0], 20.0, 1e-12, 1e-12)
    assert bare.n_steps == res.n_steps and np.array_equal(bare.y_final, res.y_final)
    assert res.n_rhs > bare.n_rhs  # the dense-output stages


def test_rk4_converges_at_fourth_order_with_hermite_output():
    t_out = np.linspace(0.0, 10.0, 41)[1:] - 0.1  # between steps for every h below
    errs, dense_errs = [], []
    for h in (0.1, 0.05, 0.025):
        res = integ.rk4_solve(_oscillator, (1.0,), 0.0, [1.0, 0.0], 10.0, h, t_out)
        assert res.status == 0 and res.t_final == 10.0 and res.n_rhs == 4 * res.n_steps + 1
        # state error (amplitude and phase), at the end and between steps
        errs.append(np.hypot(res.y_final[0] - np.cos(10.0), res.y_final[1] + np.sin(10.0)))
        dense_errs.append(np.max(np.hypot(res.y_out[:, 0] - np.cos(t_out),
                                          res.y_out[:, 1] + np.sin(t_out))))
    orders = np.log2(np.array(errs[:-1]) / errs[1:])
    dense_orders = np.log2(np.array(dense_errs[:-1]) / dense_errs[1:])
    assert np.all(np.abs(orders - 4.0) < 0.01), orders  # observed: 3.9999
    assert np.all(np.abs(dense_orders - 4.0) < 0.01), dense_orders


# ------------------------------------------------------------------ Kepler
def test_kepler_ten_orbits_against_universal_variables_and_scipy(capsys):
    y0, period = _kepler_orbit()
    t1 = 10.0 * period
    t_out = np.linspace(0.0, t1, 2001)  # mostly between steps
    r_ref, v_ref = propagate_kepler(y0[:3], y0[3:], t_out, MU)
    report = {}
    for name, solve in (("DOP853", integ.dop853_solve), ("Verner98", integ.verner98_solve)):
        res = solve(_kepler, (MU,), 0.0, y0, t1, 1e-12, 1e-12, t_out)
        assert res.status == 0
        pos_err_m = np.max(np.linalg.norm(res.y_out[:, :3] - r_ref, axis=1)) * 1e3
        vel_err = np.max(np.linalg.norm(res.y_out[:, 3:] - v_ref, axis=1))
        assert pos_err_m < 1e-3, (name, pos_err_m)  # < 1 mm over 10 orbits
        assert vel_err < 1e-9  # km/s
        report[name] = (pos_err_m, res.n_rhs, res.n_steps, res.n_rejected)
    sol = solve_ivp(lambda t, y: _kepler(t, y, MU), (0.0, t1), y0, method="DOP853",
                    rtol=1e-12, atol=1e-12)
    scipy_err_m = np.linalg.norm(sol.y[:3, -1] - r_ref[-1]) * 1e3
    ours = integ.dop853_solve(_kepler, (MU,), 0.0, y0, t1, 1e-12, 1e-12)
    ours_err_m = np.linalg.norm(ours.y_final[:3] - r_ref[-1]) * 1e3
    # same method, same step control: same steps, so the same evaluations and accuracy
    assert abs(ours.n_rhs - sol.nfev) <= 1 + ours.n_rejected
    assert ours_err_m < 1e-3 and scipy_err_m < 1e-3
    assert abs(ours_err_m - scipy_err_m) < 1e-5
    with capsys.disabled():
        print(f"\n10 Kepler orbits (a 7000 km, e 0.1), rtol = atol = 1e-12: "
              f"DOP853 {report['DOP853'][0]:.2e} m / {report['DOP853'][1]} rhs, "
              f"Verner {report['Verner98'][0]:.2e} m / {report['Verner98'][1]} rhs, "
              f"SciPy DOP853 {scipy_err_m:.2e} m / {sol.nfev} rhs "
              f"(compiled DOP853 without output: {ours_err_m:.2e} m / {ours.n_rhs} rhs)")


@pytest.mark.parametrize("solve", [integ.dop853_solve, integ.verner98_solve, integ.rk4_solve])
def test_event_plane_crossing_to_a_microsecond(solve):
    y0, period = _kepler_orbit()
    t_node = _time_from_periapsis(2.0 * np.pi - np.radians(40.0))  # ascending node
    t_dnode = _time_from_periapsis(np.pi - np.radians(40.0))  # descending node
    t1 = 3.0 * period
    tol = (10.0,) if solve is integ.rk4_solve else (1e-12, 1e-12)
    res = solve(_kepler, (MU,), 0.0, y0, t1, *tol, event=_z, event_direction=1,
                event_terminal=False)
    assert res.status == 0 and res.t_final == t1
    want = t_node + period * np.arange(3)
    assert res.t_events.shape == (3,) and np.all(res.event_index == 0)
    bound = 1e-6 if solve is not integ.rk4_solve else 1e-4  # RK4 at h = 10 s: its own error
    assert np.max(np.abs(res.t_events - want)) < bound
    # |z| <= |vz| x (the time bracket, < 1e-6 s): below 7.5 um
    assert np.max(np.abs(res.y_events[:, 2])) < 7.5e-6
    if solve is integ.rk4_solve:
        return
    # terminal: stop at the first node; the reported time is just past the crossing, so a
    # restart from the event state finds the next node, not the same one again
    t_out = np.linspace(0.0, t1, 7)
    first = solve(_kepler, (MU,), 0.0, y0, t1, 1e-12, 1e-12, t_out, event=_z,
                  event_direction=1)
    assert first.status == 1 and abs(first.t_final - t_node) < 1e-6
    assert first.y_final[2] >= 0.0
    assert np.array_equal(first.y_final, first.y_events[0])
    reached = t_out <= first.t_final
    assert np.all(np.isfinite(first.y_out[reached])) and np.all(np.isnan(first.y_out[~reached]))
    again = solve(_kepler, (MU,), first.t_final, first.y_final, t1, 1e-12, 1e-12, event=_z,
                  event_direction=1)
    assert again.status == 1 and abs(again.t_final - (t_node + period)) < 1e-6
    # two event functions: nodes in either direction, and x = 0 crossed upwards
    both = solve(_kepler, (MU,), 0.0, y0, t1, 1e-12, 1e-12, event=_z_and_x, event_args=(0.0,),
                 event_direction=[0, 1], event_terminal=False)
    nodes = both.t_events[both.event_index == 0]
    want_all = np.sort(np.r_[want, t_dnode + period * np.arange(3)])
    assert np.max(np.abs(nodes - want_all)) < 1e-6
    assert np.all(np.diff(both.t_events) > 0.0)
    x_up = both.t_events[both.event_index == 1]
    assert x_up.size == 3 and np.all(np.abs(both.y_events[both.event_index == 1, 0]) < 7.5e-6)
    assert np.all(both.y_events[both.event_index == 1, 3] > 0.0)


# ------------------------------------------------------------------ propagator right-hand side
def _propagator_args(ctx, kernel, nsat=1):
    """The argument tuple of the propagator's right-hand side for nsat states without drag
    or SRP, in NumericalPropagator._integrate's order, which is the kernel's parameter order:
    taken from its signature, so that a parameter added there shows here by name."""
    extra = {"nsat": nsat, "bc": np.zeros(nsat), "srp_k": np.zeros(nsat),
             "rho_in": np.zeros(nsat), "rho_buf": np.zeros(nsat), "burns": np.zeros((0, 8)),
             "use_gr": False}
    names = list(inspect.signature(kernel.py_func).parameters)[2:]
    missing = [k for k in names if k not in extra and k not in ctx]
    assert not missing, f"_rhs_kernel takes arguments this test does not know: {missing}"
    return tuple(extra[k] if k in extra else ctx[k] for k in names)


def test_propagator_rhs_kernel_24h_leo_20x20_matches_propagate_states():
    from cosmoplan.propagator import ForceModel, NumericalPropagator, _rhs_kernel
    from cosmoplan.time import Epoch

    epoch0 = Epoch.from_iso("2021-06-17T00:00:00Z")
    inc = np.radians(51.6)
    y0 = np.array([6778.0, 0.0, 0.0, 0.0, 7.6686 * np.cos(inc), 7.6686 * np.sin(inc)])
    prop = NumericalPropagator(ForceModel(gravity_degree=20, atmosphere=None))
    ctx = prop._context(epoch0, 0, 86400)
    args = _propagator_args(ctx, _rhs_kernel)
    atol = np.r_[np.full(3, prop.atol_km), np.full(3, prop.atol_km * 1e-3)]
    want = prop.propagate_states(epoch0, y0, epoch0 + 86400.0)
    res = integ.dop853_solve(_rhs_kernel, args, 0.0, y0, 86400.0, prop.rtol, atol)
    assert res.status == 0
    # the same method and steps as the propagator's SciPy path: equal but for round-off
    assert np.linalg.norm(res.y_final[:3] - want[:3]) * 1e3 < 1e-3  # < 1 mm (measured 0.1)
    assert np.linalg.norm(res.y_final[3:] - want[3:]) * 1e3 < 1e-6  # < 1 um/s
    # Verner at the same tolerances against a tight DOP853 (rtol 1e-14, atol 1e-14 km):
    tight = integ.dop853_solve(_rhs_kernel, args, 0.0, y0, 86400.0, 1e-14,
                               np.r_[np.full(3, 1e-14), np.full(3, 1e-17)])
    vern = integ.verner98_solve(_rhs_kernel, args, 0.0, y0, 86400.0, prop.rtol, atol)
    assert vern.status == 0
    assert np.linalg.norm(vern.y_final[:3] - tight.y_final[:3]) * 1e3 < 1e-4  # < 0.1 mm
    assert np.linalg.norm(res.y_final[:3] - tight.y_final[:3]) * 1e3 < 1e-3


# ------------------------------------------------------------------ failures and checks
def test_status_codes():
    res = integ.dop853_solve(_oscillator, (1.0,), 0.0, [1.0, 0.0], 100.0, 1e-12, 1e-12,
                             np.array([0.0, 50.0, 100.0]), max_steps=5)
    assert res.status == 2 and res.t_final < 100.0 and res.n_steps + res.n_rejected == 5
    assert np.array_equal(res.y_out[0], [1.0, 0.0]) and np.all(np.isnan(res.y_out[1:]))
    # y' = y^2, y(0) = 1 blows up at t = 1: the step size underflows there
    res = integ.verner98_solve(_blow_up, (), 0.0, [1.0], 2.0, 1e-10, 1e-10)
    assert res.status == 3 and abs(res.t_final - 1.0) < 1e-6
    assert integ.STATUS_MESSAGES[res.status] == "step size underflow"
    # nothing to do
    res = integ.dop853_solve(_oscillator, (1.0,), 1.0, [1.0, 0.0], 1.0, t_out=[1.0])
    assert res.status == 0 and res.n_rhs == 0 and np.array_equal(res.y_out[0], [1.0, 0.0])


def test_input_errors():
    with pytest.raises(InputError, match="numba-jitted"):
        integ.dop853_solve(lambda t, y: -y, (), 0.0, [1.0], 1.0)
    with pytest.raises(InputError, match="tuple"):
        integ.dop853_solve(_decay, [1.0], 0.0, [1.0], 1.0)
    with pytest.raises(InputError, match="sorted"):
        integ.dop853_solve(_decay, (1.0,), 0.0, [1.0], 1.0, t_out=[0.5, 0.2])
    with pytest.raises(InputError, match="within"):
        integ.dop853_solve(_decay, (1.0,), 0.0, [1.0], 1.0, t_out=[0.5, 1.5])
    with pytest.raises(InputError, match="returned shape"):
        integ.dop853_solve(_decay, (np.ones(2),), 0.0, [1.0], 1.0)
    with pytest.raises(InputError, match="tolerances"):
        integ.verner98_solve(_decay, (1.0,), 0.0, [1.0], 1.0, rtol=-1.0)
    with pytest.raises(InputError, match="non-zero"):
        integ.rk4_solve(_decay, (1.0,), 0.0, [1.0], 1.0, 0.0)
