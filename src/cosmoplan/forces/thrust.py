"""Finite (continuous-thrust) maneuvers: constant thrust along a fixed direction of an
orbital or inertial frame, with the mass flow of the rocket equation.

A burn of thrust F (N) and specific impulse Isp (s) starting at t_s with mass m0 (kg)
gives, for t_s <= t < t_s + T,

    a(t) = F / m(t) * d,      m(t) = m0 - mdot (t - t_s),    mdot = F / (Isp g0)

with g0 = 9.80665 m/s^2 (standard gravity, CGPM 1901) and ``d`` the unit direction,
fixed in the frame of the burn: GCRF (inertial), RSW (radial, along-track, cross-track:
Vallado 2013 sec. 3.3) or LVLH (Fehse 2003 sec. 3.1: x V-bar, y -H-bar, z R-bar), taken
from the spacecraft's own state at every instant (the thrust turns with the frame).
Integrated over the burn, |delta-v| = Isp g0 ln(m0 / m1) (Tsiolkovsky), which
tests/test_propagation_finite_burns.py checks.
"""

from __future__ import annotations

import math

import numpy as np

from .._numba import jit

__all__ = ["G0_M_S2", "FRAME_CODES", "thrust_accel_kernel", "burn_delta_v"]

G0_M_S2 = 9.80665
"""Standard gravity, m/s^2 (the Isp convention)."""

FRAME_CODES = {"GCRF": 0, "RSW": 1, "RTN": 1, "LVLH": 2}
"""Frame of a burn's direction, as the kernel's integer code."""


@jit
def thrust_accel_kernel(t, x, y, z, vx, vy, vz, burns):
    """Sum of the active burns' accelerations (km/s^2, GCRF) at time t (s).

    ``burns``: float64 array (K, 8), one row per burn: [t_start (s), t_end (s), F / m0
    (km/s^2), mdot / m0 (1/s), frame code (:data:`FRAME_CODES`), d1, d2, d3 (unit
    direction in that frame)]; position (km) and velocity (km/s) GCRF.
    """
    ax = 0.0
    ay = 0.0
    az = 0.0
    for k in range(burns.shape[0]):
        t0 = burns[k, 0]
        if t < t0 or t >= burns[k, 1]:
            continue
        a = burns[k, 2] / (1.0 - burns[k, 3] * (t - t0))
        code = int(burns[k, 4])
        d1, d2, d3 = burns[k, 5], burns[k, 6], burns[k, 7]
        if code == 0:
            ux, uy, uz = d1, d2, d3
        else:
            rn = math.sqrt(x * x + y * y + z * z)
            rx, ry, rz = x / rn, y / rn, z / rn
            hx = y * vz - z * vy
            hy = z * vx - x * vz
            hz = x * vy - y * vx
            hn = math.sqrt(hx * hx + hy * hy + hz * hz)
            wx, wy, wz = hx / hn, hy / hn, hz / hn
            sx = wy * rz - wz * ry  # S = W x R
            sy = wz * rx - wx * rz
            sz = wx * ry - wy * rx
            if code == 1:  # RSW: d1 R + d2 S + d3 W
                ux = d1 * rx + d2 * sx + d3 * wx
                uy = d1 * ry + d2 * sy + d3 * wy
                uz = d1 * rz + d2 * sz + d3 * wz
            else:  # LVLH: x = S (V-bar), y = -W, z = -R
                ux = d1 * sx - d2 * wx - d3 * rx
                uy = d1 * sy - d2 * wy - d3 * ry
                uz = d1 * sz - d2 * wz - d3 * rz
        ax += a * ux
        ay += a * uy
        az += a * uz
    return ax, ay, az


def burn_delta_v(thrust_n, isp_s, mass_kg, duration_s):
    """Ideal delta-v (km/s) of a burn, Tsiolkovsky: Isp g0 ln(m0 / m1)."""
    mdot = thrust_n / (isp_s * G0_M_S2)
    m1 = mass_kg - mdot * duration_s
    return isp_s * G0_M_S2 * np.log(mass_kg / m1) / 1000.0
