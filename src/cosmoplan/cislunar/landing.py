"""Lunar powered descent and ascent as delta-v budgets with their timing.

For a sample-return planner of the Chang'e-5 class (lander + ascender descend from a lunar
parking orbit; the ascender lifts off into a low lunar orbit for rendezvous), and for Apollo
LM-like vehicles.

Model
-----
Both manoeuvres are **planar** (2-D) and flown in **inertial polar coordinates** about the
Moon's centre in the orbit plane: radius ``r`` (km), downrange angle ``theta`` (rad, in the
direction of motion), radial and transverse inertial velocity ``vr``, ``vt`` (km/s). The Moon
is a point mass (``mu``, km^3/s^2) and a sphere of radius ``site_radius_km``; the engine has
constant thrust ``F`` and specific impulse ``Isp`` so the mass falls linearly,
``mdot = F / (Isp g0)``, g0 = 9.80665 m/s^2, and every delta-v is the ideal-rocket one,
``dv = Isp g0 ln(m0 / m1)`` (Tsiolkovsky). The equations of motion are the planar two-body
problem with thrust written in polar coordinates (Vallado 2013, *Fundamentals of
Astrodynamics and Applications*, 4th ed., ch. 1-2)::

    r' = vr,  theta' = vt / r,
    vr' = vt^2 / r - mu / r^2 + a_r,   vt' = -vr vt / r + a_t,   |a| = F / m,

integrated with ``scipy.integrate.solve_ivp`` (DOP853, rtol 1e-10) and its events.

Lunar rotation
--------------
The Moon turns at 13.17635815 deg/day (IAU WGCCRE; Archinal et al. 2018, Celest. Mech. Dyn.
Astr. 130:22, Table 2), 4.62 m/s at the equator. A site at latitude ``phi`` moves east at
``omega R cos(phi)``; for a ground track crossing the site at azimuth ``A`` (direction of
motion, clockwise from north, 90 deg = east) its in-plane component is
``omega R cos(phi) sin(A)``. That is exactly a rigid rotation of the orbit plane at
``omega_n = omega cos(phi) sin(A)`` (the component of the spin vector along the orbit normal,
since cos(i) = cos(phi) sin(A)), which is what the planar model carries: the descent brakes
against the velocity **relative to that rotating surface** and ends at rest on it. The
cross-track part ``omega R cos(phi) cos(A)`` (at most 4.6 m/s) cannot be represented in the
plane: the descent adds it to the terminal-phase delta-v (an impulsive upper bound), the ascent
neglects it (it tilts the insertion plane by at most ~0.16 deg).

Descent (:func:`powered_descent`)
---------------------------------
1. DOI: an impulsive retro-burn at apolune lowers a circular parking orbit (altitude
   ``apolune_altitude_km``) to a descent ellipse with perilune ``perilune_altitude_km``
   (first half of a Hohmann transfer, vis-viva; Vallado 2013, sec. 6.3.1):
   ``dv = sqrt(mu/ra) - sqrt(mu (2/ra - 1/a))``.
2. Braking at constant thrust, by one of two laws (``steering``):

   * ``"linear-tangent"`` (default): ignition **at the perilune** of the descent ellipse (PDI
     at ``perilune_altitude_km``, as Apollo and Chang'e-3/4/5 flew it), thrust pitched above
     the backward local horizontal by ``tan(pitch) = A - B t`` (``t`` from PDI). That is the
     optimal thrust-direction law for a constant-thrust transfer in uniform gravity with a
     free downrange (Bryson & Ho 1975, *Applied Optimal Control*, sec. 2.7: the thrust
     points along the velocity costates, the horizontal one constant when the downrange is
     free and the vertical one linear in time); here it is flown in the spherical,
     rotating-surface model above, where it is near-optimal.
     ``A``, ``B`` and the burn time ``t_b`` are found with ``scipy.optimize.least_squares``
     so that at ``t_b`` the altitude is ``final_altitude_km`` and the radial and horizontal
     velocities relative to the surface are zero (tolerances 10 cm and 1 mm/s); the first
     guess solves the same problem over a flat Moon (trapezoid quadrature, with the
     centrifugal relief of the horizontal speed, see :func:`_flat_moon_guess`). Early in the
     burn the pitch is near zero (orbital speed holds the altitude); it grows as the
     horizontal speed falls, to about 30-40 deg at T/W 1.2-1.8.
   * ``"gravity-turn"``: thrust opposite the velocity relative to the surface, ignited
     ``ignition_time_from_perilune_s`` before perilune passage. That time is found with
     ``scipy.optimize.brentq`` so that the speed relative to the surface reaches zero exactly
     at ``final_altitude_km`` (a gravity turn ends with a vertical velocity, so the only free
     condition is the altitude where the speed vanishes).
3. Terminal phase: an optional hover of ``hover_s`` and a constant-rate vertical descent from
   ``final_altitude_km`` at ``vertical_descent_m_s``. It needs throttling to the weight; it is
   modelled as the delta-v of holding the weight, ``g_moon * t`` (plus the cross-track surface
   speed above), not simulated.

Ascent (:func:`ascent_to_orbit`)
--------------------------------
Vertical rise for ``vertical_rise_s``, then the **linear-tangent steering law** (Bryson & Ho
1975, *Applied Optimal Control*, sec. 2.7, the optimal thrust direction for a flat-planet,
uniform-gravity transfer to a given altitude and velocity): ``tan(pitch) = A - B t``, pitch
from the local horizontal, ``t`` from the end of the vertical rise. Cut-off when the specific
orbital energy reaches that of the target ellipse; ``A`` and ``B`` are found with
``scipy.optimize.least_squares`` so that at cut-off the altitude is the target periapsis
altitude and the radial velocity is zero (flight-path angle 0): the vehicle then sits at the
periapsis of the target ellipse with the periapsis speed. The vehicle starts with the surface's
inertial velocity (in-plane part, see above); the pitch jumps from 90 deg to ``atan(A)`` at the
end of the vertical rise (attitude dynamics are not modelled).

Gravity loss
------------
``gravity_loss_km_s = dv - |v_end - v_start|`` (inertial velocity vectors at the ends of the
powered flight): everything the engine spends beyond the ideal impulsive velocity change,
i.e. gravity and steering losses together (and, for the descent, the terminal phase).

Limitations
-----------
A gravity turn has no thrust component holding altitude early in the burn, so at the
thrust-to-weight of Apollo or Chang'e-5 (about 1.2-1.5 in lunar gravity) it must ignite well
before perilune, at 50-130 km, not at the 15 km PDI those missions flew (their guidance
pitched the thrust up); ignited at a 15 km perilune it would hit the ground, and its gravity
loss is larger (Chang'e-5-like inputs: 0.51 km/s against 0.27 km/s for linear-tangent
steering from 15 km). Conversely a T/W above about 2.5 stops too high even when ignited at a
15 km perilune: PlanningError, lower the perilune, use an equivalent (throttled) thrust or
the linear-tangent law. The linear-tangent law flies one constant thrust, optimally steered,
with no coast: it spends less than a throttled lander whose guidance trades propellant for
visibility, margins and site selection (Apollo's P63/P64/P66; see ``tests/test_landing.py``),
and at a high T/W it starts pitched down to lose the perilune altitude in time (-2.5 deg at
T/W 1.8, -18 deg at T/W 5), where a real lander would coast first. At a low T/W it climbs
above the perilune early in the burn while the mass burns off (by 0.2 km at T/W 1.3, 2 km at
T/W 1, 23 km at T/W 0.6, where the burn lasts half an hour), and below a T/W of about 0.3 at
PDI the solver fails (ConvergenceError). Point-mass, spherical Moon: no mascons, no terrain.

Units: km, km/s, s, rad, kg, N internally; names ending in ``_m_s`` are m/s.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, least_squares

from ..constants import MOON_GM_KM3_S2, MOON_RADIUS_KM
from ..errors import ConvergenceError, InputError, PlanningError

__all__ = [
    "G0_M_S2",
    "STEERINGS",
    "MOON_ROTATION_RATE_RAD_S",
    "DescentResult",
    "AscentResult",
    "powered_descent",
    "ascent_to_orbit",
    "doi_delta_v",
]

G0_M_S2 = 9.80665
"""Standard gravity, m/s^2 (CGPM 1901), defines Isp in seconds."""

MOON_ROTATION_RATE_RAD_S = math.radians(13.17635815) / 86400.0
"""Lunar sidereal rotation rate, rad/s: W' = 13.17635815 deg/day (Archinal et al. 2018,
Celest. Mech. Dyn. Astr. 130:22, Table 2), 2.6617e-6 rad/s."""

_RTOL = 1e-10
_ATOL = np.array([1e-9, 1e-13, 1e-12, 1e-12, 1e-12])  # r km, theta rad, vr, vt km/s, dv km/s
_STOP_SPEED_KM_S = 1e-7  # 0.1 mm/s: "speed relative to the surface has reached zero"
_METHOD = "DOP853"


# ------------------------------------------------------------------------------ results
class _Table:
    """Mixin: ``to_dict()`` and ``table()`` from the dataclass fields and ``_ROWS``."""

    _ROWS: tuple = ()

    def to_dict(self):
        """JSON-ready dict of every field (names carry the units; labels stay strings)."""
        return {k: v if isinstance(v, str) else float(v) for k, v in asdict(self).items()}

    def table(self):
        """Rows ``(label, value, unit)`` for display (dv in m/s, masses kg, times s)."""
        rows = []
        for name, label, unit, scale in self._ROWS:
            rows.append((label, float(getattr(self, name)) * scale, unit))
        return rows


@dataclass(frozen=True)
class DescentResult(_Table):
    """Budget and timing of a lunar descent: DOI, braking (linear-tangent or gravity turn),
    terminal phase.

    Attributes
    ----------
    dv_km_s : float
        Ideal delta-v from powered-descent ignition (PDI) to touchdown, km/s:
        ``Isp g0 ln(ignition_mass_kg / final_mass_kg)`` (braking + terminal phase).
    doi_dv_km_s : float
        Descent-orbit-insertion delta-v (impulsive, at apolune), km/s.
    total_dv_km_s : float
        ``doi_dv_km_s + dv_km_s`` = ``Isp g0 ln(initial_mass_kg / final_mass_kg)``, km/s.
    braking_dv_km_s : float
        Integral of F/m over the braking burn, km/s (integrated, a consistency check).
    terminal_dv_km_s : float
        Modelled terminal phase: ``g_moon (hover_s + final_altitude / rate)`` plus the
        cross-track surface speed, km/s.
    duration_s : float
        PDI to touchdown (braking + hover + vertical descent), s.
    braking_duration_s : float
        Braking burn, s.
    terminal_duration_s : float
        Hover + vertical descent, s.
    downrange_km : float
        Surface arc from the ground point under PDI to the landing site, km (on the rotating
        surface: the point under PDI moves with the Moon during the burn).
    propellant_kg : float
        DOI + powered descent propellant, kg.
    initial_mass_kg, ignition_mass_kg, final_mass_kg : float
        Mass before DOI, at PDI, at touchdown, kg.
    gravity_loss_km_s : float
        ``dv_km_s - |v_PDI - v_surface|`` (inertial velocity vectors), km/s.
    ignition_altitude_km : float
        Altitude of PDI above the sphere of radius ``site_radius_km``, km (linear-tangent: the
        perilune altitude).
    ignition_speed_km_s : float
        Inertial speed at PDI, km/s.
    ignition_time_from_perilune_s : float
        PDI time relative to perilune passage of the descent ellipse (negative: before), s;
        0 for linear-tangent steering.
    time_from_doi_to_landing_s : float
        DOI (at apolune) to touchdown: coast (half the descent-orbit period plus
        ``ignition_time_from_perilune_s``) + ``duration_s``, s.
    descent_orbit_period_s : float
        Period of the descent ellipse, s.
    surface_speed_km_s : float
        In-plane surface speed nulled at the site (negative for a westward approach), km/s.
    steering : str
        Braking law, ``"linear-tangent"`` or ``"gravity-turn"``.
    initial_pitch_rad, final_pitch_rad : float
        Thrust direction above the backward local horizontal at PDI and at the end of the
        braking, rad (linear-tangent: ``atan(A)`` and ``atan(A - B t_b)``; gravity turn: the
        direction opposite the surface-relative velocity, ending near +pi/2).
    """

    dv_km_s: float
    doi_dv_km_s: float
    total_dv_km_s: float
    braking_dv_km_s: float
    terminal_dv_km_s: float
    duration_s: float
    braking_duration_s: float
    terminal_duration_s: float
    downrange_km: float
    propellant_kg: float
    initial_mass_kg: float
    ignition_mass_kg: float
    final_mass_kg: float
    gravity_loss_km_s: float
    ignition_altitude_km: float
    ignition_speed_km_s: float
    ignition_time_from_perilune_s: float
    time_from_doi_to_landing_s: float
    descent_orbit_period_s: float
    surface_speed_km_s: float
    steering: str
    initial_pitch_rad: float
    final_pitch_rad: float

    _ROWS = (
        ("doi_dv_km_s", "DOI delta-v", "m/s", 1e3),
        ("dv_km_s", "Powered descent delta-v (PDI to touchdown)", "m/s", 1e3),
        ("total_dv_km_s", "Total descent delta-v", "m/s", 1e3),
        ("gravity_loss_km_s", "Gravity + steering loss", "m/s", 1e3),
        ("terminal_dv_km_s", "Terminal phase delta-v", "m/s", 1e3),
        ("ignition_altitude_km", "PDI altitude", "km", 1.0),
        ("ignition_speed_km_s", "PDI inertial speed", "m/s", 1e3),
        ("ignition_time_from_perilune_s", "PDI time from perilune", "s", 1.0),
        ("braking_duration_s", "Braking burn", "s", 1.0),
        ("duration_s", "PDI to touchdown", "s", 1.0),
        ("time_from_doi_to_landing_s", "DOI to touchdown", "s", 1.0),
        ("downrange_km", "Downrange PDI to site", "km", 1.0),
        ("propellant_kg", "Propellant (DOI + descent)", "kg", 1.0),
        ("final_mass_kg", "Mass at touchdown", "kg", 1.0),
        ("initial_pitch_rad", "Thrust pitch at PDI", "deg", 180.0 / math.pi),
        ("final_pitch_rad", "Thrust pitch at end of braking", "deg", 180.0 / math.pi),
    )


@dataclass(frozen=True)
class AscentResult(_Table):
    """Budget and timing of a lunar ascent to the periapsis of a target ellipse.

    Attributes
    ----------
    dv_km_s : float
        Ideal delta-v ``Isp g0 ln(m0 / m_burnout)``, km/s.
    integrated_dv_km_s : float
        Integral of F/m over the burn, km/s (a consistency check on ``dv_km_s``).
    duration_s : float
        Lift-off to cut-off, s.
    downrange_km : float
        Surface arc from the site to the ground point under cut-off (rotating surface), km.
    propellant_kg, final_mass_kg : float
        Propellant burnt and mass at cut-off, kg.
    gravity_loss_km_s : float
        ``dv_km_s - |v_burnout - v_liftoff|`` (inertial vectors), km/s.
    burnout_altitude_km : float
        Altitude at cut-off, km.
    burnout_speed_km_s : float
        Inertial speed at cut-off, km/s.
    burnout_flight_path_angle_rad : float
        Flight-path angle at cut-off (0 by construction, to the solver tolerance), rad.
    periapsis_altitude_km, apoapsis_altitude_km : float
        Insertion orbit from the cut-off state, km.
    liftoff_speed_km_s : float
        In-plane inertial speed of the site along the azimuth (negative westward), km/s.
    initial_pitch_rad : float
        Pitch from the local horizontal right after the vertical rise, ``atan(A)``, rad.
    final_pitch_rad : float
        Pitch at cut-off, rad.
    pitch_tangent_rate_per_s : float
        ``B`` of the linear-tangent law ``tan(pitch) = A - B t``, 1/s.
    """

    dv_km_s: float
    integrated_dv_km_s: float
    duration_s: float
    downrange_km: float
    propellant_kg: float
    final_mass_kg: float
    gravity_loss_km_s: float
    burnout_altitude_km: float
    burnout_speed_km_s: float
    burnout_flight_path_angle_rad: float
    periapsis_altitude_km: float
    apoapsis_altitude_km: float
    liftoff_speed_km_s: float
    initial_pitch_rad: float
    final_pitch_rad: float
    pitch_tangent_rate_per_s: float

    _ROWS = (
        ("dv_km_s", "Ascent delta-v", "m/s", 1e3),
        ("gravity_loss_km_s", "Gravity + steering loss", "m/s", 1e3),
        ("duration_s", "Burn duration", "s", 1.0),
        ("burnout_altitude_km", "Cut-off altitude", "km", 1.0),
        ("burnout_speed_km_s", "Cut-off inertial speed", "m/s", 1e3),
        ("periapsis_altitude_km", "Insertion periapsis altitude", "km", 1.0),
        ("apoapsis_altitude_km", "Insertion apoapsis altitude", "km", 1.0),
        ("downrange_km", "Downrange", "km", 1.0),
        ("propellant_kg", "Propellant", "kg", 1.0),
        ("final_mass_kg", "Mass at cut-off", "kg", 1.0),
    )


# ------------------------------------------------------------------------------ inputs
def _number(name, value, *, positive=False, nonneg=False, lo=None, hi=None, hint=""):
    """A finite float, or InputError naming the field."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"{name} must be a number, got {value!r}{hint}", field=name,
                         value=value)
    x = float(value)
    if not math.isfinite(x):
        raise InputError(f"{name} must be finite, got {value!r}{hint}", field=name, value=value)
    if positive and x <= 0.0:
        raise InputError(f"{name} must be > 0, got {value!r}{hint}", field=name, value=value)
    if nonneg and x < 0.0:
        raise InputError(f"{name} must be >= 0, got {value!r}{hint}", field=name, value=value)
    if lo is not None and x < lo:
        raise InputError(f"{name} must be >= {lo}, got {value!r}{hint}", field=name,
                         value=value)
    if hi is not None and x > hi:
        raise InputError(f"{name} must be <= {hi}, got {value!r}{hint}", field=name,
                         value=value)
    return x


