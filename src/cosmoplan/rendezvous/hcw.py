"""Hill-Clohessy-Wiltshire (HCW) relative motion about a circular reference orbit.

Frames. The HCW equations are written in the Hill frame (x radial outward, y along-track,
z along the orbital angular momentum), Clohessy & Wiltshire (1960), J. Aerospace Sci.
27(9):653; Vallado (2013) §6.8 eqs. 6-66/6-67; Curtis (2014) §7.5 eq. 7.53. cosmoplan's
rendezvous frame is LVLH (Fehse 2003: x = V-bar, y = -H-bar, z = R-bar toward the Earth),
so :func:`lvlh_to_hill` and :func:`hill_to_lvlh` convert: x_hill = -z_lvlh,
y_hill = x_lvlh, z_hill = -y_lvlh.

Units: positions km, velocities km/s, n rad/s, t s. Arrays broadcast: ``t`` of shape S
gives matrices of shape S + (6, 6).
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

__all__ = ["hcw_stm", "hcw_propagate", "hcw_two_impulse", "lvlh_to_hill", "hill_to_lvlh"]

_L2H = np.array([[0.0, 0.0, -1.0], [1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])


def lvlh_to_hill(x):
    """LVLH (V-bar, -H-bar, R-bar) vectors (..., 3) to Hill (radial, along, cross)."""
    return np.asarray(x, float) @ _L2H.T


def hill_to_lvlh(x):
    """Hill (radial, along, cross) vectors (..., 3) to LVLH (V-bar, -H-bar, R-bar)."""
    return np.asarray(x, float) @ _L2H


def hcw_stm(n, t):
    """HCW state-transition matrix in the Hill frame (Vallado 2013 eq. 6-66).

    Parameters
    ----------
    n : float
        Mean motion of the circular reference orbit, rad/s (> 0).
    t : float or array_like
        Elapsed time, s.

    Returns
    -------
    ndarray, shape t.shape + (6, 6)
        Phi with [x, y, z, xdot, ydot, zdot](t) = Phi @ [...](0).
    """
    if not n > 0:
        raise InputError(f"mean motion must be > 0, got {n!r}", field="n", value=n)
    t = np.asarray(t, dtype=float)
    nt = n * t
    s, c = np.sin(nt), np.cos(nt)
    phi = np.zeros(t.shape + (6, 6))
    phi[..., 0, 0] = 4 - 3 * c
    phi[..., 0, 3] = s / n
    phi[..., 0, 4] = 2 * (1 - c) / n
    phi[..., 1, 0] = 6 * (s - nt)
    phi[..., 1, 1] = 1.0
    phi[..., 1, 3] = -2 * (1 - c) / n
    phi[..., 1, 4] = (4 * s - 3 * nt) / n
    phi[..., 2, 2] = c
    phi[..., 2, 5] = s / n
    phi[..., 3, 0] = 3 * n * s
    phi[..., 3, 3] = c
    phi[..., 3, 4] = 2 * s
    phi[..., 4, 0] = -6 * n * (1 - c)
    phi[..., 4, 3] = -2 * s
    phi[..., 4, 4] = 4 * c - 3
    phi[..., 5, 2] = -n * s
    phi[..., 5, 5] = c
    return phi


def hcw_propagate(n, t, rho0, rho_dot0, frame="LVLH"):
    """Relative state after ``t`` seconds of natural HCW motion.

    Parameters
    ----------
    n : float
        Reference mean motion, rad/s.
    t : float or array_like
        Time(s), s.
    rho0, rho_dot0 : array_like, shape (3,)
        Initial relative position (km) and velocity (km/s) in ``frame``.
    frame : {'LVLH', 'HILL'}

    Returns
    -------
    rho, rho_dot : ndarray, shape t.shape + (3,)
    """
    x0 = np.r_[np.asarray(rho0, float), np.asarray(rho_dot0, float)]
    if frame.upper() == "LVLH":
        x0 = np.r_[lvlh_to_hill(x0[:3]), lvlh_to_hill(x0[3:])]
    out = hcw_stm(n, t) @ x0
    r, v = out[..., :3], out[..., 3:]
    if frame.upper() == "LVLH":
        r, v = hill_to_lvlh(r), hill_to_lvlh(v)
    return r, v


def hcw_two_impulse(n, t, rho0, rho_dot0, rho_f, rho_dot_f=(0.0, 0.0, 0.0), frame="LVLH"):
    """Two-impulse HCW transfer from (rho0, rho_dot0) to (rho_f, rho_dot_f) in time t.

    Solves Phi_rv v0 = rho_f - Phi_rr rho0 for the departure velocity (Vallado 2013
    Algorithm 48 / Curtis §7.6); singular when sin(n t) = 0 together with a degenerate
    along-track row (full revolutions), which is reported.

    Returns
    -------
    dv1, dv2 : ndarray, shape (3,)
        Departure and arrival velocity changes, km/s, in ``frame``.
    """
    phi = hcw_stm(n, t)
    conv = frame.upper() == "LVLH"
    r0 = lvlh_to_hill(rho0) if conv else np.asarray(rho0, float)
    v0 = lvlh_to_hill(rho_dot0) if conv else np.asarray(rho_dot0, float)
    rf = lvlh_to_hill(rho_f) if conv else np.asarray(rho_f, float)
    vf = lvlh_to_hill(rho_dot_f) if conv else np.asarray(rho_dot_f, float)
    prr, prv, pvr, pvv = phi[:3, :3], phi[:3, 3:], phi[3:, :3], phi[3:, 3:]
    if abs(np.linalg.det(prv)) < 1e-12 * (1.0 / n) ** 3:
        raise InputError(
            f"HCW transfer time {t:.1f} s is a multiple of half a revolution "
            f"({np.pi / n:.1f} s): the out-of-plane (or along-track) target cannot be "
            "reached; choose another transfer time", field="transfer_time_s", value=t)
    v0_req = np.linalg.solve(prv, rf - prr @ r0)
    v_arr = pvr @ r0 + pvv @ v0_req
    dv1 = v0_req - v0
    dv2 = vf - v_arr
    if conv:
        dv1, dv2 = hill_to_lvlh(dv1), hill_to_lvlh(dv2)
    return dv1, dv2
