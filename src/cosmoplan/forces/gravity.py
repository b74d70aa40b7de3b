"""Earth gravity: point mass plus zonal harmonics J2..Jn (numba kernels).

The zonal potential is

    U = mu / r * (1 - sum_{n=2}^{N} J_n (R / r)^n P_n(sin(phi)))

with P_n the Legendre polynomials of the sine of the geocentric latitude phi measured
from the true (CIP) equator. Its gradient, for each degree n (s = z / r, unit vectors
r_hat, z_hat), is

    a_n = mu J_n R^n / r^(n+2) * [ (n + 1) P_n(s) r_hat + P_n'(s) (s r_hat - z_hat) ]

(Vallado 2013, §8.6.1 eqs. 8-19/8-30 for J2..J4 written out; the general form follows
from the chain rule on U(r, s)). P_n and P_n' come from Bonnet's recursion
(n+1) P_{n+1} = (2n+1) s P_n - n P_{n-1} and P'_{n+1} = P'_{n-1} + (2n+1) P_n, which has
no singularity at the poles.

Coefficients: EGM96 (:data:`cosmoplan.constants.EGM96_J`) by default. Positions must be
in a frame whose z axis is the Earth's rotation pole (CIRS/TIRS/ITRF; the propagator
rotates GCRF into CIRS for this).
"""

from __future__ import annotations

import numpy as np

from .._numba import jit

__all__ = ["zonal_acceleration"]


@jit
def zonal_accel_kernel(x, y, z, mu, radius, jn, nmax):
    """Acceleration (km/s^2) of point mass + zonals J2..J_nmax at (x, y, z) km, pole = z."""
    r2 = x * x + y * y + z * z
    r = np.sqrt(r2)
    s = z / r
    inv_r = 1.0 / r
    # point mass
    k = -mu * inv_r * inv_r * inv_r
    ax = k * x
    ay = k * y
    az = k * z
    if nmax < 2:
        return ax, ay, az
    rx = x * inv_r
    ry = y * inv_r
    rz = z * inv_r
    p_prev, p_cur = 1.0, s  # P0, P1
    d_prev, d_cur = 0.0, 1.0  # P0', P1'
    rn = radius * inv_r  # (R/r)^1
    fac_r = 0.0
    fac_z = 0.0
    for n in range(1, nmax):
        # advance to degree n + 1
        p_next = ((2 * n + 1) * s * p_cur - n * p_prev) / (n + 1)
        d_next = d_prev + (2 * n + 1) * p_cur
        p_prev, p_cur = p_cur, p_next
        d_prev, d_cur = d_cur, d_next
        rn = rn * radius * inv_r
        deg = n + 1
        c = jn[deg] * rn
        fac_r += c * ((deg + 1) * p_cur + d_cur * s)
        fac_z -= c * d_cur
    g = mu * inv_r * inv_r
    ax += g * fac_r * rx
    ay += g * fac_r * ry
    az += g * (fac_r * rz + fac_z)
    return ax, ay, az


def zonal_acceleration(r, mu, radius, jn, degree):
    """Gravity acceleration of point mass plus zonal harmonics J2..J_degree.

    Parameters
    ----------
    r : array_like, shape (..., 3)
        Positions in a frame whose z axis is the rotation pole (CIRS or ITRF), km.
    mu : float
        Gravitational parameter, km^3/s^2.
    radius : float
        Reference radius of the coefficients, km.
    jn : array_like, shape (>= degree + 1,)
        Unnormalised zonal coefficients J_0..J_degree (J_0, J_1 unused).
    degree : int
        Highest degree (0 or 1: point mass only).

    Returns
    -------
    ndarray, shape (..., 3)
        Acceleration, km/s^2.
    """
    r = np.asarray(r, dtype=float)
    flat = r.reshape(-1, 3)
    jn = np.asarray(jn, dtype=float)
    out = np.empty_like(flat)
    for i in range(flat.shape[0]):
        out[i] = zonal_accel_kernel(flat[i, 0], flat[i, 1], flat[i, 2], mu, radius, jn, degree)
    return out.reshape(r.shape)
