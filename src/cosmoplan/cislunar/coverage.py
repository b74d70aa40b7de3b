"""Relay coverage of lunar surface sites in the Earth-Moon CR3BP.

Geometry in the rotating barycentric frame of :mod:`cosmoplan.cislunar.cr3bp` (Earth at
``-mu``, Moon at ``1 - mu``, nondimensional). A lunar surface site is placed with its
selenographic latitude and east longitude in the Moon's mean-Earth/polar-axis frame, which
the CR3BP idealises as fixed in the rotating frame: its x axis points to the mean Earth
(the rotating frame's -x as seen from the Moon), its z axis along the rotation axis (the
rotating frame's +z), so the y axis is the rotating frame's -y. Physical librations
(about +/-7.9 deg in longitude and +/-6.7 deg in latitude) and the 1.5 deg tilt of the
lunar equator are not modelled here: they move the sub-Earth point by that much, which
matters only for sites within about 8 deg of the limb (Von Kármán, at 177.6 E, is 87 deg
beyond it).

Links (each a line of sight with an elevation mask at the surface end):

* site -> relay: the relay's elevation above the site's horizon >= ``mask_deg``;
* relay -> Earth: the segment from the relay to the Earth's centre misses the Moon's
  sphere (radius plus ``grazing_km``);
* site -> Earth (direct to Earth): the Earth centre's elevation >= ``mask_deg``.

The horizon is the local horizontal plane of the sphere (flat horizon); terrain masks
belong to the site issue. Radii: the IAU mean lunar radius 1737.4 km (Archinal et al.
2018, Celest. Mech. Dyn. Astr. 130:22).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..surface.sites import SITES, LunarSite
from .cr3bp import EARTH_MOON

__all__ = ["LunarSite", "SITES", "site_position", "elevation", "LinkCoverage",
           "relay_coverage"]

from ..constants import MOON_RADIUS_KM  # noqa: E402  (IAU mean radius, Archinal 2018)


def site_position(site, system=EARTH_MOON):
    """Position and local vertical of ``site`` in the rotating frame.

    Returns
    -------
    r : ndarray, shape (3,)
        Site position, nondimensional, rotating barycentric frame.
    up : ndarray, shape (3,)
        Unit local vertical (outward normal of the sphere).
    """
    lat, lon = np.radians(site.lat_deg), np.radians(site.lon_deg)
    # mean-Earth frame: x to the Earth (rotating -x), y = rotating -y, z = rotating +z
    up = np.array([-np.cos(lat) * np.cos(lon), -np.cos(lat) * np.sin(lon), np.sin(lat)])
    radius = (MOON_RADIUS_KM + site.height_km) / system.length_unit_km
    moon = np.array([1.0 - system.mu, 0.0, 0.0])
    return moon + radius * up, up


def elevation(origin, up, target):
    """Elevation (rad) of ``target`` (..., 3) above the plane normal to ``up`` at ``origin``."""
    d = np.asarray(target, dtype=float) - np.asarray(origin, dtype=float)
    n = np.linalg.norm(d, axis=-1)
    return np.arcsin(np.clip(np.einsum("...i,i->...", d, up) / n, -1.0, 1.0))


def _segment_misses_sphere(a, b, centre, radius):
    """True where the segment a -> b (..., 3) stays outside the sphere (centre, radius)."""
    ab = b - a
    t = np.clip(np.einsum("...i,...i->...", centre - a, ab)
                / np.einsum("...i,...i->...", ab, ab), 0.0, 1.0)
    closest = a + t[..., None] * ab
    return np.linalg.norm(closest - centre, axis=-1) > radius


@dataclass(frozen=True)
class LinkCoverage:
    """Link availability of one site over sampled times.

    Attributes
    ----------
    t : ndarray, shape (N,)
        Times, TU (equally spaced).
    site_relay, relay_earth, end_to_end, direct_to_earth : ndarray of bool, shape (N,)
        Availability of each link at each time; ``end_to_end`` = site_relay & relay_earth.
    relay_elevation_deg, earth_elevation_deg : ndarray, shape (N,)
        Elevations seen from the site.
    """

    site: LunarSite
    mask_deg: float
    t: np.ndarray
    site_relay: np.ndarray
    relay_earth: np.ndarray
    end_to_end: np.ndarray
    direct_to_earth: np.ndarray
    relay_elevation_deg: np.ndarray
    earth_elevation_deg: np.ndarray

    def fraction(self, link="end_to_end"):
        """Fraction of the samples with ``link`` available (0..1)."""
        return float(np.mean(getattr(self, link)))

    def gaps(self, link="end_to_end"):
        """(start, stop) times (TU) of the intervals with ``link`` unavailable, at sample
        resolution; an interval open at the end of the span stops at the last sample."""
        ok = np.asarray(getattr(self, link), dtype=bool)
        down = ~ok
        edges = np.diff(down.astype(int))
        starts = list(np.flatnonzero(edges == 1) + 1)
        stops = list(np.flatnonzero(edges == -1) + 1)
        if down[0]:
            starts.insert(0, 0)
        if down[-1]:
            stops.append(len(down) - 1)
        return [(float(self.t[a]), float(self.t[b])) for a, b in zip(starts, stops)]

    def longest_gap(self, link="end_to_end"):
        """Longest unavailability (TU), 0 if the link is always available."""
        return max((b - a for a, b in self.gaps(link)), default=0.0)


def relay_coverage(t, relay_states, site, *, mask_deg=10.0, grazing_km=0.0,
                   system=EARTH_MOON):
    """Link availability between a lunar site, a relay and the Earth.

    Parameters
    ----------
    t : array_like, shape (N,)
        Sample times, TU.
    relay_states : array_like, shape (N, 6) or (N, 3)
        Relay states (positions used), nondimensional rotating frame.
    site : LunarSite or str
        A site, or the key of a bundled one (:data:`SITES`).
    mask_deg : float
        Elevation mask at the site, degrees (0..90).
    grazing_km : float
        Clearance above the lunar sphere a relay -> Earth ray needs, km.

    Returns
    -------
    LinkCoverage

    Raises
    ------
    InputError
        Unknown site name, shapes that do not match, a mask outside 0..90 deg.
    """
    if isinstance(site, str):
        if site not in SITES:
            raise InputError(f"unknown lunar site {site!r}; bundled: {', '.join(SITES)}",
                             field="site", value=site)
        site = SITES[site]
    if not isinstance(site, LunarSite):
        raise InputError(f"site must be a LunarSite or a bundled name, got "
                         f"{type(site).__name__}", field="site")
    if not 0.0 <= float(mask_deg) <= 90.0:
        raise InputError(f"mask_deg = {mask_deg} must be in 0..90", field="mask_deg",
                         value=mask_deg)
    t = np.asarray(t, dtype=float)
    rs = np.asarray(relay_states, dtype=float)
    if rs.ndim != 2 or rs.shape[1] not in (3, 6) or rs.shape[0] != t.shape[0]:
        raise InputError(f"relay_states must have shape (N, 6) or (N, 3) with N = len(t) = "
                         f"{t.shape[0]}; got {rs.shape}", field="relay_states")
    if not (np.all(np.isfinite(rs)) and np.all(np.isfinite(t))):
        raise InputError("relay_states and t must be finite", field="relay_states")
    relay = rs[:, :3]
    r_site, up = site_position(site, system)
    earth = np.array([-system.mu, 0.0, 0.0])
    moon = np.array([1.0 - system.mu, 0.0, 0.0])
    mask = np.radians(float(mask_deg))
    el_relay = elevation(r_site, up, relay)
    el_earth = float(elevation(r_site, up, earth))
    site_relay = el_relay >= mask
    moon_r = (MOON_RADIUS_KM + float(grazing_km)) / system.length_unit_km
    relay_earth = _segment_misses_sphere(relay, np.broadcast_to(earth, relay.shape), moon,
                                         moon_r)
    direct = np.full(t.shape, el_earth >= mask)
    return LinkCoverage(site, float(mask_deg), t, site_relay, relay_earth,
                        site_relay & relay_earth, direct,
                        np.degrees(el_relay), np.full(t.shape, np.degrees(el_earth)))