def _common(mass_kg, thrust_n, isp_s, site_radius_km, mu, site_latitude_rad, azimuth_rad,
            dry_mass_kg):
    m0 = _number("mass_kg", mass_kg, positive=True, hint=" (initial vehicle mass, kg)")
    thrust = _number("thrust_n", thrust_n, positive=True, hint=" (engine thrust, N)")
    isp = _number("isp_s", isp_s, positive=True, hint=" (specific impulse, s)")
    radius = _number("site_radius_km", site_radius_km, positive=True,
                     hint=" (lunar radius at the site, km)")
    mu = _number("mu", mu, positive=True, hint=" (lunar GM, km^3/s^2)")
    lat = _number("site_latitude_rad", site_latitude_rad, lo=-math.pi / 2, hi=math.pi / 2,
                  hint=" (radians; convert degrees with math.radians)")
    az = _number("azimuth_rad", azimuth_rad, hint=" (radians, 0 = north, pi/2 = east)")
    dry = None
    if dry_mass_kg is not None:
        dry = _number("dry_mass_kg", dry_mass_kg, positive=True,
                      hint=" (mass with no usable propellant, kg)")
        if dry >= m0:
            raise InputError(f"dry_mass_kg ({dry:g} kg) must be below mass_kg ({m0:g} kg): "
                             "there is no usable propellant", field="dry_mass_kg",
                             value=dry_mass_kg)
    return m0, thrust, isp, radius, mu, lat, az, dry


