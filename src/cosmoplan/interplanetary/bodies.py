"""Planets for interplanetary design: ephemeris codes, GM and radius, with their sources.

GM values: JPL Solar System Dynamics, "Planetary Physical Parameters" (GM of the planet
itself, from the DE440 fit; Park et al. 2021, AJ 161:105), km^3/s^2. Radii: IAU WG on
Cartographic Coordinates and Rotational Elements 2015 (Archinal et al. 2018, Celest.
Mech. Dyn. Astr. 130:22), equatorial, km. The Sun's GM is DE421's (Folkner et al. 2008),
consistent with the bundled ephemeris (the difference to DE440's is 1e-9 relative).

Positions come from the bundled DE421 (:mod:`cosmoplan.ephemeris`): the planet's centre
where DE421 carries it (Mercury, Venus, Earth, Mars), else its system barycentre
(Jupiter and beyond; the planet's centre is within ~1,000 km of it, 1e-6 of the
heliocentric distance, below what a porkchop resolves).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..constants import SUN_GM_KM3_S2
from ..errors import InputError

__all__ = ["Planet", "PLANETS", "get_planet", "SUN_GM_KM3_S2"]


@dataclass(frozen=True)
class Planet:
    """A planet as the porkchop sees it.

    Attributes
    ----------
    name : str
    naif : int
        NAIF code of the point the ephemeris gives (centre or system barycentre).
    point : str
        'centre' or 'system barycentre' (which one ``naif`` is).
    gm : float
        Gravitational parameter of the planet, km^3/s^2.
    radius : float
        Equatorial radius, km.
    """

    name: str
    naif: int
    point: str
    gm: float
    radius: float


PLANETS = {
    "mercury": Planet("Mercury", 199, "centre", 22031.868551, 2440.53),
    "venus": Planet("Venus", 299, "centre", 324858.592, 6051.8),
    "earth": Planet("Earth", 399, "centre", 398600.435507, 6378.137),
    "mars": Planet("Mars", 499, "centre", 42828.375816, 3396.19),
    "jupiter": Planet("Jupiter", 5, "system barycentre", 126686531.9, 71492.0),
    "saturn": Planet("Saturn", 6, "system barycentre", 37931206.234, 60268.0),
    "uranus": Planet("Uranus", 7, "system barycentre", 5793951.256, 25559.0),
    "neptune": Planet("Neptune", 8, "system barycentre", 6835099.97, 24764.0),
}


def get_planet(name, field="body"):
    """The :class:`Planet` called ``name`` (case-insensitive), or InputError listing them."""
    key = str(name).strip().lower()
    if key not in PLANETS:
        raise InputError(f"unknown body {name!r}; the bundled ephemeris (DE421) gives "
                         f"{', '.join(PLANETS)}", field=field, value=name)
    return PLANETS[key]
