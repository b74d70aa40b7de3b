"""Differential correction: Newton's method on a batch-evaluated residual.

The rendezvous planner finds burns by driving a residual (a miss distance at an aim
point, computed by propagating the full force model) to zero. Each iteration evaluates
the residual at the current unknowns and at n forward-difference perturbations in ONE
batch call (the propagator integrates the n + 1 trajectories together), then takes a
Newton step; the step is halved while it does not reduce the residual (backtracking),
which makes the iteration robust far from the solution. With more unknowns than
equations the step is the minimum-norm one (least squares), with fewer it is the
least-squares one.

Reference: the "differential correction" of Vallado (2013) §7.3 and Bate, Mueller &
White (1971) §2.11; Gauss-Newton with backtracking as in Nocedal & Wright (2006) §3.1.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConvergenceError

__all__ = ["newton_solve"]


def newton_solve(residual, x0, *, step, tol, max_iter=20, what="differential correction",
                 units="", advice=""):
    """Solve residual(x) = 0 by Newton's method with forward-difference Jacobians.

    Parameters
    ----------
    residual : callable
        ``residual(X)`` with X of shape (m, n) returns shape (m, k): the residuals of m
        sets of unknowns evaluated together.
    x0 : array_like, shape (n,)
        First guess.
    step : float or array_like, shape (n,)
        Forward-difference steps for each unknown (same units as x).
    tol : float
        Convergence when the Euclidean norm of the residual is <= tol.
    max_iter : int
        Iteration cap.
    what : str
        Name of the problem, for the error message.
    units : str
        Units of the residual (and so of ``tol``), for the error message.
    advice : str
        What the user could change if it fails, for the error message.

    Returns
    -------
    x : ndarray, shape (n,)
    info : dict
        ``iterations``, ``residual`` (final vector), ``history`` (norms).

    Raises
    ------
    ConvergenceError
        If the residual norm is still above ``tol`` after ``max_iter`` iterations or the
        iteration stalls; the message gives the residual and the unknowns.
    """
    x = np.asarray(x0, dtype=float).copy()
    n = x.size
    h = np.broadcast_to(np.asarray(step, dtype=float), (n,))
    history = []
    f = None
    for it in range(max_iter + 1):
        pts = np.vstack([x, x + np.diag(h)]) if f is None else x + np.diag(h)
        vals = residual(pts)
        if f is None:
            f, fp = vals[0], vals[1:]
        else:
            fp = vals
        norm = float(np.linalg.norm(f))
        history.append(norm)
        if norm <= tol:
            return x, {"iterations": it, "residual": f, "history": history}
        if it == max_iter:
            break
        jac = ((fp - f) / h[:, None]).T  # (k, n)
        dx, *_ = np.linalg.lstsq(jac, -f, rcond=None)
        # backtracking: halve the step until the residual decreases
        lam = 1.0
        improved = False
        for _ in range(8):
            trial = x + lam * dx
            ft = residual(trial[None, :])[0]
            if np.linalg.norm(ft) < norm:
                x, f = trial, ft
                improved = True
                break
            lam *= 0.5
        if not improved:
            raise ConvergenceError(
                f"{what}: the Newton step no longer reduces the residual (|F| = {norm:.3e} "
                f"{units}, wanted <= {tol:.1e}) at iteration {it}; unknowns "
                f"{np.array2string(x, precision=6)}{_tail(advice)}"
            )
    raise ConvergenceError(
        f"{what}: residual {history[-1]:.3e} {units} still above {tol:.1e} after {max_iter} "
        f"iterations (history {', '.join(f'{v:.2e}' for v in history)}); unknowns "
        f"{np.array2string(x, precision=6)}{_tail(advice)}"
    )


def _tail(advice):
    return f". {advice[0].upper()}{advice[1:]}." if advice else ""