def _surface_speeds(radius, lat, az):
    """(omega_n rad/s, in-plane surface speed km/s, cross-track surface speed km/s)."""
    w = MOON_ROTATION_RATE_RAD_S
    omega_n = w * math.cos(lat) * math.sin(az)
    return omega_n, omega_n * radius, w * radius * math.cos(lat) * math.cos(az)


def _exhaust_check(what, m0, m_final, dry, isp, thrust):
    if dry is not None and m_final < dry:
        need = m0 - m_final
        have = m0 - dry
        raise PlanningError(
            f"propellant exhausted: the {what} needs {need:.1f} kg of propellant but only "
            f"{have:.1f} kg is loaded (mass_kg {m0:.1f} - dry_mass_kg {dry:.1f}); load more "
            f"propellant, lower the dry mass, or raise isp_s ({isp:g} s) or thrust_n "
            f"({thrust:g} N) to cut the gravity loss")


# ------------------------------------------------------------------------------ orbits
def doi_delta_v(parking_altitude_km, perilune_altitude_km, *, site_radius_km=MOON_RADIUS_KM,
                mu=MOON_GM_KM3_S2):
    """Descent-orbit-insertion delta-v from a circular orbit, km/s.

    Impulsive retro-burn at apolune lowering a circular orbit of altitude
    ``parking_altitude_km`` to an ellipse of perilune altitude ``perilune_altitude_km``
    (the first half of a Hohmann transfer; Vallado 2013, sec. 6.3.1, vis-viva):
    ``sqrt(mu / ra) - sqrt(mu (2 / ra - 1 / a))``, ``a = (ra + rp) / 2``.
    """
    ra = site_radius_km + parking_altitude_km
    rp = site_radius_km + perilune_altitude_km
    a = 0.5 * (ra + rp)
    return math.sqrt(mu / ra) - math.sqrt(mu * (2.0 / ra - 1.0 / a))


