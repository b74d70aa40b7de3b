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

Vertical (figure-eight) families about L1 and L2 (:func:`vertical_family`) are doubly
symmetric - about the xz-plane and the x-axis - and are corrected over a quarter period
from a lobe tip (x0, 0, z0, 0, vy0, 0) to the x-axis node, where y = z = vx = 0 and
vz != 0 (``symmetry="doubly"``); they start at the libration points (Doedel et al. 2007,
Int. J. Bifurcation and Chaos 17, 2625-2677; Grebow 2006, sec. 3.3). Distant retrograde
orbits about the Moon (:func:`dro_family`): Hénon 1969, family f. :func:`find_bifurcations`
brackets the crossings of +1 (tangent) and -1 (period doubling) by the signed stability
indices along any family and refines them by bisection along the chord between members;
along the Lyapunov families it finds the halo bifurcation of :func:`find_halo_bifurcation`
first, the axial bifurcation second and a period doubling third.

Branch convention: "north" and "south" are the sign of z0 at the plane crossing with
x0 > x_L where the families here are parametrised; for L2 this is the labelling of the JPL
SSD catalog (its northern L2 halo 1524 has z0 = +1.03e-4 at x0 = 1.1809 > x_L2).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..constants import MOON_RADIUS_KM
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
    "vertical_family",
    "dro_family",
    "find_bifurcations",
    "signed_indices",
    "Bifurcation",
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
    symmetry : {"xz", "doubly"}
        How the orbit is corrected (module docstring): ``"xz"`` half-period shooting from the
        xz-plane back to it; ``"doubly"`` quarter-period shooting from the xz-plane to the
        x-axis (vertical orbits).
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
    symmetry: str = "xz"

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
    symmetry : {"xz", "doubly"}
        As :attr:`PeriodicOrbit.symmetry`.
    """

    name: str
    libration_point: int
    mu: float
    state0: np.ndarray
    period: np.ndarray
    jacobi: np.ndarray
    stability_indices: np.ndarray
    closure: np.ndarray
    symmetry: str = "xz"

    def __len__(self) -> int:
        return self.period.shape[0]

    def __getitem__(self, i) -> PeriodicOrbit:
        """Member i as a :class:`PeriodicOrbit` (its monodromy recomputed)."""
        return _finish(self.state0[i], float(self.period[i]), self.name, self.libration_point,
                       self.mu, symmetry=self.symmetry)

    def subset(self, index) -> Family:
        """The members selected by ``index`` (a slice, or an index/boolean array)."""
        import dataclasses as _dc

        return _dc.replace(self, state0=self.state0[index], period=self.period[index],
                           jacobi=self.jacobi[index],
                           stability_indices=self.stability_indices[index],
                           closure=self.closure[index])

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
                                 family=self.name, libration_point=self.libration_point,
                                 symmetry=self.symmetry,
                                 planar=bool(np.all(self.state0[:, 2] == 0)), **kw)


# --------------------------------------------------------------------------------------
# correction


def _finish(state0, period, family, lpoint, mu, monodromy=None, symmetry="xz"):
    """Build a PeriodicOrbit: monodromy (propagated unless given), closure, stability."""
    state0 = np.array(state0, dtype=float)
    arc = propagate(state0, period, stm=True, mu=mu)
    closure = float(np.max(np.abs(arc.state_final - state0)))
    m = arc.stm_final if monodromy is None else monodromy
    st = stability(m)
    return PeriodicOrbit(state0, float(period), float(jacobi(state0, mu)), st.indices,
                         st.eigenvalues, m, closure, family, int(lpoint), float(mu), symmetry)


def _half_period(x, mu, t_fixed=None, t_max=20.0, t_skip=0.0):
    """(t_half, final state, D) with D = d s_f / d s0: along the y = 0 constraint for the
    event, or the plain STM at fixed time. With ``t_skip`` > 0 the crossings before
    t_skip are ignored (propagated to t_skip first, STMs chained)."""
    if t_fixed is None:
        if t_skip > 0.0:
            a = propagate(x, t_skip, stm=True, mu=mu)
            cr = propagate_to_crossing(a.state_final, stm=True, mu=mu, t_max=t_max - t_skip)
            t_c, phi = t_skip + cr.t, cr.stm @ a.stm_final
        else:
            cr = propagate_to_crossing(x, stm=True, mu=mu, t_max=t_max)
            t_c, phi = cr.t, cr.stm
        f = derivatives(cr.state, mu)
        return t_c, cr.state, phi - np.outer(f, phi[1]) / f[1]
    arc = propagate(x, t_fixed, stm=True, mu=mu)
    return t_fixed, arc.state_final, arc.stm_final


def _jacobi_gradient(s, mu):
    """dC/d state at s, shape (6,)."""
    f = derivatives(s, mu)
    # dU/dx = ax - 2 vy, dU/dy = ay + 2 vx, dU/dz = az
    du = np.array([f[3] - 2 * s[4], f[4] + 2 * s[3], f[5]])
    return np.concatenate([2 * du, -2 * s[3:]])


_SYMMETRIES = ("xz", "doubly")


def _t_skip(symmetry, period):
    """Crossings ignored at the start of a quarter-period arc: where the lobe tip's vy0 is
    small (second order near the libration point, or changing sign) a grazing y = 0
    crossing can appear just after t = 0; the x-axis node comes at T/4."""
    return 0.3 * float(period) / 4.0 if symmetry == "doubly" else 0.0


def _shooting_sets(symmetry, planar, fix):
    """(free, constrained, period factor) of the symmetric shooting problem.

    ``free`` are the components of state0 = (x0, 0, z0, 0, vy0, 0) that may vary, before the
    fixed one is removed; ``constrained`` the components of the state at the first y = 0
    crossing (or at the fixed time) driven to zero; the period is ``factor`` times the
    shooting time."""
    if symmetry == "xz":
        free, cons, factor = ([0, 4], [3], 2.0) if planar else ([0, 2, 4], [3, 5], 2.0)
    elif symmetry == "doubly":
        if planar:
            raise InputError("symmetry='doubly' needs a spatial orbit (z0 != 0)",
                             source="argument 'symmetry'", field="symmetry", value=symmetry)
        free, cons, factor = [0, 2, 4], [2, 3], 4.0
    else:
        raise InputError(f"symmetry={symmetry!r}; expected one of {list(_SYMMETRIES)}",
                         source="argument 'symmetry'", field="symmetry", value=symmetry)
    idx = {"x0": 0, "z0": 2}
    if fix in idx:
        if idx[fix] not in free:
            raise InputError(f"fix={fix!r} needs a spatial orbit (z0 != 0)",
                             source="argument 'fix'", field="fix", value=fix)
        free = [i for i in free if i != idx[fix]]
    elif fix == "period":
        cons = [1] + cons
    elif fix != "jacobi":
        raise InputError(f"fix={fix!r}; expected 'x0', 'z0', 'period' or 'jacobi'",
                         source="argument 'fix'", field="fix", value=fix)
    return free, cons, factor


def correct_symmetric(state0, *, fix="x0", period=None, jacobi=None, period_guess=None,
                      mu=MU_EARTH_MOON, tol=1e-12, max_iter=30, family="periodic",
                      libration_point=0, planar=None, symmetry="xz"):
    """Correct a symmetric periodic orbit by single shooting from the xz-plane.

    Parameters
    ----------
    state0 : array_like, shape (6,)
        Guess; y0, vx0 and vz0 are set to 0.
    fix : {"x0", "z0", "period", "jacobi"}
        What is held fixed: x0 (free z0, vy0), z0 (free x0, vy0), the period (free x0,
        z0, vy0, ``period`` TU; the arc runs to the fixed time T/2, or T/4, and ``y`` joins
        the targets) or the Jacobi constant (free x0, z0, vy0, ``jacobi``). Planar orbits
        (z0 = 0) keep z0 = 0.
    symmetry : {"xz", "doubly"}
        ``"xz"``: shoot to the first return to the xz-plane and target vx = vz = 0 there
        (period = 2 t). ``"doubly"``: shoot to the first y = 0 crossing and target
        z = vx = 0 there, i.e. a perpendicular crossing of the x-axis (period = 4 t;
        vertical orbits, see the module docstring).
    tol : float
        Newton stops when max |residual| (the targets; LU, LU/TU) < tol.

    Returns
    -------
    PeriodicOrbit

    Raises
    ------
    InputError
        For an unknown ``fix`` or ``symmetry``, or a missing target value.
    ConvergenceError
        When Newton's method does not reach ``tol`` in ``max_iter`` iterations or a
        propagation fails; the message names the family, the iteration and the residual.
    """
    x = np.array(state0, dtype=float).reshape(6)
    x[[1, 3, 5]] = 0.0
    if planar is None:
        planar = x[2] == 0.0
    if fix == "period" and period is None:
        raise InputError("fix='period' needs period=", source="argument 'period'",
                         field="period")
    if fix == "period" and not (np.isfinite(float(period)) and float(period) > 0):
        raise InputError(f"period = {period!r} TU must be positive", source="argument 'period'",
                         field="period", value=period)
    if fix == "jacobi" and jacobi is None:
        raise InputError("fix='jacobi' needs jacobi=", source="argument 'jacobi'",
                         field="jacobi")
    free, cons, factor = _shooting_sets(symmetry, planar, fix)
    t_fixed = float(period) / factor if fix == "period" else None
    t_max = 20.0 if period_guess is None else 1.5 * float(period_guess) / factor + 0.5
    t_skip = 0.0 if period_guess is None else _t_skip(symmetry, period_guess)
    res = np.inf
    last_step = np.inf
    for it in range(max_iter + 1):
        try:
            th, sf, d = _half_period(x, mu, t_fixed, t_max, t_skip)
        except ConvergenceError as exc:
            raise ConvergenceError(f"{family}: correction (fix={fix}) failed at iteration {it}: "
                                   f"{exc}") from exc
        f = sf[cons]
        j = d[np.ix_(cons, free)]
        if fix == "jacobi":
            f = np.append(f, _cj(x, mu) - jacobi)
            j = np.vstack([j, _jacobi_gradient(x, mu)[free]])
        res = float(np.max(np.abs(f)))
        # converged; or stalled at the round-off floor just above tol (last step < 1e-12):
        # a tol of 1e-12 is near what the 1e-13 integrator can resolve on long orbits
        if res < tol or (res < 100.0 * tol and last_step < 1e-12):
            return _finish(x, factor * th, family, libration_point, mu, symmetry=symmetry)
        if it == max_iter:
            break
        dx = np.linalg.solve(j, -f)
        last_step = float(np.max(np.abs(dx)))
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
    if not (np.isfinite(float(period)) and float(period) > 0):
        raise InputError(f"period = {period!r} TU must be positive", source="argument 'period'",
                         field="period", value=period)
    if isinstance(n_arcs, bool) or int(n_arcs) != n_arcs or not 2 <= n_arcs <= 1000:
        raise InputError(f"n_arcs = {n_arcs!r}: an integer 2..1000",
                         source="argument 'n_arcs'", field="n_arcs", value=n_arcs)
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
                  np.array([o.closure for o in orbits]), orbits[0].symmetry)


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
    free, cons, factor = _shooting_sets(orbit.symmetry, planar, "jacobi")
    members = [orbit]
    if monitor is not None and monitor(orbit):
        return _family_from(members, name, orbit.libration_point, mu)
    tangent = None
    ds = float(step)
    if not (np.isfinite(ds) and ds != 0):
        raise InputError(f"step = {step!r} must be a non-zero number",
                         source="argument 'step'", field="step", value=step)
    while len(members) < n_members:
        k = len(members)
        prev = members[-1]
        halvings = 0
        while True:
            try:
                if method == "arclength":
                    new, tangent_new = _arclength_step(prev, tangent, ds, direction, free, cons,
                                                       planar, tol, factor)
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
        if halvings == 0:
            # recover the step after halvings (step may be negative)
            ds = float(step) if abs(2.0 * ds) >= abs(float(step)) else 2.0 * ds
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
    planar = last.state0[2] == 0.0
    if parameter in idx:
        # tangent predictor: keep the half-period conditions to first order
        free, cons, factor = _shooting_sets(last.symmetry, planar, parameter)
        _, _, d = _half_period(last.state0, last.mu, None, 1.5 * last.period / factor + 0.5,
                               _t_skip(last.symmetry, last.period))
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
                             planar=planar, symmetry=last.symmetry, **kw)


def _param(o, parameter):
    return {"x0": o.state0[0], "z0": o.state0[2], "period": o.period,
            "jacobi": o.jacobi}[parameter]


def _arclength_step(prev, tangent, ds, direction, free, cons, planar, tol, factor=2.0,
                    max_iter=20):
    mu = prev.mu
    x = prev.state0.copy()
    t_max = 1.5 * prev.period / factor + 0.5
    _, _, d = _half_period(x, mu, None, t_max, _t_skip(prev.symmetry, prev.period))
    dfm = d[np.ix_(cons, free)]
    t = np.linalg.svd(dfm)[2][-1]
    if tangent is None:
        comp = 0 if planar else 1
        if np.sign(t[comp]) != np.sign(direction):
            t = -t
    elif t @ tangent < 0:
        t = -t
    return _correct_on_plane(prev, x, free, cons, t, ds, tol, factor, max_iter), t


def _correct_on_plane(prev, x, free, cons, t, ds, tol, factor, max_iter=20):
    """Newton on the shooting targets plus t . (state0[free] - x[free]) = ds (the
    pseudo-arclength constraint; Keller 1977), from the predictor x[free] + ds t."""
    mu = prev.mu
    t_max = 1.5 * prev.period / factor + 0.5
    x0 = x[free].copy()
    xf = x0 + ds * t
    y = x.copy()
    res = np.inf
    for _ in range(max_iter):
        y[free] = xf
        th, sf, d = _half_period(y, mu, None, t_max, _t_skip(prev.symmetry, prev.period))
        g = np.append(sf[cons], t @ (xf - x0) - ds)
        res = float(np.max(np.abs(g)))
        if res < tol:
            return _finish(y, factor * th, prev.family, prev.libration_point, mu,
                           symmetry=prev.symmetry)
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
    ``branch`` is "north" or "south": the sign of the largest out-of-plane excursion (JPL
    catalog convention; for L2 halos z0 > 0 is north, for L1 halos z0 < 0 at the crossing
    beyond the point). The continuation stops where the orbits would pass under the lunar
    surface (perilune < 1737.4 km; that member is dropped) or when it stalls.
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
    # north / south by the sign of the largest out-of-plane excursion (the JPL catalog's and
    # Howell's convention). For L2 it lies at the crossing beyond the point, for L1 at the
    # crossing on the Earth side: flip the seed when the first member says so.
    z = first.propagate(dense=400).states[:, 2]
    if np.sign(z[np.argmax(np.abs(z))]) != sgn:
        sgn = -sgn
        guess[2] = sgn * z_seed
        first = correct_symmetric(guess, fix="z0", period_guess=bif.period, mu=mu,
                                  family=name, libration_point=lp)
    moon = np.array([1.0 - mu, 0.0, 0.0])
    surface = MOON_RADIUS_KM / EARTH_MOON.length_unit_km
    state = {"prev": None, "inside": False}

    def stop(orbit):
        # the family runs into the Moon (perilune under the surface), or stalls (the
        # continuation repeats one orbit): members beyond are not physical / not new
        # the perilune of these symmetric orbits lies on an xz-plane crossing (t = 0 or
        # T/2); the samples guard the rest
        r = orbit.propagate(dense=400).states[:, :3]
        half = propagate(orbit.state0, 0.5 * orbit.period, mu=mu).state_final[:3]
        rmin = min(np.min(np.linalg.norm(r - moon, axis=1)), np.linalg.norm(half - moon))
        if rmin < surface:
            state["inside"] = True
            return True
        prev, state["prev"] = state["prev"], orbit.state0.copy()
        if prev is not None and np.max(np.abs(orbit.state0 - prev)) < 1e-9:
            return True
        return bool(monitor(orbit)) if monitor is not None else False

    fam = continue_family(first, n_members, step=step, direction=sgn, monitor=stop)
    if state["inside"] and len(fam) > 1:
        fam = fam.subset(slice(0, len(fam) - 1))
    return fam


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


def _vertical_seed(lp, az, mu, max_iter=30):
    """Small vertical orbit about L1/L2 with lobe tip z0 = ``az`` (LU): Newton on (x0, vy0,
    T) with z0 fixed so that y = z = vx = 0 at the fixed time T/4, from the linear vertical
    mode z = az cos(w_z t), w_z^2 = c2 (Szebehely 1967, sec. 5.5). The fixed time avoids the
    y = 0 event, which is ill-defined before the second-order y motion exists."""
    xl = libration_point(lp, mu)[0]
    c2 = (1 - mu) / abs(xl + mu) ** 3 + mu / abs(xl - 1 + mu) ** 3
    period = 2 * np.pi / np.sqrt(c2)
    x = np.array([xl, 0.0, az, 0.0, 0.0, 0.0])
    res = np.inf
    for _ in range(max_iter):
        arc = propagate(x, period / 4, stm=True, mu=mu)
        sf, phi = arc.state_final, arc.stm_final
        g = sf[[1, 2, 3]]
        res = float(np.max(np.abs(g)))
        if res < 1e-12:
            return x, period
        jac = np.column_stack([phi[np.ix_([1, 2, 3], [0, 4])],
                               derivatives(sf, mu)[[1, 2, 3]] / 4])
        dx = np.linalg.solve(jac, -g)
        x[[0, 4]] += dx[:2]
        period += dx[2]
    raise ConvergenceError(f"vertical L{lp}: seed at z0 = {az} did not converge: residual "
                           f"{res:.3e}")


def vertical_family(lpoint, n_members=40, *, step=2e-2, z_seed=2e-2, mu=MU_EARTH_MOON,
                    monitor=None, max_halvings=8) -> Family:
    """Vertical (figure-eight) family about L1 or L2 by pseudo-arclength continuation.

    Symmetry: the CR3BP is invariant under the reflection in the xz-plane with time reversed
    (x, y, z, t) -> (x, -y, z, -t) and under z -> -z; their product is the rotation about
    the x-axis with time reversed (x, -y, -z, -t). A vertical orbit is invariant under all
    three (Doedel et al. 2007, sec. 4; Grebow 2006, sec. 3.3): z -> -z maps the upper lobe
    of the eight onto the lower half a period later, z(t + T/2) = -z(t). Hence it crosses
    the xz-plane perpendicularly at each lobe tip, (x0, 0, +-z0, 0, vy0, 0) with z at its
    extreme (vz = 0), and the x-axis perpendicularly at the node of the eight,
    (x, 0, 0, 0, vy, vz) with vz != 0 - not the xz-plane (vz != 0 there), so the halo
    corrector's half-period targets (vx = vz = 0) do not apply. Between a tip and the node
    lies a quarter period: members are stored at the upper tip (z0 > 0) and corrected by
    :func:`correct_symmetric` with ``symmetry="doubly"`` (y = z = vx = 0 at the first
    y = 0 crossing after 0.3 T/4; period 4 t).

    The family is seeded from the linear vertical mode at the libration point (period
    2 pi / sqrt(c2): 2.770 TU at L1, 3.517 TU at L2) at tip height ``z_seed`` LU
    (:func:`_vertical_seed`) and continued in (x0, z0, vy0) with arclength ``step``
    towards larger z0. It does not branch from the planar Lyapunov family at the second
    out-of-plane crossing: there the null vector of the out-of-plane block is
    (dz, dvz) = (0, 1), the x-axis-symmetric axial family (Doedel et al. 2007; see
    :func:`find_bifurcations`). Continued far enough (125 members of 2e-2), the L1 family
    loops over the Earth (z0 up to 0.995 LU) and comes down at L3 (x0 -> x_L3, T -> the
    L3 vertical period 6.2499 TU).
    """
    lp = _check_collinear(lpoint)
    x, period = _vertical_seed(lp, z_seed, mu)
    name = f"vertical L{lp}"
    first = correct_symmetric(x, fix="z0", period_guess=period, mu=mu, family=name,
                              libration_point=lp, symmetry="doubly")
    return continue_family(first, n_members, step=step, direction=1.0, monitor=monitor,
                           max_halvings=max_halvings)


def dro_family(n_members=60, *, step=1e-2, radius0=0.02, mu=MU_EARTH_MOON, monitor=None,
               max_halvings=8) -> Family:
    """Planar distant retrograde orbits (DROs) about the Moon by pseudo-arclength continuation.

    Hénon's family f (Hénon 1969, Astron. Astrophys. 1, 223-238, for Hill's problem;
    Broucke 1968 for Earth-Moon): planar, xz-symmetric, retrograde (clockwise in the
    rotating frame) about the Moon and linearly stable over a wide range of sizes. Seeded
    from a retrograde circular two-body orbit about the Moon of radius ``radius0`` LU at
    x0 = 1 - mu + radius0 (far side), vy0 = -(sqrt(mu / r) + r) (the rotating-frame speed,
    frame rate 1 subtracted), corrected with x0 fixed, then continued outward (x0
    increasing) in (x0, vy0) with arclength ``step``. ``libration_point`` is 0.
    """
    r = float(radius0)
    guess = np.array([1 - mu + r, 0.0, 0.0, 0.0, -(np.sqrt(mu / r) + r), 0.0])
    tg = 2 * np.pi / (np.sqrt(mu / r**3) + 1.0)
    first = correct_symmetric(guess, fix="x0", period_guess=tg, mu=mu, family="dro",
                              libration_point=0)
    return continue_family(first, n_members, step=step, direction=1.0, monitor=monitor,
                           max_halvings=max_halvings)


# --------------------------------------------------------------------------------------
# bifurcations


@dataclass(frozen=True)
class Bifurcation:
    """A bifurcation found along a family by :func:`find_bifurcations`.

    Attributes
    ----------
    family : str
    member : int
        The crossing lies between members ``member`` and ``member + 1``.
    kind : {"tangent", "period-doubling"}
        A signed stability index through +1 (eigenvalue pair meeting at +1: tangent,
        pitchfork or branching of a same-period family) or through -1 (pair meeting at -1:
        period doubling).
    mode : {"in-plane", "out-of-plane", "spatial"}
        Which index crossed: for planar families the in-plane and out-of-plane blocks of
        the monodromy matrix separately, for spatial families the Broucke indices.
    index : float
        The signed index at ``orbit`` (within the bisection tolerance of +-1).
    orbit : PeriodicOrbit
        The refined member at the crossing.
    """

    family: str
    member: int
    kind: str
    mode: str
    index: float
    orbit: PeriodicOrbit


def signed_indices(orbit: PeriodicOrbit) -> dict:
    """Signed stability indices (lambda + 1/lambda) / 2 of the non-trivial pairs.

    Planar orbits: ``{"in-plane": [(tr M_xy - 2) / 2], "out-of-plane": [tr M_z / 2]}``
    from the 4 x 4 in-plane block (which holds the trivial pair) and the 2 x 2
    out-of-plane block of the monodromy matrix, which decouple. Spatial orbits:
    ``{"spatial": [s1, s2]}`` (descending), the roots of s^2 + alpha s + beta - 2 = 0 with
    alpha = 2 - tr M and beta = (alpha^2 + 2 - tr M^2) / 2 (Broucke 1969, AIAA J. 7,
    1003-1009), which needs no eigenvector bookkeeping; complex roots (complex
    instability) are returned as NaN.
    """
    m = orbit.monodromy
    if orbit.state0[2] == 0.0 and orbit.symmetry == "xz":
        return {"in-plane": np.array([0.5 * (m[0, 0] + m[1, 1] + m[3, 3] + m[4, 4] - 2.0)]),
                "out-of-plane": np.array([0.5 * (m[2, 2] + m[5, 5])])}
    alpha = 2.0 - np.trace(m)
    beta = 0.5 * (alpha * alpha + 2.0 - np.trace(m @ m))
    disc = alpha * alpha - 4.0 * (beta - 2.0)
    if disc < 0:
        return {"spatial": np.array([np.nan, np.nan])}
    r = np.sqrt(disc)
    return {"spatial": np.array([0.25 * (-alpha + r), 0.25 * (-alpha - r)])}


def _crossing_count(orbit, mode, target):
    s = signed_indices(orbit)[mode]
    return int(np.sum(s > 1.0)) if target > 0 else int(np.sum(s < -1.0))


def find_bifurcations(family: Family, *, tol=1e-10, margin=1e-7) -> list:
    """Members of ``family`` where a signed stability index crosses +1 or -1, refined.

    For each pair of consecutive members the number of signed indices
    (:func:`signed_indices`) above +1 and below -1 is compared, per mode; a change brackets
    a bifurcation (Howell 1984; Grebow 2006, sec. 3.2; Doedel et al. 2007, Int. J.
    Bifurcation and Chaos 17, 2625-2677). Indices within ``margin`` of +-1 at either
    member are not trusted (a family leaving a bifurcation carries an index of 1 to
    rounding: the halo family's first members) and the pair is skipped. The bracket is
    refined by bisection on the continuation parameter, the position along the chord
    between the two members in the free coordinates (x0, [z0,] vy0): each midpoint is
    corrected with its chord coordinate held (a pseudo-arclength constraint), until the
    bracket is shorter than ``tol`` (LU, LU/TU). Complex instability (Krein collisions off
    the real axis) is not reported.

    Returns
    -------
    list of Bifurcation
        In family order.
    """
    planar = bool(np.all(family.state0[:, 2] == 0.0)) and family.symmetry == "xz"
    modes = ("in-plane", "out-of-plane") if planar else ("spatial",)
    free, cons, factor = _shooting_sets(family.symmetry, planar, "jacobi")
    orbits = [family[i] for i in range(len(family))]
    sig = [signed_indices(o) for o in orbits]
    found = []
    for i in range(len(family) - 1):
        for mode in modes:
            a, b = sig[i][mode], sig[i + 1][mode]
            if np.any(np.abs(np.abs(a) - 1.0) < margin) or np.any(
                    np.abs(np.abs(b) - 1.0) < margin):
                continue
            for target, kind in ((1.0, "tangent"), (-1.0, "period-doubling")):
                if _crossing_count(orbits[i], mode, target) == _crossing_count(
                        orbits[i + 1], mode, target):
                    continue
                try:
                    orb = _bisect_crossing(orbits[i], orbits[i + 1], mode, target, free,
                                           cons, factor, tol)
                except ConvergenceError as exc:
                    raise ConvergenceError(f"{family.name}: refining the {kind} crossing "
                                           f"({mode}) between members {i} and {i + 1} "
                                           f"failed: {exc}") from exc
                s = signed_indices(orb)[mode]
                idx = float(s[np.nanargmin(np.abs(s - target))])
                found.append(Bifurcation(family.name, i, kind, mode, idx, orb))
    return found


def _bisect_crossing(lo, hi, mode, target, free, cons, factor, tol):
    x_lo = lo.state0.copy()
    chord = hi.state0[free] - x_lo[free]
    length = float(np.linalg.norm(chord))
    t = chord / length
    c_lo = _crossing_count(lo, mode, target)
    a, b = 0.0, length
    best_lo, best_hi = lo, hi
    while b - a > tol:
        m = 0.5 * (a + b)
        mid = _correct_on_plane(lo, x_lo, free, cons, t, m, 1e-12, factor)
        if _crossing_count(mid, mode, target) == c_lo:
            a, best_lo = m, mid
        else:
            b, best_hi = m, mid

    def dist(o):
        return float(np.nanmin(np.abs(signed_indices(o)[mode] - target)))

    return best_lo if dist(best_lo) <= dist(best_hi) else best_hi
