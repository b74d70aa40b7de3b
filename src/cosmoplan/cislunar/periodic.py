"""Periodic orbits of the Earth-Moon CR3BP: differential correction, continuation, families.

All states are nondimensional in the rotating barycentric frame of
:mod:`cosmoplan.cislunar.cr3bp` (Earth at -mu, Moon at 1 - mu on the x axis).

Symmetric orbits
----------------
Lyapunov and halo orbits (and the NRHOs, the halo members nearest the Moon) are symmetric
about the xz-plane (Szebehely 1967, sec. 8.2; Howell 1984, Celest. Mech. 32, 53-71): a state
``(x0, 0, z0, 0, vy0, 0)`` on the plane with velocity perpendicular to it returns
perpendicularly to the plane after half a period. :func:`correct_symmetric` shoots to that
half-period y = 0 crossing and drives ``vx`` and ``vz`` there to zero by Newton's method, with
one of x0, z0, the period or the Jacobi constant held fixed (the continuation parameter).
The crossing time moves with the initial state; its partials enter through
d s_f = (Phi - f_f Phi[y, :] / vy_f) d s0 (Howell 1984, sec. 4). With the period held
fixed the arc runs to the fixed time T/2 and ``y`` joins the targets.

:func:`correct_multiple_shooting` splits one period into arcs joined by continuity
constraints (with the phase fixed by y = 0 at the first patch point) and solves the
(6N + 1) x 6N system in the least-squares sense; for the strongly unstable or near-Moon
orbits (NRHOs) it keeps each arc's STM moderate and gives the monodromy matrix as a product
of arc STMs (Pavlak 2013; Zimovan-Spreen, Howell & Davis 2020, Celest. Mech. Dyn. Astr.
132:28).

Continuation (:func:`continue_family`): natural-parameter (step in x0, z0, period or
Jacobi constant, each member corrected with that parameter held) or pseudo-arclength (step
ds along the tangent of the solution curve in (x0, [z0,] vy0); Keller 1977, as used by
Grebow 2006, MS thesis, Purdue, sec. 2.5).

Families here: planar Lyapunov about L1 and L2 (:func:`lyapunov_family`), northern and
southern halos about L1 and L2 (:func:`halo_family`, started at the bifurcation found by
:func:`find_halo_bifurcation`), and the 9:2 synodic-resonant L2 southern NRHO
(:func:`nrho_9_2`, Zimovan-Spreen, Howell & Davis 2020; Zimovan-Spreen 2021, PhD diss.,
Purdue).

Branch convention: "north" and "south" are the sign of z0 at the plane crossing with
x0 > x_L where the families here are parametrised; for L2 this is the labelling of the JPL
SSD catalog (its northern L2 halo 1524 has z0 = +1.03e-4 at x0 = 1.1809 > x_L2).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, InputError
from .cr3bp import (
    EARTH_MOON,
    MU_EARTH_MOON,
    System,
    derivatives,
    jacobi,
    libration_point,
    propagate,
    propagate_to_crossing,
    stability,
)

__all__ = [
    "PeriodicOrbit",
    "Family",
    "correct_symmetric",
    "correct_multiple_shooting",
    "continue_family",
    "lyapunov_family",
    "halo_family",
    "find_halo_bifurcation",
    "nrho_9_2",
    "SYNODIC_MONTH_DAYS",
    "NRHO_9_2_GUESS",
]

SYNODIC_MONTH_DAYS = 29.530589
"""Mean synodic month, days (Meeus, *Astronomical Algorithms*, 2nd ed., ch. 49: 29.530589
d at J2000). The 9:2 NRHO makes 9 revolutions per 2 synodic months (Zimovan-Spreen et al.
2020)."""

NRHO_9_2_GUESS = (np.array([1.02134, 0.0, -0.18162, 0.0, -0.10176, 0.0]), 1.50206)
"""Initial guess (state at apolune on the xz-plane, period TU) of the 9:2 L2 southern NRHO:
Zimovan-Spreen 2021, PhD diss., Purdue, pp. 245-246 (as quoted in public code; 5-6
significant digits, vz0 = 9.8e-7 set to zero for the symmetric corrector)."""


@dataclass(frozen=True)
class PeriodicOrbit:
    """A periodic orbit of the CR3BP (rotating barycentric frame, nondimensional).

    Attributes
    ----------
    state0 : ndarray, shape (6,)
        Initial state; for symmetric orbits on the xz-plane, ``(x0, 0, z0, 0, vy0, 0)``.
    period : float
        Period, TU.
    jacobi : float
        Jacobi constant (:func:`cosmoplan.cislunar.cr3bp.jacobi`).
    stability_indices : ndarray, shape (2,)
        nu = |lambda + 1/lambda| / 2 of the two non-trivial eigenvalue pairs of the monodromy
        matrix, largest first (Howell 1984). Both <= 1: linearly stable.
    eigenvalues : ndarray, shape (6,), complex
        Eigenvalues of the monodromy matrix (trivial pair first).
    monodromy : ndarray, shape (6, 6)
        STM over one period from ``state0``.
    closure : float
        max |state(T) - state0| after one propagated period (LU, LU/TU).
    family : str
        Family name, e.g. ``"halo L2 south"``.
    libration_point : int
        1..5 (0 when the orbit is not attached to one).
    mu : float
        Mass ratio.
    """

    state0: np.ndarray
    period: float
    jacobi: float
    stability_indices: np.ndarray
    eigenvalues: np.ndarray
    monodromy: np.ndarray
    closure: float
    family: str
    libration_point: int
    mu: float

    @property
    def out_of_plane_index(self) -> float:
        """Signed (M[z,z] + M[vz,vz]) / 2 of the monodromy matrix: for a planar orbit, the
        stability index of the out-of-plane pair, which crosses +1 where the halo family
        bifurcates from the Lyapunov family."""
        return 0.5 * float(self.monodromy[2, 2] + self.monodromy[5, 5])

    def propagate(self, dense=200, periods=1.0):
        """Trajectory over ``periods`` periods, ``dense`` samples; see
        :func:`cosmoplan.cislunar.cr3bp.propagate`."""
        return propagate(self.state0, periods * self.period, dense=dense, mu=self.mu)

    def period_s(self, system: System = EARTH_MOON) -> float:
        """Period in seconds with the time unit of ``system``."""
        return float(system.to_s(self.period))


@dataclass(frozen=True)
class Family:
    """A family of periodic orbits as columns of arrays (one row per member).

    Attributes
    ----------
    name : str
        e.g. ``"lyapunov L1"``, ``"halo L2 north"``.
    libration_point : int
    mu : float
    state0 : ndarray, shape (N, 6)
    period : ndarray, shape (N,)
        TU.
    jacobi : ndarray, shape (N,)
    stability_indices : ndarray, shape (N, 2)
    closure : ndarray, shape (N,)
    """

    name: str
    libration_point: int
    mu: float
    state0: np.ndarray
    period: np.ndarray
    jacobi: np.ndarray
    stability_indices: np.ndarray
    closure: np.ndarray

    def __len__(self) -> int:
        return self.period.shape[0]

    def __getitem__(self, i) -> PeriodicOrbit:
        """Member i as a :class:`PeriodicOrbit` (its monodromy recomputed)."""
        return _finish(self.state0[i], float(self.period[i]), self.name, self.libration_point,
                       self.mu)

    def table(self) -> dict:
        """Columns ``x0, z0, vy0, period, jacobi, nu1, nu2, closure`` as a dict of arrays."""
        return {"x0": self.state0[:, 0], "z0": self.state0[:, 2], "vy0": self.state0[:, 4],
                "period": self.period, "jacobi": self.jacobi,
                "nu1": self.stability_indices[:, 0], "nu2": self.stability_indices[:, 1],
                "closure": self.closure}

    def orbit_at(self, parameter: str, value: float, tol: float = 1e-12) -> PeriodicOrbit:
        """The member with ``parameter`` = ``value``, interpolated in the table and corrected.

        ``parameter`` is one of ``"x0"``, ``"z0"``, ``"az"`` (= |z0|, the out-of-plane
        amplitude at the crossing, LU), ``"period"`` (TU), ``"jacobi"``.

        Raises
        ------
        InputError
            For an unknown parameter, or a value outside the family's range of it (the
            message gives the range).
        """
        cols = {"x0": self.state0[:, 0], "z0": self.state0[:, 2], "az": np.abs(self.state0[:, 2]),
                "period": self.period, "jacobi": self.jacobi}
        if parameter not in cols:
            raise InputError(f"unknown family parameter {parameter!r}; expected one of "
                             f"{sorted(cols)}", source="argument 'parameter'",
                             field="parameter", value=parameter)
        p = cols[parameter]
        lo, hi = float(np.min(p)), float(np.max(p))
        if not lo <= value <= hi:
            raise InputError(f"{parameter} = {value!r} is outside the {self.name} family "
                             f"computed here: {parameter} in [{lo:.10g}, {hi:.10g}]",
                             source=f"argument {parameter!r}", field=parameter, value=value)
        seg = np.flatnonzero((p[:-1] - value) * (p[1:] - value) <= 0.0)[0]
        w = 0.0 if p[seg + 1] == p[seg] else (value - p[seg]) / (p[seg + 1] - p[seg])
        guess = (1 - w) * self.state0[seg] + w * self.state0[seg + 1]
        tguess = (1 - w) * self.period[seg] + w * self.period[seg + 1]
        fix = {"az": "z0"}.get(parameter, parameter)
        if fix == "x0":
            guess[0] = value
        elif fix == "z0":
            guess[2] = value if parameter == "z0" else np.copysign(value, guess[2])
        kw = {"period": value} if fix == "period" else {}
        if fix == "jacobi":
            kw = {"jacobi": value}
        return correct_symmetric(guess, fix=fix, period_guess=tguess, mu=self.mu, tol=tol,
                                 family=self.name, libration_point=self.libration_point, **kw)


# --------------------------------------------------------------------------------------
# correction


def _finish(state0, period, family, lpoint, mu, monodromy=None):
    """Build a PeriodicOrbit: monodromy (propagated unless given), closure, stability."""
    state0 = np.array(state0, dtype=float)
    arc = propagate(state0, period, stm=True, mu=mu)
    closure = float(np.max(np.abs(arc.state_final - state0)))
    m = arc.stm_final if monodromy is None else monodromy
    st = stability(m)
    return PeriodicOrbit(state0, float(period), float(jacobi(state0, mu)), st.indices,
                         st.eigenvalues, m, closure, family, int(lpoint), float(mu))


def _half_period(x, mu, t_fixed=None, t_max=20.0):
    """(t_half, final state, D) with D = d s_f / d s0: along the y = 0 constraint for the
    event, or the plain STM at fixed time."""
    if t_fixed is None:
        cr = propagate_to_crossing(x, stm=True, mu=mu, t_max=t_max)
        f = derivatives(cr.state, mu)
        return cr.t, cr.state, cr.stm - np.outer(f, cr.stm[1]) / f[1]
    arc = propagate(x, t_fixed, stm=True, mu=mu)
    return t_fixed, arc.state_final, arc.stm_final


def _jacobi_gradient(s, mu):
    """dC/d state at s, shape (6,)."""
    f = derivatives(s, mu)
    # dU/dx = ax - 2 vy, dU/dy = ay + 2 vx, dU/dz = az
    du = np.array([f[3] - 2 * s[4], f[4] + 2 * s[3], f[5]])
    return np.concatenate([2 * du, -2 * s[3:]])


def correct_symmetric(state0, *, fix="x0", period=None, jacobi=None, period_guess=None,
                      mu=MU_EARTH_MOON, tol=1e-12, max_iter=30, family="periodic",
                      libration_point=0, planar=None):
    """Correct an xz-symmetric periodic orbit by single shooting to the half period.

    Parameters
    ----------
    state0 : array_like, shape (6,)
        Guess; y0, vx0 and vz0 are set to 0.
    fix : {"x0", "z0", "period", "jacobi"}
        What is held fixed: x0 (free z0, vy0), z0 (free x0, vy0), the period (free x0,
        z0, vy0, ``period`` TU; the arc runs to the fixed time T/2) or the Jacobi constant
        (free x0, z0, vy0, ``jacobi``). Planar orbits (z0 = 0) keep z0 = 0.
    tol : float
        Newton stops when max |residual| (vx, vz[, y] at the half period; LU, LU/TU) < tol.

    Returns
    -------
    PeriodicOrbit

    Raises
    ------
    InputError
        For an unknown ``fix`` or a missing target value.
    ConvergenceError
        When Newton's method does not reach ``tol`` in ``max_iter`` iterations or a
        propagation fails; the message names the family, the iteration and the residual.
    """
    x = np.array(state0, dtype=float).reshape(6)
    x[[1, 3, 5]] = 0.0
    if planar is None:
        planar = x[2] == 0.0
    t_fixed = None
    if fix == "x0":
        free, cons = ([4], [3]) if planar else ([2, 4], [3, 5])
    elif fix == "z0":
        if planar:
            raise InputError("fix='z0' needs a spatial orbit (z0 != 0)", source="argument 'fix'",
                             field="fix", value=fix)
        free, cons = [0, 4], [3, 5]
    elif fix == "period":
        if period is None:
            raise InputError("fix='period' needs period=", source="argument 'period'",
                             field="period")
        t_fixed = 0.5 * float(period)
        free, cons = ([0, 4], [1, 3]) if planar else ([0, 2, 4], [1, 3, 5])
    elif fix == "jacobi":
        if jacobi is None:
            raise InputError("fix='jacobi' needs jacobi=", source="argument 'jacobi'",
                             field="jacobi")
        free, cons = ([0, 4], [3]) if planar else ([0, 2, 4], [3, 5])
    else:
        raise InputError(f"fix={fix!r}; expected 'x0', 'z0', 'period' or 'jacobi'",
                         source="argument 'fix'", field="fix", value=fix)
    t_max = 20.0 if period_guess is None else 0.75 * float(period_guess) + 0.5
    res = np.inf
    for it in range(max_iter + 1):
        try:
            th, sf, d = _half_period(x, mu, t_fixed, t_max)
        except ConvergenceError as exc:
            raise ConvergenceError(f"{family}: correction (fix={fix}) failed at iteration {it}: "
                                   f"{exc}") from exc
        f = sf[cons]
        j = d[np.ix_(cons, free)]
        if fix == "jacobi":
            f = np.append(f, _cj(x, mu) - jacobi)
            j = np.vstack([j, _jacobi_gradient(x, mu)[free]])
        res = float(np.max(np.abs(f)))
        if res < tol:
            return _finish(x, 2.0 * th, family, libration_point, mu)
        if it == max_iter:
            break
        dx = np.linalg.solve(j, -f)
        scale = float(np.max(np.abs(dx)))
        if scale > 0.05:  # damp long Newton steps
            dx *= 0.05 / scale
        x[free] += dx
    raise ConvergenceError(f"{family}: correction (fix={fix}) did not converge in {max_iter} "
                           f"iterations: residual {res:.3e} > tol {tol:.1e} at state0 "
                           f"{x.tolist()}")


def _cj(s, mu):
    return float(jacobi(s, mu))


def correct_multiple_shooting(state0, period, *, n_arcs=8, mu=MU_EARTH_MOON, tol=1e-11,
                              max_iter=30, family="periodic", libration_point=0):
    """Correct a periodic orbit of fixed ``period`` by multiple shooting.

    The guess trajectory from ``state0`` is cut into ``n_arcs`` arcs of equal duration
    T / n_arcs; the 6 n_arcs patch-point components are solved so that each arc ends on the
    next patch point and the last on the first (periodicity), with the phase fixed by
    y = 0 at the first patch point: 6 n_arcs + 1 equations (one redundant through the
    Jacobi integral) solved by minimum-norm Gauss-Newton. Suited to orbits whose one-period
    STM is too large for single shooting (NRHOs: Zimovan-Spreen et al. 2020).

    Returns
    -------
    orbit : PeriodicOrbit
        From the first patch point; its monodromy is the product of the arc STMs.
    patches : ndarray, shape (n_arcs, 6)
        Corrected patch points.

    Raises
    ------
    ConvergenceError
        When the largest defect stays above ``tol`` (LU, LU/TU) after ``max_iter``.
    """
    n = int(n_arcs)
    h = float(period) / n
    arc = propagate(state0, period, dense=n + 1, mu=mu)
    p = np.array(arc.states[:n])
    res = np.inf
    for it in range(max_iter + 1):
        a = propagate(p, h, stm=True, mu=mu)
        ends = a.states[:, -1]
        phis = a.stm[:, -1]
        f = np.concatenate([(ends - np.roll(p, -1, axis=0)).ravel(), [p[0, 1]]])
        res = float(np.max(np.abs(f)))
        if res < tol:
            m = np.eye(6)
            for k in range(n):
                m = phis[k] @ m
            return _finish(p[0], period, family, libration_point, mu, monodromy=m), p
        if it == max_iter:
            break
        jac = np.zeros((6 * n + 1, 6 * n))
        for k in range(n):
            jac[6 * k:6 * k + 6, 6 * k:6 * k + 6] = phis[k]
            kn = (k + 1) % n
            jac[6 * k:6 * k + 6, 6 * kn:6 * kn + 6] -= np.eye(6)
        jac[6 * n, 1] = 1.0
        dx = np.linalg.lstsq(jac, -f, rcond=None)[0]
        p = p + dx.reshape(n, 6)
    raise ConvergenceError(f"{family}: multiple shooting ({n} arcs, T = {period} TU) did not "
                           f"converge in {max_iter} iterations: largest defect {res:.3e} > "
                           f"tol {tol:.1e}")


# --------------------------------------------------------------------------------------
# continuation


def _family_from(orbits, name, lpoint, mu):
    return Family(name, lpoint, mu, np.array([o.state0 for o in orbits]),
                  np.array([o.period for o in orbits]), np.array([o.jacobi for o in orbits]),
                  np.array([o.stability_indices for o in orbits]),
                  np.array([o.closure for o in orbits]))


def continue_family(orbit: PeriodicOrbit, n_members: int, *, method="arclength", step=1e-3,
                    parameter="x0", direction=1.0, tol=1e-12, max_halvings=8,
                    monitor=None) -> Family:
    """Continue a symmetric periodic orbit into a family of ``n_members`` (including it).

    Parameters
    ----------
    orbit : PeriodicOrbit
        First member (xz-symmetric).
    method : {"arclength", "natural"}
        Pseudo-arclength: step ``step`` along the unit tangent of the solution curve of the
        half-period conditions in (x0, [z0,] vy0); the first tangent is oriented so that its
        x0 (planar) or z0 (spatial) component has the sign of ``direction``, the next ones
        keep the orientation. Natural parameter: step ``direction * step`` in ``parameter``
        ("x0", "z0", "period" or "jacobi"), predictor by linear extrapolation.
    monitor : callable or None
        ``monitor(orbit) -> bool``; the continuation stops after a member for which it
        returns True.

    Raises
    ------
    ConvergenceError
        When a member does not converge after ``max_halvings`` halvings of the step; the
        message names the family, the member index and the step.
    """
    mu = orbit.mu
    name = orbit.family
    planar = orbit.state0[2] == 0.0
    free = [0, 4] if planar else [0, 2, 4]
    cons = [3] if planar else [3, 5]
    members = [orbit]
    if monitor is not None and monitor(orbit):
        return _family_from(members, name, orbit.libration_point, mu)
    tangent = None
    ds = float(step)
    while len(members) < n_members:
        k = len(members)
        prev = members[-1]
        halvings = 0
        while True:
            try:
                if method == "arclength":
                    new, tangent_new = _arclength_step(prev, tangent, ds, direction, free, cons,
                                                       planar, tol)
                elif method == "natural":
                    new = _natural_step(members, parameter, direction * ds, tol)
                    tangent_new = None
                else:
                    raise InputError(f"method={method!r}; expected 'arclength' or 'natural'",
                                     source="argument 'method'", field="method", value=method)
                break
            except ConvergenceError as exc:
                halvings += 1
                if halvings > max_halvings:
                    raise ConvergenceError(
                        f"{name}: continuation ({method}) failed at member {k} with step "
                        f"{ds:.3e} after {max_halvings} halvings: {exc}") from exc
                ds *= 0.5
        tangent = tangent_new
        members.append(new)
        if monitor is not None and monitor(new):
            break
    return _family_from(members, name, orbit.libration_point, mu)


def _natural_step(members, parameter, dp, tol):
    last = members[-1]
    idx = {"x0": 0, "z0": 2}
    if len(members) >= 2:
        a, b = members[-2], members[-1]
        pa, pb = _param(a, parameter), _param(b, parameter)
        w = dp / (pb - pa) if pb != pa else 0.0
        guess = b.state0 + w * (b.state0 - a.state0)
        tguess = b.period + w * (b.period - a.period)
    else:
        guess, tguess = last.state0.copy(), last.period
    target = _param(last, parameter) + dp
    kw = {}
    if parameter in idx:
        # tangent predictor: keep the half-period conditions to first order
        planar = last.state0[2] == 0.0
        free = [i for i in ([0, 4] if planar else [0, 2, 4]) if i != idx[parameter]]
        cons = [3] if planar else [3, 5]
        _, _, d = _half_period(last.state0, last.mu, None, 0.75 * last.period + 0.5)
        guess = last.state0.copy()
        guess[free] -= np.linalg.solve(d[np.ix_(cons, free)], d[cons, idx[parameter]] * dp)
        guess[idx[parameter]] = target
    elif parameter == "period":
        kw["period"] = target
    elif parameter == "jacobi":
        kw["jacobi"] = target
    else:
        raise InputError(f"parameter={parameter!r}; expected 'x0', 'z0', 'period' or 'jacobi'",
                         source="argument 'parameter'", field="parameter", value=parameter)
    return correct_symmetric(guess, fix=parameter, period_guess=tguess, mu=last.mu, tol=tol,
                             family=last.family, libration_point=last.libration_point,
                             planar=last.state0[2] == 0.0, **kw)


def _param(o, parameter):
    return {"x0": o.state0[0], "z0": o.state0[2], "period": o.period,
            "jacobi": o.jacobi}[parameter]


def _arclength_step(prev, tangent, ds, direction, free, cons, planar, tol, max_iter=20):
    mu = prev.mu
    x = prev.state0.copy()
    _, _, d = _half_period(x, mu, None, 0.75 * prev.period + 0.5)
    dfm = d[np.ix_(cons, free)]
    t = np.linalg.svd(dfm)[2][-1]
    if tangent is None:
        comp = 0 if planar else 1
        if np.sign(t[comp]) != np.sign(direction):
            t = -t
    elif t @ tangent < 0:
        t = -t
    x0 = x[free].copy()
    xf = x0 + ds * t
    y = x.copy()
    res = np.inf
    for _ in range(max_iter):
        y[free] = xf
        th, sf, d = _half_period(y, mu, None, 0.75 * prev.period + 0.5)
        g = np.append(sf[cons], t @ (xf - x0) - ds)
        res = float(np.max(np.abs(g)))
        if res < tol:
            return _finish(y, 2.0 * th, prev.family, prev.libration_point, mu), t
        jac = np.vstack([d[np.ix_(cons, free)], t])
        xf = xf + np.linalg.solve(jac, -g)
    raise ConvergenceError(f"pseudo-arclength corrector: residual {res:.3e} after {max_iter} "
                           f"iterations (step {ds:.3e})")


# --------------------------------------------------------------------------------------
# families


def _check_collinear(lpoint, allowed=(1, 2)):
    if isinstance(lpoint, str) and lpoint.upper().startswith("L") and lpoint[1:].isdigit():
        lpoint = int(lpoint[1:])
    if isinstance(lpoint, bool) or lpoint not in allowed:
        raise InputError(f"libration point {lpoint!r} not supported here; expected one of "
                         f"{list(allowed)}", source="argument 'lpoint'", field="lpoint",
                         value=lpoint)
    return int(lpoint)


def _lyapunov_seed(lpoint, amplitude, mu):
    """Linear planar-Lyapunov guess at x0 = x_L + amplitude (Szebehely 1967, sec. 5.5;
    Koon et al. 2011, sec. 2.6): x = A cos wt, y = -k A sin wt."""
    xl = libration_point(lpoint, mu)[0]
    c2 = (1 - mu) / abs(xl + mu) ** 3 + mu / abs(xl - 1 + mu) ** 3
    b = 2 - c2
    w2 = 0.5 * (b + np.sqrt(b * b - 4 * (1 - c2) * (1 + 2 * c2)))
    vy0 = -(w2 + 1 + 2 * c2) * amplitude / 2
    return np.array([xl + amplitude, 0, 0, 0, vy0, 0]), 2 * np.pi / np.sqrt(w2)


def lyapunov_family(lpoint, n_members=60, *, step=5e-3, amplitude0=1e-3, mu=MU_EARTH_MOON,
                    monitor=None) -> Family:
    """Planar Lyapunov family about L1 or L2 by pseudo-arclength continuation.

    Starts from the linear solution at x0 = x_L + ``amplitude0`` (LU), corrected with x0
    fixed, and grows the amplitude (x0 increasing) in steps ``step`` of arclength in
    (x0, vy0).
    """
    lp = _check_collinear(lpoint)
    guess, tg = _lyapunov_seed(lp, amplitude0, mu)
    first = correct_symmetric(guess, fix="x0", period_guess=tg, mu=mu,
                              family=f"lyapunov L{lp}", libration_point=lp)
    return continue_family(first, n_members, step=step, direction=1.0, monitor=monitor)


@functools.lru_cache(maxsize=16)
def find_halo_bifurcation(lpoint, mu=MU_EARTH_MOON, tol=1e-11) -> PeriodicOrbit:
    """The planar Lyapunov orbit where the halo family bifurcates (L1 or L2).

    Along the Lyapunov family the out-of-plane stability index
    (M[z,z] + M[vz,vz]) / 2 of the monodromy matrix grows through +1: there a pair of
    eigenvalues meets at +1 and the halo family branches off (Howell 1984; Grebow 2006,
    sec. 3.2). The crossing is bracketed while continuing the family and refined by
    bisection on x0 to ``tol`` LU. Cached per (lpoint, mu).
    """
    lp = _check_collinear(lpoint)
    fam = lyapunov_family(lp, 400, step=5e-3, mu=mu,
                          monitor=lambda o: o.out_of_plane_index > 1.0)
    a, b = fam[len(fam) - 2], fam[len(fam) - 1]
    if not (a.out_of_plane_index - 1.0) * (b.out_of_plane_index - 1.0) <= 0.0:
        raise ConvergenceError(f"lyapunov L{lp}: no halo bifurcation found in {len(fam)} "
                               "members")
    lo, hi = a, b
    while abs(hi.state0[0] - lo.state0[0]) > tol:
        xm = 0.5 * (lo.state0[0] + hi.state0[0])
        w = (xm - lo.state0[0]) / (hi.state0[0] - lo.state0[0])
        guess = lo.state0 + w * (hi.state0 - lo.state0)
        mid = correct_symmetric(guess, fix="x0", period_guess=lo.period, mu=mu,
                                family=f"lyapunov L{lp}", libration_point=lp)
        if (mid.out_of_plane_index - 1.0) * (lo.out_of_plane_index - 1.0) > 0.0:
            lo = mid
        else:
            hi = mid
    return lo if abs(lo.out_of_plane_index - 1) < abs(hi.out_of_plane_index - 1) else hi


def halo_family(lpoint, branch="north", n_members=100, *, step=1e-2, z_seed=1e-4,
                mu=MU_EARTH_MOON, monitor=None) -> Family:
    """Northern or southern halo family about L1 or L2 by pseudo-arclength continuation.

    Starts at the bifurcating Lyapunov orbit (:func:`find_halo_bifurcation`) displaced to
    z0 = +-``z_seed`` and corrected with z0 fixed, then continues in (x0, z0, vy0) with
    arclength ``step`` in the direction of growing |z0| (towards the NRHOs for L2).
    ``branch`` is "north" (z0 > 0) or "south" (z0 < 0), see the module docstring.
    """
    lp = _check_collinear(lpoint)
    if branch not in ("north", "south"):
        raise InputError(f"branch={branch!r}; expected 'north' or 'south'",
                         source="argument 'branch'", field="branch", value=branch)
    sgn = 1.0 if branch == "north" else -1.0
    bif = find_halo_bifurcation(lp, mu)
    guess = bif.state0.copy()
    guess[2] = sgn * z_seed
    name = f"halo L{lp} {branch}"
    first = correct_symmetric(guess, fix="z0", period_guess=bif.period, mu=mu, family=name,
                              libration_point=lp)
    return continue_family(first, n_members, step=step, direction=sgn, monitor=monitor)


def nrho_9_2(mu=MU_EARTH_MOON, system: System = EARTH_MOON, *, multiple_shooting=False,
             n_arcs=8) -> PeriodicOrbit:
    """The 9:2 synodic-resonant L2 southern NRHO (Zimovan-Spreen, Howell & Davis 2020).

    Period = 2/9 of the synodic month :data:`SYNODIC_MONTH_DAYS`, in the time unit of
    ``system``; corrected from :data:`NRHO_9_2_GUESS` by single shooting from apolune with
    the period fixed (natural-parameter steps in the period from the guess's own one), and,
    with ``multiple_shooting=True``, polished by :func:`correct_multiple_shooting`.

    With :data:`EARTH_MOON` (LU = 384400 km, TU = 375190 s, the physical mean motion) the
    2/9 synodic month is 1.5112005 TU, the perilune radius 3249 km and the stability
    indices 1.323 and 0.683, as the Gateway NRHO (perilune about 3200-3300 km). The member
    depends on the time unit: with the JPL catalog's units (:data:`JPL_EARTH_MOON`,
    TU = 382981 s) the same 6.56 d is 1.4804580614 TU, perilune radius 2936 km, indices
    1.256 and 0.706.
    """
    target = system.from_s(2.0 / 9.0 * SYNODIC_MONTH_DAYS * 86400.0).item()
    guess, tg = NRHO_9_2_GUESS
    name = "nrho 9:2 L2 south"
    orb = correct_symmetric(guess, fix="x0", period_guess=tg, mu=mu, family=name,
                            libration_point=2)
    n = max(1, int(np.ceil(abs(target - orb.period) / 0.005)))
    for t in np.linspace(orb.period, target, n + 1)[1:]:
        orb = correct_symmetric(orb.state0, fix="period", period=t, mu=mu, family=name,
                                libration_point=2)
    if multiple_shooting:
        orb = correct_multiple_shooting(orb.state0, target, n_arcs=n_arcs, mu=mu, family=name,
                                        libration_point=2)[0]
    return orb