def _ellipse_state(rp, ra, mu, tau):
    """Polar state (r, theta, vr, vt) at time ``tau`` from perilune; theta = true anomaly."""
    a = 0.5 * (rp + ra)
    e = (ra - rp) / (ra + rp)
    n = math.sqrt(mu / a**3)
    mean = n * tau
    ecc = mean + e * math.sin(mean)
    for _ in range(50):  # Newton on Kepler's equation (Vallado 2013, algorithm 2)
        step = (ecc - e * math.sin(ecc) - mean) / (1.0 - e * math.cos(ecc))
        ecc -= step
        if abs(step) < 1e-15:
            break
    nu = 2.0 * math.atan2(math.sqrt(1.0 + e) * math.sin(ecc / 2.0),
                          math.sqrt(1.0 - e) * math.cos(ecc / 2.0))
    r = a * (1.0 - e * math.cos(ecc))
    h = math.sqrt(mu * a * (1.0 - e * e))
    return r, nu, mu / h * e * math.sin(nu), h / r


def _apses(r, vr, vt, mu):
    """(periapsis radius, apoapsis radius) of the osculating orbit, km."""
    h = r * vt
    energy = 0.5 * (vr * vr + vt * vt) - mu / r
    a = -mu / (2.0 * energy)
    e = math.sqrt(max(0.0, 1.0 + 2.0 * energy * h * h / mu**2))
    return a * (1.0 - e), a * (1.0 + e)


# ------------------------------------------------------------------------------ descent
STEERINGS = ("linear-tangent", "gravity-turn")
"""Braking laws accepted by :func:`powered_descent` (the first is the default)."""

_LT_TOL_ALT_KM = 1e-4  # 10 cm: linear-tangent braking ends at the hover gate
_LT_TOL_SPEED_KM_S = 1e-6  # 1 mm/s: ... at rest on the surface
_LT_TOL_GROUND_KM = 1e-3  # 1 m: a path lower than this below the surface has crashed
_LT_MAX_NFEV = 60  # least_squares evaluations per start (a converging solve takes ~5-15)
_FLAT_NODES = 201  # trapezoid nodes of the flat-Moon first guess


def _pitch(wr, wt):
    """Thrust pitch above the backward local horizontal for thrust against (wr, wt), rad."""
    return math.atan2(-wr, wt)


def _braking(y0, m_ign, thrust, mdot, mu, omega_n, radius, t_max):
    """Integrate the gravity turn from y0; returns the solve_ivp solution and a status."""

    def rhs(t, y):
        r, _, vr, vt, _ = y
        acc = thrust / (m_ign - mdot * t) * 1e-3
        wr, wt = vr, vt - omega_n * r
        s = math.hypot(wr, wt)
        return [vr, vt / r, vt * vt / r - mu / (r * r) - acc * wr / s,
                -vr * vt / r - acc * wt / s, acc]

    def stopped(t, y):
        return math.hypot(y[2], y[3] - omega_n * y[0]) - _STOP_SPEED_KM_S

    stopped.terminal, stopped.direction = True, -1.0

    def deep(t, y):  # far below the surface: it would have crashed long ago
        return y[0] - 0.5 * radius

    deep.terminal, deep.direction = True, -1.0
    sol = solve_ivp(rhs, (0.0, t_max), y0, method=_METHOD, rtol=_RTOL, atol=_ATOL,
                    events=(stopped, deep))
    if sol.t_events[0].size:
        return sol, "stopped"
    if sol.t_events[1].size:
        return sol, "crashed"
    return sol, "burnt out"


def _gravity_turn(*, m_ign, thrust, mdot, mu, omega_n, radius, rp, ra, r_end, h_p, h_a,
                  h_final, period, t_max):
    """Gravity-turn braking ignited before perilune: (solution, ignition time from perilune)."""

    def evaluate(tau):
        r, th, vr, vt = _ellipse_state(rp, ra, mu, tau)
        sol, status = _braking([r, th, vr, vt, 0.0], m_ign, thrust, mdot, mu, omega_n, radius,
                               t_max)
        return sol, status

    def residual(tau):
        sol, status = evaluate(tau)
        if status == "burnt out":
            raise PlanningError(
                f"the braking never ends: with thrust_n {thrust:g} N the engine burns the whole "
                f"{m_ign:.0f} kg before the speed relative to the surface reaches zero; raise "
                "the thrust")
        return float(sol.y[0, -1]) - r_end

    f_late = residual(0.0)
    if f_late > 0.0:
        raise PlanningError(
            f"thrust too high for a gravity turn from a {h_p:g} km perilune: ignited at "
            f"perilune, the braking already ends at {f_late + h_final:.2f} km altitude, above "
            f"the {h_final:g} km hover gate; lower thrust_n ({thrust:g} N, an equivalent "
            "throttled thrust) or the perilune altitude, or use steering='linear-tangent'")
    tau_early = -0.5 * period
    f_early = residual(tau_early)
    if f_early < 0.0:
        weight = m_ign * mu / radius**2 * 1e3
        raise PlanningError(
            f"thrust too low: thrust_n {thrust:g} N (lunar weight at PDI {weight:.0f} N) cannot "
            f"stop the vehicle above {h_final:g} km even when braking from apolune "
            f"({h_a:g} km); raise the thrust or lower the mass")
    try:
        tau, info = brentq(residual, tau_early, 0.0, xtol=1e-7, rtol=1e-14, maxiter=200,
                           full_output=True)
    except RuntimeError as exc:  # pragma: no cover - brentq on a bracket converges
        raise ConvergenceError(f"PDI time search did not converge: {exc}") from exc
    if not info.converged:  # pragma: no cover
        raise ConvergenceError(f"PDI time search did not converge after {info.iterations} "
                               f"iterations (bracket [{tau_early:g}, 0] s)")
    sol, status = evaluate(tau)
    if status != "stopped":  # pragma: no cover - the root is a stopping trajectory
        raise ConvergenceError(f"PDI time {tau:.3f} s does not give a stop ({status})")
    r_stop = float(sol.y[0, -1])
    if abs(r_stop - r_end) > 1e-4:  # 10 cm
        raise ConvergenceError(f"braking ends at {r_stop - radius:.6f} km, not at the hover "
                               f"gate {h_final:g} km (residual {r_stop - r_end:.3e} km)")
    if float(np.min(sol.y[0])) < r_end - 1e-4:  # pragma: no cover - gravity turn descends
        raise PlanningError("the gravity turn dips below the hover gate before stopping")
    return sol, float(tau)


