"""Design one libration-point orbit by its amplitude, as ``cosmoplan halo`` does.

The family (halo north/south about L1 or L2, from the Lyapunov bifurcation) is continued
until the lunar surface, and the member whose out-of-plane amplitude Az (the largest |z|
along the orbit, km) equals the request is found by a secant search on z0 between two
members, each trial corrected by single shooting. Az rises from the bifurcation to a
largest value and falls again towards the NRHOs; the first (classical halo) member with
the requested Az is returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .cr3bp import EARTH_MOON, libration_point, propagate
from .periodic import halo_family

__all__ = ["HaloDesign", "design_halo", "parse_length_km", "orbit_summary", "max_abs_z"]

_BRANCHES = {"north": "north", "northern": "north", "n": "north",
             "south": "south", "southern": "south", "s": "south"}


def parse_length_km(text, field="az", system=EARTH_MOON):
    """'13000km', '13000 km', '13e3', '0.0334LU' -> km (a bare number is km)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value, unit = float(text), "km"
    else:
        m = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(km|LU|lu)?\s*",
                         str(text))
        if m is None:
            raise InputError(f"{field} = {text!r}: expected a length such as 13000km or "
                             "0.0334LU", field=field, value=text)
        value, unit = float(m.group(1)), (m.group(2) or "km").lower()
    km = value * system.length_unit_km if unit == "lu" else value
    if not np.isfinite(km) or km <= 0:
        raise InputError(f"{field} = {text!r} must be a positive length", field=field,
                         value=text)
    return km


@dataclass(frozen=True)
class HaloDesign:
    """A designed halo orbit and the family it was taken from.

    Attributes
    ----------
    orbit : PeriodicOrbit
    family : Family
    lpoint : int
    branch : str  ('north' or 'south')
    az_km : float
    system : System
    """

    orbit: object
    family: object
    lpoint: int
    branch: str
    az_km: float
    system: object


def design_halo(lpoint="L2", branch="north", az="13000km", *, system=EARTH_MOON,
                n_members=120, step=1e-2):
    """The halo orbit about ``lpoint`` (1, 2 or 'L1', 'L2') with out-of-plane amplitude
    ``az`` (the largest |z| along the orbit: km, or text with km/LU), on the ``branch``
    ('north'/'northern' or 'south'; the sign of that largest excursion).

    Raises
    ------
    InputError
        An unknown libration point or branch; an amplitude outside the computed family (the
        message gives the family's range in km).
    ConvergenceError
        When the continuation or the correction fails (member and step named).
    """
    if isinstance(lpoint, str):
        text = lpoint.strip().upper()
        if not re.fullmatch(r"L?[1-5]", text):
            raise InputError(f"libration point {lpoint!r} does not exist; expected L1 or L2",
                             field="lpoint", value=lpoint)
        lpoint = int(text[-1])
    libration_point(lpoint, system.mu)  # 1..5 else InputError
    if lpoint not in (1, 2):
        raise InputError(f"halo orbits are designed about L1 or L2, not L{lpoint}",
                         field="lpoint", value=lpoint)
    key = str(branch).strip().lower()
    if key not in _BRANCHES:
        raise InputError(f"family {branch!r}: expected northern or southern", field="family",
                         value=branch)
    branch = _BRANCHES[key]
    az_km = parse_length_km(az, system=system)
    family = halo_family(lpoint, branch, n_members, step=step, mu=system.mu)
    target = az_km / system.length_unit_km
    amp = np.array([max_abs_z(family[k]) for k in range(len(family))])
    # Az grows from the bifurcation to a largest value, then falls again towards the
    # NRHOs: the first member with that Az (the classical halo) is taken
    top = int(np.argmax(amp))
    rising = amp[:top + 1]
    if not rising[0] <= target <= rising[-1]:
        raise InputError(f"Az = {az_km:.0f} km is outside the L{lpoint} {branch}ern halo "
                         f"family: Az (largest |z| along the orbit) from "
                         f"{rising[0] * system.length_unit_km:.0f} to "
                         f"{rising[-1] * system.length_unit_km:.0f} km", field="az", value=az)
    k = max(1, int(np.searchsorted(rising, target)))
    orbit = _orbit_with_az(family, k - 1, k, target)
    return HaloDesign(orbit, family, lpoint, branch, az_km, system)


def max_abs_z(orbit, samples=400):
    """Largest |z| along a periodic orbit (nondimensional), the amplitude Az analysts quote.

    For a halo the extremes of z lie on the xz-plane crossings (t = 0 and T/2, by the
    symmetry), taken exactly; the dense samples guard other shapes.
    """
    arc = orbit.propagate(dense=samples)
    half = propagate(orbit.state0, 0.5 * orbit.period, mu=orbit.mu).state_final
    return float(max(np.max(np.abs(arc.states[:, 2])), abs(orbit.state0[2]), abs(half[2])))


