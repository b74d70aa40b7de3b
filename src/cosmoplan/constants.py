"""Physical and conventional constants, each with its source.

Units: km, km/s, s, rad (internal units of cosmoplan), unless a name says otherwise.
"""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------------------
# Earth: WGS-84 ellipsoid (NIMA TR8350.2, 3rd ed., 2000, Table 3.1)
WGS84_A_KM = 6378.137
"""WGS-84 semi-major axis (equatorial radius), km."""
WGS84_F = 1.0 / 298.257223563
"""WGS-84 flattening."""
WGS84_B_KM = WGS84_A_KM * (1.0 - WGS84_F)
"""WGS-84 semi-minor axis, km (derived)."""
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
"""WGS-84 first eccentricity squared (derived)."""
WGS84_GM_KM3_S2 = 398600.4418
"""WGS-84 Earth gravitational parameter (with atmosphere), km^3/s^2."""

# Earth gravity field EGM96 (Lemoine et al. 1998, NASA/TP-1998-206861), tide-free.
EGM96_GM_KM3_S2 = 398600.4415
"""EGM96 gravitational parameter, km^3/s^2."""
EGM96_RADIUS_KM = 6378.1363
"""EGM96 reference radius, km."""
# Fully normalised zonal coefficients C(n,0) for n = 2..6, from the EGM96 coefficient
# file (egm96_to360.ascii); unnormalised J_n = -C(n,0) * sqrt(2n + 1).
EGM96_CBAR_N0 = {
    2: -0.484165371736e-03,
    3: 0.957254173792e-06,
    4: 0.539873863789e-06,
    5: 0.685323475630e-07,
    6: -0.149957994714e-06,
}
EGM96_J = np.array(
    [0.0, 0.0] + [-EGM96_CBAR_N0[n] * np.sqrt(2.0 * n + 1.0) for n in range(2, 7)]
)
"""Unnormalised zonal coefficients J_0..J_6 of EGM96 (J_0 = J_1 = 0 placeholders)."""

EARTH_ROTATION_RATE_RAD_S = 7.292115146706979e-5
"""Earth's nominal rotation rate, rad/s: d(ERA)/dt of IERS Conventions 2010 eq. 5.15
(2 pi x 1.00273781191135448 / 86400)."""

EARTH_MU_KM3_S2 = EGM96_GM_KM3_S2
"""Default Earth GM used by cosmoplan's dynamics (EGM96, consistent with its J_n)."""

# SGP4 uses WGS-72 constants internally (Vallado et al. 2006, AIAA 2006-6753); python-sgp4
# owns them. They are not needed here.

# --------------------------------------------------------------------------------------
# Time
SECONDS_PER_DAY = 86400.0
MJD_ZERO_JD = 2400000.5
"""JD of MJD 0."""
J2000_JD = 2451545.0
"""JD of J2000.0 (TT)."""

# --------------------------------------------------------------------------------------
# Angles
DEG = np.pi / 180.0
ARCSEC = DEG / 3600.0
TWO_PI = 2.0 * np.pi

# --------------------------------------------------------------------------------------
# Sun and Moon (IAU 2009/2015 nominal values; DE421 GM values from Folkner et al. 2008,
# JPL IOM 343R-08-003, Table 4)
SUN_GM_KM3_S2 = 132712440040.944
MOON_GM_KM3_S2 = 4902.800066
MOON_RADIUS_KM = 1737.4
"""IAU mean lunar radius, km (Archinal et al. 2018, Celest. Mech. Dyn. Astr. 130:22)."""
SUN_RADIUS_KM = 695700.0
"""IAU 2015 Resolution B3 nominal solar radius, km."""
AU_KM = 149597870.7
"""Astronomical unit, km (IAU 2012 Resolution B2)."""