def _lt_rhs(A, B, m_ign, thrust, mdot, mu):
    """Polar equations of motion under linear-tangent braking ``tan(pitch) = A - B t``."""

    def rhs(t, y):
        r, _, vr, vt, _ = y
        acc = thrust / (m_ign - mdot * t) * 1e-3
        tn = A - B * t
        cp = 1.0 / math.sqrt(1.0 + tn * tn)
        return [vr, vt / r, vt * vt / r - mu / (r * r) + acc * tn * cp,
                -vr * vt / r - acc * cp, acc]

    return rhs


def _flat_moon_guess(*, u0, u_surf, h0, h1, g, r_ref, m_ign, thrust, mdot, c, t_max):
    """First guess (A, B, t_b) from the flat-Moon constant-thrust problem.

    Uniform gravity ``g`` over a flat surface (Bryson & Ho 1975, sec. 2.7), thrust
    ``F / (m_ign - mdot t)`` along ``tan(pitch) = A - B t`` against the horizontal motion;
    the centrifugal relief ``(u + u_surf)^2 / r_ref`` of the inertial horizontal speed is kept
    in the vertical equation, which matters from orbital speed (it cancels most of ``g`` at
    ignition; Mehedi & Kubota 2011, Trans. JSASS 54(184):98-105, keep it in lunar-descent
    guidance for that reason). Horizontal speed ``u`` (surface-relative), vertical speed and
    altitude by the trapezoid rule on ``_FLAT_NODES`` nodes; ``least_squares`` for
    ``u = w = 0``, ``h = h1`` at ``t_b``. Returns that solve's best point (the polar solve
    refines it), or its start if the point is not finite.
    """
    s = np.linspace(0.0, 1.0, _FLAT_NODES)

    def cumtrapz(f, dt):
        out = np.zeros_like(f)
        out[1:] = np.cumsum(0.5 * (f[1:] + f[:-1])) * dt
        return out

    def residuals(x):
        A, B, tb = x
        t = s * tb
        dt = tb / (_FLAT_NODES - 1)
        acc = thrust / (m_ign - mdot * t) * 1e-3
        tn = A - B * t
        cp = 1.0 / np.sqrt(1.0 + tn * tn)
        u = u0 - cumtrapz(acc * cp, dt)
        w = cumtrapz(acc * tn * cp - (g - (u + u_surf) ** 2 / r_ref), dt)
        h = h0 + cumtrapz(w, dt)
        return [u[-1] * 1e3, w[-1] * 1e3, (h[-1] - h1) * 1e3]  # m/s, m/s, m

    # start: the burn time of a 10 % loss, pitch rising from 0 to hold the final weight
    tb0 = min(m_ign * (1.0 - math.exp(-1.1 * abs(u0) / c)) / mdot, 0.9 * t_max)
    a_end = thrust / (m_ign - mdot * tb0) * 1e-3
    x0 = np.array([0.0, -math.tan(math.asin(min(0.9, g / a_end))) / tb0, tb0])
    try:
        fit = least_squares(residuals, x0, x_scale=[1.0, 1.0 / tb0, tb0], method="trf",
                            bounds=([-np.inf, -np.inf, 1.0], [np.inf, np.inf, 0.99 * t_max]),
                            xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=200)
    except (ValueError, FloatingPointError):  # pragma: no cover - defensive
        return x0
    return fit.x if np.all(np.isfinite(fit.x)) else x0


def _linear_tangent(*, y0, m_ign, thrust, isp, mu, omega_n, radius, r_end, h_p, h_final):
    """Linear-tangent braking from perilune: (solution, A, B) with the state at ``t_b`` at
    rest relative to the surface at ``r_end``; ``least_squares`` on (A, B, t_b) from the
    flat-Moon guess (and two perturbed starts)."""
    r0, _, vr0, vt0, _ = y0
    u0 = vt0 - omega_n * r0
    g = mu / radius**2
    c = isp * G0_M_S2 * 1e-3
    mdot = thrust / (isp * G0_M_S2)
    t_max = 0.999 * m_ign / mdot
    weight = m_ign * g * 1e3  # N
    what = (f"thrust_n {thrust:g} N on {m_ign:.0f} kg at PDI (lunar weight {weight:.0f} N, "
            f"T/W {thrust / weight:.3f})")

    guess = _flat_moon_guess(u0=u0, u_surf=omega_n * radius, h0=r0 - radius,
                             h1=r_end - radius, g=g, r_ref=r0, m_ign=m_ign, thrust=thrust,
                             mdot=mdot, c=c, t_max=t_max)

    def deep(t, y):  # far below the surface: stop integrating
        return y[0] - 0.5 * radius

    deep.terminal, deep.direction = True, -1.0

    def fly(x, dense=False):
        A, B, tb = x
        return solve_ivp(_lt_rhs(A, B, m_ign, thrust, mdot, mu), (0.0, tb), y0,
                         method=_METHOD, rtol=_RTOL, atol=_ATOL, events=(deep,),
                         dense_output=dense)

    def residuals(x):
        y = fly(x).y[:, -1]
        return [(y[0] - r_end) * 1e3, y[2] * 1e3, (y[3] - omega_n * y[0]) * 1e3]  # m, m/s

    def met(fun):
        return (abs(fun[0]) <= _LT_TOL_ALT_KM * 1e3
                and math.hypot(fun[1], fun[2]) <= _LT_TOL_SPEED_KM_S * 1e3)

    best = None
    for start in (guess, guess * [1.0, 1.0, 1.1], guess * [1.0, 0.8, 0.9]):
        x0 = np.clip(start, [-np.inf, -np.inf, 2.0], [np.inf, np.inf, 0.98 * t_max])
        fit = least_squares(residuals, x0, x_scale=[1.0, 1.0 / x0[2], x0[2]], method="trf",
                            bounds=([-np.inf, -np.inf, 1.0], [np.inf, np.inf, t_max]),
                            xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=_LT_MAX_NFEV)
        if best is None or fit.cost < best.cost:
            best = fit
        if met(fit.fun):
            break
    A, B, tb = (float(v) for v in best.x)
    if not met(best.fun):
        err_v = math.hypot(best.fun[1], best.fun[2])
        if tb >= 0.99 * t_max:
            raise PlanningError(
                f"thrust too low to stop from a {h_p:g} km perilune: {what}; the best "
                f"linear-tangent braking found burns the whole {m_ign:.0f} kg ({t_max:.0f} s) "
                f"and still misses rest at the {h_final:g} km hover gate by {err_v:.1f} m/s; "
                "raise thrust_n")
        raise ConvergenceError(
            f"linear-tangent braking did not converge: at the end of the best burn found "
            f"(A={A:.6g}, B={B:.6g} 1/s, t_b={tb:.1f} s) the altitude is {best.fun[0]:.3f} m "
            f"from the {h_final:g} km hover gate and the speed relative to the surface "
            f"{err_v:.4f} m/s, for {what}. Below T/W ~0.3 the burn lasts over an hour and "
            "the solver may fail: raise thrust_n")
    sol = fly(best.x, dense=True)
    r_min = float(np.min(sol.sol(np.linspace(0.0, tb, 2001))[0]))
    if r_min < radius - _LT_TOL_GROUND_KM:
        raise PlanningError(
            f"thrust too low to stop before the ground from a {h_p:g} km perilune: {what}; the "
            f"linear-tangent braking that ends at rest at the {h_final:g} km hover gate "
            f"(pitch {math.degrees(math.atan(A)):.1f} deg at PDI, {tb:.0f} s burn) passes "
            f"{(radius - r_min) * 1e3:.0f} m below the surface on the way. Raise thrust_n or "
            "perilune_altitude_km")
    return sol, A, B