def _orbit_with_az(family, i, j, target, tol=1e-10):
    """The member between members i and j whose largest |z| equals ``target`` (secant on
    z0 with bisection safeguard, each trial corrected with z0 fixed)."""
    from .periodic import correct_symmetric

    za, zb = float(family.state0[i, 2]), float(family.state0[j, 2])
    fa = max_abs_z(family[i]) - target
    fb = max_abs_z(family[j]) - target
    guess_a, guess_b = family.state0[i].copy(), family.state0[j].copy()
    ta, tb = float(family.period[i]), float(family.period[j])
    orbit = family[j] if abs(fb) < abs(fa) else family[i]
    for _ in range(60):
        if abs(fb - fa) > 0:
            z = zb - fb * (zb - za) / (fb - fa)
        else:
            z = 0.5 * (za + zb)
        if not min(za, zb) <= z <= max(za, zb):
            z = 0.5 * (za + zb)
        w = (z - za) / (zb - za) if zb != za else 0.5
        guess = (1 - w) * guess_a + w * guess_b
        guess[2] = z
        orbit = correct_symmetric(guess, fix="z0", period_guess=(1 - w) * ta + w * tb,
                                  mu=family.mu, family=family.name,
                                  libration_point=family.libration_point)
        f = max_abs_z(orbit) - target
        if abs(f) < tol:
            break
        if np.sign(f) == np.sign(fa):
            za, fa, guess_a, ta = z, f, orbit.state0.copy(), orbit.period
        else:
            zb, fb, guess_b, tb = z, f, orbit.state0.copy(), orbit.period
    return orbit


def orbit_summary(orbit, system=EARTH_MOON):
    """Dict of the figures a mission analyst reads: amplitudes, period, Jacobi, stability,
    closest and farthest distance to the Moon (km), initial state (nondimensional and
    dimensional)."""
    arc = orbit.propagate(dense=2001)
    moon = np.array([1.0 - system.mu, 0.0, 0.0])
    d = np.linalg.norm(arc.states[:, :3] - moon, axis=1) * system.length_unit_km
    r_km = system.to_km(arc.states[:, :3])
    s0 = np.asarray(orbit.state0, dtype=float)
    return {
        "family": orbit.family,
        "libration_point": f"L{orbit.libration_point}",
        "az_km": float(max_abs_z(orbit) * system.length_unit_km),
        "z0_km": float(s0[2] * system.length_unit_km),
        "ax_km": float((r_km[:, 0].max() - r_km[:, 0].min()) / 2.0),
        "ay_km": float(r_km[:, 1].max()),
        "period_tu": float(orbit.period),
        "period_days": float(orbit.period_s(system) / 86400.0),
        "jacobi": float(orbit.jacobi),
        "stability_indices": [float(v) for v in orbit.stability_indices],
        "stable": bool(np.all(np.asarray(orbit.stability_indices) <= 1.0 + 1e-9)),
        "perilune_km": float(d.min()),
        "apolune_km": float(d.max()),
        "closure": float(orbit.closure),
        "state0": [float(v) for v in s0],
        "state0_km_km_s": [float(v) for v in system.state_to_km(s0)],
        "mu": float(system.mu),
        "length_unit_km": float(system.length_unit_km),
        "time_unit_s": float(system.time_unit_s),
    }


def ephemeris_oem(orbit, epoch, *, revolutions=4, name="HALO", object_id="UNKNOWN",
                  points_per_arc=16):
    """The orbit carried into the real Earth-Moon-Sun system at ``epoch`` as an OEM.

    The CR3BP orbit is corrected in the DE421 point-mass model by multiple shooting over
    ``revolutions`` revolutions (:func:`cosmoplan.cislunar.ephemeris_model.
    transition_to_ephemeris`), and the corrected trajectory is written Moon-centred with
    ICRF axes (CENTER_NAME = MOON, REF_FRAME = ICRF), epochs in UTC, Hermite interpolation.

    Returns
    -------
    (OEM, Transition)

    Raises
    ------
    InputError
        An epoch outside DE421 (1900-2050) or revolutions < 1; ConvergenceError from the
        correction.
    """
    from ..ccsds import OEM
    from ..time import Epoch
    from ..trajectory import Trajectory
    from .ephemeris_model import transition_to_ephemeris

    ep = Epoch.coerce(epoch, field="epoch")
    tr = transition_to_ephemeris(orbit.state0, orbit.period, ep, revolutions)
    t_s, states = tr.trajectory(points_per_arc=points_per_arc)
    epochs = ep.to("tdb") + t_s
    traj = Trajectory(epochs, states[:, :3], states[:, 3:], frame="GCRF", center="moon",
                      name=name)
    oem = OEM.from_trajectories(
        [traj], object_name=name, object_id=object_id, time_system="UTC",
        comments=[f"{orbit.family} (CR3BP Az {abs(orbit.state0[2]) * EARTH_MOON.length_unit_km:.0f}"
                  f" km, period {orbit.period:.10f} TU) corrected in the DE421 Moon-Earth-Sun "
                  f"point-mass model over {revolutions} revolutions by cosmoplan"],
        ref_frame="ICRF", center_name="MOON")
    return oem, tr
