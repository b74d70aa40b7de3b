"""Atmospheric density models for drag: exponential and modified Harris-Priester.

Both are static models that need no space-weather input:

* ``exponential``: piecewise exponential fit to CIRA-72 from 0 to 1000 km,
  Vallado (2013) *Fundamentals of Astrodynamics and Applications*, 4th ed., Table 8-4:
  rho = rho0 exp(-(h - h0) / H) in the band whose base h0 lies below h.
* ``harris-priester``: the modified Harris-Priester model of Montenbruck & Gill (2000)
  *Satellite Orbits* §3.5.2, eqs. 3.99-3.103 and Table 3.8 (mean solar activity,
  100-1000 km): density exponentially interpolated between the tabulated minimum
  (night) and maximum (apex of the diurnal bulge) profiles and mixed with
  cos^n(psi / 2), psi the angle from the bulge apex, which lags the Sun by 30 degrees
  in right ascension. Recommended n: 2 for low-inclination orbits, 6 for polar ones.

Accuracy: both describe an average thermosphere; real densities at 400 km vary by a
factor of 2 to 10 with solar and geomagnetic activity (Montenbruck & Gill §3.5). In June
2021 (F10.7 about 80) they overestimate the density; NRLMSISE-00 with real indices comes
with the high-fidelity propagator. Heights are in km; densities in kg/m^3. Above 1000 km
both return 0; below the lowest table height they extrapolate the lowest band.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit

__all__ = ["exponential_density", "harris_priester_density", "EXPONENTIAL_TABLE",
           "HARRIS_PRIESTER_TABLE"]

# Vallado (2013) Table 8-4: base altitude h0 (km), nominal density rho0 (kg/m^3),
# scale height H (km).
EXPONENTIAL_TABLE = np.array([
    [0.0, 1.225, 7.249],
    [25.0, 3.899e-2, 6.349],
    [30.0, 1.774e-2, 6.682],
    [40.0, 3.972e-3, 7.554],
    [50.0, 1.057e-3, 8.382],
    [60.0, 3.206e-4, 7.714],
    [70.0, 8.770e-5, 6.549],
    [80.0, 1.905e-5, 5.799],
    [90.0, 3.396e-6, 5.382],
    [100.0, 5.297e-7, 5.877],
    [110.0, 9.661e-8, 7.263],
    [120.0, 2.438e-8, 9.473],
    [130.0, 8.484e-9, 12.636],
    [140.0, 3.845e-9, 16.149],
    [150.0, 2.070e-9, 22.523],
    [180.0, 5.464e-10, 29.740],
    [200.0, 2.789e-10, 37.105],
    [250.0, 7.248e-11, 45.546],
    [300.0, 2.418e-11, 53.628],
    [350.0, 9.518e-12, 53.298],
    [400.0, 3.725e-12, 58.515],
    [450.0, 1.585e-12, 60.828],
    [500.0, 6.967e-13, 63.822],
    [600.0, 1.454e-13, 71.835],
    [700.0, 3.614e-14, 88.667],
    [800.0, 1.170e-14, 124.64],
    [900.0, 5.245e-15, 181.05],
    [1000.0, 3.019e-15, 268.00],
])

# Montenbruck & Gill (2000) Table 3.8: height (km), minimum and maximum density (kg/m^3),
# mean solar activity.
HARRIS_PRIESTER_TABLE = np.array([
    [100.0, 4.974e-07, 4.974e-07],
    [120.0, 2.490e-08, 2.490e-08],
    [130.0, 8.377e-09, 8.710e-09],
    [140.0, 3.899e-09, 4.059e-09],
    [150.0, 2.122e-09, 2.215e-09],
    [160.0, 1.263e-09, 1.344e-09],
    [170.0, 8.008e-10, 8.758e-10],
    [180.0, 5.283e-10, 6.010e-10],
    [190.0, 3.617e-10, 4.297e-10],
    [200.0, 2.557e-10, 3.162e-10],
    [210.0, 1.839e-10, 2.396e-10],
    [220.0, 1.341e-10, 1.853e-10],
    [230.0, 9.949e-11, 1.455e-10],
    [240.0, 7.488e-11, 1.157e-10],
    [250.0, 5.709e-11, 9.308e-11],
    [260.0, 4.403e-11, 7.555e-11],
    [270.0, 3.430e-11, 6.182e-11],
    [280.0, 2.697e-11, 5.095e-11],
    [290.0, 2.139e-11, 4.226e-11],
    [300.0, 1.708e-11, 3.526e-11],
    [320.0, 1.099e-11, 2.511e-11],
    [340.0, 7.214e-12, 1.819e-11],
    [360.0, 4.824e-12, 1.337e-11],
    [380.0, 3.274e-12, 9.955e-12],
    [400.0, 2.249e-12, 7.492e-12],
    [420.0, 1.558e-12, 5.684e-12],
    [440.0, 1.091e-12, 4.355e-12],
    [460.0, 7.701e-13, 3.362e-12],
    [480.0, 5.474e-13, 2.612e-12],
    [500.0, 3.916e-13, 2.042e-12],
    [520.0, 2.819e-13, 1.605e-12],
    [540.0, 2.042e-13, 1.267e-12],
    [560.0, 1.488e-13, 1.005e-12],
    [580.0, 1.092e-13, 7.997e-13],
    [600.0, 8.070e-14, 6.390e-13],
    [620.0, 6.012e-14, 5.123e-13],
    [640.0, 4.519e-14, 4.121e-13],
    [660.0, 3.430e-14, 3.325e-13],
    [680.0, 2.632e-14, 2.691e-13],
    [700.0, 2.043e-14, 2.185e-13],
    [720.0, 1.607e-14, 1.779e-13],
    [740.0, 1.281e-14, 1.452e-13],
    [760.0, 1.036e-14, 1.190e-13],
    [780.0, 8.496e-15, 9.776e-14],
    [800.0, 7.069e-15, 8.059e-14],
    [840.0, 4.680e-15, 5.741e-14],
    [880.0, 3.200e-15, 4.210e-14],
    [920.0, 2.210e-15, 3.130e-14],
    [960.0, 1.560e-15, 2.360e-14],
    [1000.0, 1.150e-15, 1.810e-14],
])

HARRIS_PRIESTER_LAG_RAD = np.radians(30.0)
"""Right-ascension lag of the diurnal bulge apex behind the Sun (Montenbruck & Gill eq. 3.102)."""


@jit
def exponential_density_kernel(h, table):
    if h > table[table.shape[0] - 1, 0]:
        return 0.0
    k = 0
    for i in range(table.shape[0]):
        if table[i, 0] <= h:
            k = i
    return table[k, 1] * np.exp(-(h - table[k, 0]) / table[k, 2])


@jit
def harris_priester_density_kernel(h, cos_psi, n_exp, table):
    """Density (kg/m^3) at height h (km), cos_psi = cos(angle to bulge apex)."""
    nrow = table.shape[0]
    if h > table[nrow - 1, 0]:
        return 0.0
    k = 0
    while k < nrow - 2 and h > table[k + 1, 0]:
        k += 1
    frac = (table[k, 0] - h) / (table[k, 0] - table[k + 1, 0])
    rho_min = table[k, 1] * (table[k + 1, 1] / table[k, 1]) ** frac
    rho_max = table[k, 2] * (table[k + 1, 2] / table[k, 2]) ** frac
    c2 = 0.5 * (1.0 + cos_psi)  # cos^2(psi/2)
    if c2 <= 0.0:
        return rho_min
    return rho_min + (rho_max - rho_min) * c2 ** (0.5 * n_exp)


def exponential_density(height_km):
    """Density (kg/m^3) of Vallado's exponential atmosphere at geodetic heights (km)."""
    h = np.asarray(height_km, dtype=float)
    out = np.array([exponential_density_kernel(x, EXPONENTIAL_TABLE) for x in h.ravel()])
    return out.reshape(h.shape)