def powered_descent(*, mass_kg, thrust_n, isp_s, perilune_altitude_km=15.0,
                    apolune_altitude_km=100.0, site_latitude_rad=0.0, azimuth_rad=math.pi / 2,
                    final_altitude_km=0.1, vertical_descent_m_s=1.0, hover_s=0.0,
                    steering="linear-tangent", dry_mass_kg=None,
                    site_radius_km=MOON_RADIUS_KM, mu=MOON_GM_KM3_S2):
    """Delta-v budget and timing of a lunar landing from a circular parking orbit.

    DOI at apolune of a circular parking orbit (altitude ``apolune_altitude_km``) onto a
    descent ellipse with perilune ``perilune_altitude_km``; a constant-thrust braking burn that
    brings the velocity relative to the rotating surface to zero at ``final_altitude_km``; then
    a modelled hover and constant-rate vertical descent. Braking laws (``steering``):

    * ``"linear-tangent"`` (default): ignition **at perilune**, thrust pitched
      ``tan(pitch) = A - B t`` above the backward local horizontal (Bryson & Ho 1975,
      sec. 2.7), ``A``, ``B`` and the burn time solved by ``scipy.optimize.least_squares``
      (first guess: the flat-Moon problem) so that at the end of the burn the altitude is
      ``final_altitude_km`` and the radial and horizontal velocities relative to the surface
      are zero.
    * ``"gravity-turn"``: thrust against the surface-relative velocity, ignited before
      perilune at the time, found by ``scipy.optimize.brentq``, that brings the speed to zero
      at ``final_altitude_km``.

    Planar, inertial polar coordinates about the Moon's centre, point-mass Moon with the
    in-plane lunar rotation (see the module docstring for the model and its sources).

    Parameters
    ----------
    mass_kg : float
        Mass before DOI (lander + ascender at separation), kg.
    thrust_n : float
        Constant thrust, N (for a throttled engine: an equivalent mean thrust).
    isp_s : float
        Specific impulse, s (g0 = 9.80665 m/s^2).
    perilune_altitude_km, apolune_altitude_km : float
        Descent-ellipse perilune and parking-orbit (= apolune) altitude, km;
        ``0 < final_altitude_km < perilune < apolune``.
    site_latitude_rad : float
        Selenographic latitude of the site, rad.
    azimuth_rad : float
        Direction of motion over the site, rad clockwise from north (pi/2 = east,
        3 pi/2 = west as flown by Apollo).
    final_altitude_km : float
        Altitude where the braking ends at rest (hover gate), km.
    vertical_descent_m_s : float
        Constant descent rate from ``final_altitude_km`` to touchdown, m/s.
    hover_s : float
        Hover time at ``final_altitude_km`` (hazard avoidance, site selection), s.
    steering : {"linear-tangent", "gravity-turn"}
        Braking law (see above).
    dry_mass_kg : float, optional
        Mass with no usable propellant, kg: a plan that needs more propellant raises
        :class:`PlanningError`.
    site_radius_km : float
        Radius of the Moon at the site, km (default IAU mean radius 1737.4 km).
    mu : float
        Lunar GM, km^3/s^2 (default DE421, 4902.800066).

    Returns
    -------
    DescentResult

    Raises
    ------
    InputError
        A number is missing, not finite or out of range (the field is named), the perilune
        is not below the apolune, or ``steering`` is not one of :data:`STEERINGS`.
    PlanningError
        The thrust cannot end the braking at the hover gate from this descent orbit
        (linear-tangent: too low to stop above the ground from the perilune; gravity turn:
        too low or too high), cannot hold the weight for the terminal phase, or the
        propellant runs out.
    ConvergenceError
        The steering (linear-tangent) or ignition-time (gravity turn) search did not
        converge.

    Notes
    -----
    Linear-tangent braking from a 15 km perilune works at the T/W of Apollo and Chang'e-5
    (about 1.2-1.8 in lunar gravity) and needs less delta-v than the gravity turn, which at
    that T/W must ignite at 50-130 km, before perilune (see the module's Limitations). At a
    high T/W the linear-tangent burn, which has no coast, starts pitched down to lose the
    perilune altitude in time; a real lander would coast and ignite later.
    """
    m0, thrust, isp, radius, mu, lat, az, dry = _common(
        mass_kg, thrust_n, isp_s, site_radius_km, mu, site_latitude_rad, azimuth_rad,
        dry_mass_kg)
    h_final = _number("final_altitude_km", final_altitude_km, nonneg=True,
                      hint=" (altitude where braking ends at rest, km)")
    h_p = _number("perilune_altitude_km", perilune_altitude_km, positive=True,
                  hint=" (descent-orbit perilune altitude, km)")
    h_a = _number("apolune_altitude_km", apolune_altitude_km, positive=True,
                  hint=" (parking-orbit altitude, km)")
    rate = _number("vertical_descent_m_s", vertical_descent_m_s, positive=True,
                   hint=" (terminal descent rate, m/s)")
    hover = _number("hover_s", hover_s, nonneg=True, hint=" (hover time, s)")
    if not isinstance(steering, str) or steering not in STEERINGS:
        raise InputError(f"steering must be one of {', '.join(map(repr, STEERINGS))}, got "
                         f"{steering!r}", field="steering", value=steering)
    if h_p >= h_a:
        raise InputError(
            f"perilune_altitude_km ({h_p:g} km) must be below apolune_altitude_km ({h_a:g} km):"
            " DOI lowers the perilune of the parking orbit; lower the perilune or raise the "
            "parking orbit", field="perilune_altitude_km", value=perilune_altitude_km)
    if h_final >= h_p:
        raise InputError(
            f"final_altitude_km ({h_final:g} km) must be below perilune_altitude_km "
            f"({h_p:g} km): braking ends near the surface", field="final_altitude_km",
            value=final_altitude_km)

    c = isp * G0_M_S2 * 1e-3  # exhaust speed, km/s
    mdot = thrust / (isp * G0_M_S2)
    rp, ra = radius + h_p, radius + h_a
    r_end = radius + h_final
    omega_n, u_in, u_cross = _surface_speeds(radius, lat, az)

    dv_doi = doi_delta_v(h_a, h_p, site_radius_km=radius, mu=mu)
    m_ign = m0 * math.exp(-dv_doi / c)
    a_orb = 0.5 * (rp + ra)
    period = 2.0 * math.pi * math.sqrt(a_orb**3 / mu)
    t_max = 0.999 * m_ign / mdot

    if steering == "gravity-turn":
        sol, tau = _gravity_turn(m_ign=m_ign, thrust=thrust, mdot=mdot, mu=mu, omega_n=omega_n,
                                 radius=radius, rp=rp, ra=ra, r_end=r_end, h_p=h_p, h_a=h_a,
                                 h_final=h_final, period=period, t_max=t_max)
        # thrust against the surface-relative velocity (at the stop, its last direction)
        pitch0, pitch1 = (_pitch(sol.y[2, k], sol.y[3, k] - omega_n * sol.y[0, k])
                          for k in (0, -1))
    else:
        g_moon = mu / radius**2 * 1e3  # m/s^2
        if dry is not None and thrust < dry * g_moon:
            raise PlanningError(
                f"thrust too low to land: thrust_n {thrust:g} N cannot hold even the empty "
                f"vehicle ({dry:g} kg, lunar weight {dry * g_moon:.0f} N) at the hover gate; "
                "raise the thrust")
        tau = 0.0
        y0 = [*_ellipse_state(rp, ra, mu, 0.0), 0.0]
        sol, A, B = _linear_tangent(y0=y0, m_ign=m_ign, thrust=thrust, isp=isp, mu=mu,
                                    omega_n=omega_n, radius=radius, r_end=r_end, h_p=h_p,
                                    h_final=h_final)
        pitch0, pitch1 = math.atan(A), math.atan(A - B * float(sol.t[-1]))

    t_brake = float(sol.t[-1])
    m_stop = m_ign - mdot * t_brake
    g_surf = mu / radius**2  # km/s^2
    if thrust * 1e-3 < m_stop * g_surf:
        raise PlanningError(
            f"thrust_n {thrust:g} N is below the lunar weight at the hover gate "
            f"({m_stop * g_surf * 1e3:.0f} N for {m_stop:.0f} kg): the vehicle cannot hover or "
            "descend at a constant rate; raise the thrust")
    t_term = hover + h_final * 1e3 / rate
    dv_term = g_surf * t_term + abs(u_cross)
    m_final = m_stop * math.exp(-dv_term / c)
    _exhaust_check("descent (DOI + braking + terminal phase)", m0, m_final, dry, isp, thrust)

    r0, th0, vr0, vt0 = (float(sol.y[i, 0]) for i in range(4))
    dv = c * math.log(m_ign / m_final)
    ideal = math.hypot(vr0, vt0 - omega_n * r_end)
    downrange = radius * (float(sol.y[1, -1]) - th0 - omega_n * t_brake)
    return DescentResult(
        dv_km_s=dv,
        doi_dv_km_s=dv_doi,
        total_dv_km_s=c * math.log(m0 / m_final),
        braking_dv_km_s=float(sol.y[4, -1]),
        terminal_dv_km_s=dv_term,
        duration_s=t_brake + t_term,
        braking_duration_s=t_brake,
        terminal_duration_s=t_term,
        downrange_km=downrange,
        propellant_kg=m0 - m_final,
        initial_mass_kg=m0,
        ignition_mass_kg=m_ign,
        final_mass_kg=m_final,
        gravity_loss_km_s=dv - ideal,
        ignition_altitude_km=r0 - radius,
        ignition_speed_km_s=math.hypot(vr0, vt0),
        ignition_time_from_perilune_s=float(tau),
        time_from_doi_to_landing_s=0.5 * period + float(tau) + t_brake + t_term,
        descent_orbit_period_s=period,
        surface_speed_km_s=u_in,
        steering=steering,
        initial_pitch_rad=float(pitch0),
        final_pitch_rad=float(pitch1),
    )