def harris_priester_density(height_km, r_unit, sun_unit, n=2):
    """Density (kg/m^3) of the modified Harris-Priester model.

    Parameters
    ----------
    height_km : array_like, shape (...)
        Geodetic heights, km.
    r_unit : array_like, shape (..., 3)
        Unit position vectors in a frame whose z axis is the Earth's pole (CIRS, ITRF, or
        GCRF to 0.1 degree).
    sun_unit : array_like, shape (..., 3) or (3,)
        Unit vector to the Sun in the same frame.
    n : float
        Cosine exponent (2 low inclination ... 6 polar).
    """
    h = np.asarray(height_km, dtype=float)
    ru = np.asarray(r_unit, dtype=float)
    su = np.broadcast_to(np.asarray(sun_unit, dtype=float), ru.shape)
    c, s = np.cos(HARRIS_PRIESTER_LAG_RAD), np.sin(HARRIS_PRIESTER_LAG_RAD)
    bulge = np.stack([c * su[..., 0] - s * su[..., 1], s * su[..., 0] + c * su[..., 1],
                      su[..., 2]], axis=-1)
    bulge /= np.linalg.norm(bulge, axis=-1, keepdims=True)
    cos_psi = np.einsum("...i,...i->...", bulge, ru)
    flat = [harris_priester_density_kernel(a, b, float(n), HARRIS_PRIESTER_TABLE)
            for a, b in zip(h.ravel(), np.ravel(cos_psi))]
    return np.array(flat).reshape(h.shape)