# ------------------------------------------------------------------------------ ascent
def ascent_to_orbit(*, mass_kg, thrust_n, isp_s, target_periapsis_altitude_km=15.0,
                    target_apoapsis_altitude_km=180.0, vertical_rise_s=10.0,
                    site_latitude_rad=0.0, azimuth_rad=math.pi / 2, dry_mass_kg=None,
                    site_radius_km=MOON_RADIUS_KM, mu=MOON_GM_KM3_S2):
    """Delta-v budget and timing of a lunar ascent to the periapsis of a target ellipse.

    Vertical rise, then linear-tangent steering ``tan(pitch) = A - B t`` (Bryson & Ho 1975,
    sec. 2.7) with ``A``, ``B`` solved by ``scipy.optimize.least_squares`` so that, when the
    orbital energy reaches the target's, the vehicle is at the target periapsis altitude with
    zero flight-path angle (hence the periapsis speed). Planar, inertial polar coordinates,
    point-mass Moon; the in-plane surface speed of the site along ``azimuth_rad`` is the
    initial inertial velocity, the cross-track part (<= 4.6 m/s) is neglected (see the module
    docstring).

    Parameters
    ----------
    mass_kg : float
        Mass at lift-off, kg.
    thrust_n : float
        Constant thrust, N; must exceed the lunar weight ``mass_kg * mu / R^2``.
    isp_s : float
        Specific impulse, s.
    target_periapsis_altitude_km, target_apoapsis_altitude_km : float
        Insertion orbit, km; insertion is at its periapsis.
    vertical_rise_s : float
        Duration of the vertical rise, s (Apollo: about 10 s).
    site_latitude_rad, azimuth_rad : float
        Site latitude and launch azimuth (clockwise from north, pi/2 = east), rad.
    dry_mass_kg : float, optional
        Mass with no usable propellant, kg (PlanningError if the ascent needs more).
    site_radius_km, mu : float
        Lunar radius at the site (km) and GM (km^3/s^2).

    Returns
    -------
    AscentResult

    Raises
    ------
    InputError
        Bad numbers (the field is named), periapsis above apoapsis.
    PlanningError
        Thrust-to-weight below 1 at lift-off, propellant exhausted, or no steering reaches
        the orbit before the propellant runs out.
    ConvergenceError
        The steering solver did not meet the target.

    Notes
    -----
    ``vertical_rise_s`` is a time, not an altitude: at a high thrust-to-weight (above ~4) a
    10 s rise climbs far and costs delta-v; shorten it.
    """
    m0, thrust, isp, radius, mu, lat, az, dry = _common(
        mass_kg, thrust_n, isp_s, site_radius_km, mu, site_latitude_rad, azimuth_rad,
        dry_mass_kg)
    h_p = _number("target_periapsis_altitude_km", target_periapsis_altitude_km, positive=True,
                  hint=" (insertion altitude, km)")
    h_a = _number("target_apoapsis_altitude_km", target_apoapsis_altitude_km, positive=True,
                  hint=" (km)")
    t_v = _number("vertical_rise_s", vertical_rise_s, nonneg=True, hint=" (s)")
    if h_p > h_a:
        raise InputError(
            f"target_periapsis_altitude_km ({h_p:g} km) must not exceed "
            f"target_apoapsis_altitude_km ({h_a:g} km); swap them",
            field="target_periapsis_altitude_km", value=target_periapsis_altitude_km)

    g_surf = mu / radius**2
    weight_n = m0 * g_surf * 1e3
    if thrust <= weight_n:
        raise PlanningError(
            f"thrust-to-weight below 1 at lift-off: thrust_n {thrust:g} N against a lunar "
            f"weight of {weight_n:.0f} N ({m0:g} kg x {g_surf * 1e3:.4f} m/s^2, T/W "
            f"{thrust / weight_n:.3f}); raise the thrust above {weight_n:.0f} N or lower "
            f"mass_kg below {thrust / (g_surf * 1e3):.0f} kg")

    c = isp * G0_M_S2 * 1e-3
    mdot = thrust / (isp * G0_M_S2)
    rp, ra = radius + h_p, radius + h_a
    a_t = 0.5 * (rp + ra)
    energy_t = -mu / (2.0 * a_t)
    v_p = math.sqrt(mu * (2.0 / rp - 1.0 / a_t))
    omega_n, u_in, _ = _surface_speeds(radius, lat, az)
    t_max = 0.999 * m0 / mdot  # the dry mass is checked on the solution, not here

    def rhs_factory(A, B):
        def rhs(t, y):
            r, _, vr, vt, _ = y
            acc = thrust / (m0 - mdot * t) * 1e-3
            if t < t_v:
                sp, cp = 1.0, 0.0
            else:
                tn = A - B * (t - t_v)
                cp = 1.0 / math.sqrt(1.0 + tn * tn)
                sp = tn * cp
            return [vr, vt / r, vt * vt / r - mu / (r * r) + acc * sp,
                    -vr * vt / r + acc * cp, acc]
        return rhs

    def cutoff(t, y):
        return 0.5 * (y[2] ** 2 + y[3] ** 2) - mu / y[0] - energy_t

    cutoff.terminal, cutoff.direction = True, 1.0

    def crash(t, y):
        return y[0] - (radius - 1e-3)

    crash.terminal, crash.direction = True, -1.0

    y_start = [radius, 0.0, 0.0, u_in, 0.0]
    # vertical rise (common to every steering)
    if t_v > 0.0:
        rise = solve_ivp(rhs_factory(0.0, 0.0), (0.0, t_v), y_start, method=_METHOD,
                         rtol=_RTOL, atol=_ATOL, events=(cutoff,))
        if rise.t_events[0].size:
            raise PlanningError(
                f"the vertical rise of {t_v:g} s already reaches the target orbit energy; "
                "shorten vertical_rise_s")
        y_rise = rise.y[:, -1]
    else:
        y_rise = np.array(y_start, dtype=float)

    def fly(params):
        A, B = params
        return solve_ivp(rhs_factory(A, B), (t_v, t_max), y_rise, method=_METHOD,
                         rtol=_RTOL, atol=_ATOL, events=(cutoff, crash))

    scale_r, scale_v = 1.0, 1e-3  # km, km/s

    def residuals(params):
        sol = fly(params)
        r, vr, vt = sol.y[0, -1], sol.y[2, -1], sol.y[3, -1]
        energy = 0.5 * (vr * vr + vt * vt) - mu / r
        return [(r - rp) / scale_r, vr / scale_v, (energy - energy_t) / (v_p * scale_v)]

    # first guesses: pitch 50 deg after the rise falling to about -10 deg at the estimated
    # cut-off, then other initial pitches (the residual is not smooth where trajectories
    # start to graze the surface, so one start can stall there)
    dv_guess = 1.1 * (v_p - u_in)
    t_guess = max(1.0, m0 * (1.0 - math.exp(-dv_guess / c)) / mdot - t_v)
    best = None
    for deg in (50.0, 35.0, 65.0, 20.0, 80.0):
        a0 = math.tan(math.radians(deg))
        fit = least_squares(residuals, [a0, (a0 + 0.2) / t_guess], method="lm", xtol=1e-14,
                            ftol=1e-14, gtol=1e-14, x_scale=[1.0, 1.0 / t_guess],
                            max_nfev=400)
        if best is None or fit.cost < best.cost:
            best = fit
        if abs(fit.fun[0]) <= 1e-3 and abs(fit.fun[1]) <= 1e-3 and abs(fit.fun[2]) <= 1e-6:
            break  # 1 m, 1 mm/s, energy met
    fit = best
    sol = fly(fit.x)
    if not sol.t_events[0].size:
        if sol.t_events[1].size:
            raise ConvergenceError(
                f"no steering found: the best linear-tangent law (A={fit.x[0]:.4g}, "
                f"B={fit.x[1]:.4g} 1/s) falls back to the surface; raise thrust_n "
                f"({thrust:g} N), vertical_rise_s ({t_v:g} s) or the target periapsis "
                f"({h_p:g} km)")
        raise PlanningError(
            f"propellant exhausted before reaching the {h_p:g} x {h_a:g} km orbit: "
            f"{thrust:g} N for {t_max:.0f} s is not enough; load more propellant, lower the "
            "target orbit or raise isp_s")
    res = np.asarray(fit.fun)
    if abs(res[0]) > 1e-3 or abs(res[1]) > 1e-3:  # 1 m, 1 mm/s
        raise ConvergenceError(
            f"ascent steering did not converge: altitude error {res[0] * 1e3:.3f} m, radial "
            f"velocity {res[1]:.4f} m/s at cut-off (A={fit.x[0]:.6g}, B={fit.x[1]:.6g} 1/s) "
            f"for T/W {thrust / weight_n:.3f} into {h_p:g} x {h_a:g} km; at low "
            "thrust-to-weight a low insertion may be out of reach: raise the target "
            "periapsis, thrust_n or vertical_rise_s")

    A, B = (float(x) for x in fit.x)
    t_bo = float(sol.t[-1])
    r, th, vr, vt = (float(sol.y[i, -1]) for i in range(4))
    m_bo = m0 - mdot * t_bo
    _exhaust_check("ascent", m0, m_bo, dry, isp, thrust)
    dv = c * math.log(m0 / m_bo)
    per, apo = _apses(r, vr, vt, mu)
    return AscentResult(
        dv_km_s=dv,
        integrated_dv_km_s=float(sol.y[4, -1]),
        duration_s=t_bo,
        downrange_km=radius * (th - omega_n * t_bo),
        propellant_kg=m0 - m_bo,
        final_mass_kg=m_bo,
        gravity_loss_km_s=dv - math.hypot(vr, vt - u_in),
        burnout_altitude_km=r - radius,
        burnout_speed_km_s=math.hypot(vr, vt),
        burnout_flight_path_angle_rad=math.atan2(vr, vt),
        periapsis_altitude_km=per - radius,
        apoapsis_altitude_km=apo - radius,
        liftoff_speed_km_s=u_in,
        initial_pitch_rad=math.atan(A),
        final_pitch_rad=math.atan(A - B * (t_bo - t_v)),
        pitch_tangent_rate_per_s=B,
    )
