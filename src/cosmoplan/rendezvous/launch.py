"""In-plane launch opportunities from a launch site into a target's orbital plane.

A launch vehicle flies (to first order) in the inertial plane that contains the launch
site at lift-off; to rendezvous without a costly plane change it must lift off when the
site, carried by the Earth's rotation, crosses the plane the chaser is to be inserted in.
That plane is the target's plane at the insertion epoch (lift-off + ascent duration),
rotated about the Earth's axis by a RAAN offset that pre-compensates the differential
nodal regression of the lower chaser orbit during phasing (Fehse 2003 §2.2.1; Vallado
2013 §6.4.2 "launch windows"). Each day the site crosses the plane twice when its
latitude is below the target's inclination (or its supplement, for retrograde
orbits): once with the launch heading north-east ("ascending": the insertion point lies
on the ascending half of the orbit) and once south-east ("descending").

Method: g(t) = s_hat(t) . h_hat'(t + T_ascent), the sine of the angle between the site
direction (GCRF, from ITRF with full EOP) and the offset target plane, sampled every
60 s over the day; each sign change is refined with Brent's method to 1 ms. The site
latitude enters through the geocentric site vector, so the ellipsoid is accounted for.
The target plane is its osculating plane where the chaser will be inserted (see
:func:`_plane_function`), so J2 short-period terms (0.02 deg in inclination, half a
minute of launch time for a near-tangent site such as Jiuquan for a 41.5 deg orbit)
do not bias the result.

Azimuths: the *inertial* launch azimuth is the azimuth of the in-plane direction of
motion h_hat x s_hat at the site; the *Earth-relative* azimuth, the heading the vehicle
actually flies, removes the site's rotational velocity for an insertion speed v
(Vallado 2013 eq. 6-20 form: tan(beta_rot) = (v sin(beta_i) - v_eq cos(lat)) /
(v cos(beta_i))).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ..constants import EARTH_ROTATION_RATE_RAD_S
from ..constants import EGM96_GM_KM3_S2 as _MU
from ..errors import PlanningError
from ..frames import enu_matrix
from ..time import Epoch

__all__ = ["LaunchOpportunity", "launch_opportunities", "argument_of_latitude",
           "plane_normal"]


@dataclass(frozen=True)
class LaunchOpportunity:
    """One in-plane launch time.

    Attributes
    ----------
    epoch : Epoch
        Lift-off (UTC).
    insertion_epoch : Epoch
        Lift-off + ascent duration.
    direction : {'ascending', 'descending'}
        Whether the launch heads north ('ascending') or south along the plane.
    inertial_azimuth : float
        Azimuth of the plane's direction of motion at the site, rad from north.
    launch_azimuth : float
        Earth-relative heading for the given insertion speed, rad from north.
    raan_offset : float
        RAAN offset of the insertion plane from the target's plane, rad.
    site_argument_of_latitude : float
        Argument of latitude of the site in the insertion plane at lift-off, rad.
    target_argument_of_latitude : float
        Argument of latitude of the target at the insertion epoch, rad.
    insertion_argument_of_latitude : float
        Argument of latitude of the chaser at insertion (site + ascent range angle), rad.
    phase_angle : float
        Target argument of latitude minus chaser's at insertion, wrapped to [0, 2 pi):
        how far the target is ahead, rad.
    """

    epoch: Epoch
    insertion_epoch: Epoch
    direction: str
    inertial_azimuth: float
    launch_azimuth: float
    raan_offset: float
    site_argument_of_latitude: float
    target_argument_of_latitude: float
    insertion_argument_of_latitude: float
    phase_angle: float


def plane_normal(r, v):
    """Unit orbit normal(s) h / |h| of GCRF states, shape (..., 3)."""
    h = np.cross(np.asarray(r, float), np.asarray(v, float))
    return h / np.linalg.norm(h, axis=-1, keepdims=True)


def _rotate_z(vec, angle):
    """Rotate vectors (..., 3) by ``angle`` (rad, broadcast) about the z axis."""
    c, s = np.cos(angle), np.sin(angle)
    out = np.array(vec, dtype=float, copy=True)
    out[..., 0] = c * vec[..., 0] - s * vec[..., 1]
    out[..., 1] = s * vec[..., 0] + c * vec[..., 1]
    return out


def argument_of_latitude(x, h_hat):
    """Angle (rad, [0, 2 pi)) from the ascending node to direction ``x`` in the plane h_hat.

    The node direction is z x h (GCRF z axis); x need not be a unit vector.
    """
    x = np.asarray(x, float)
    h_hat = np.asarray(h_hat, float)
    node = np.cross(np.array([0.0, 0.0, 1.0]), h_hat)
    node = node / np.linalg.norm(node, axis=-1, keepdims=True)
    y = np.cross(h_hat, node)
    return np.mod(np.arctan2(np.einsum("...i,...i->...", x, y),
                             np.einsum("...i,...i->...", x, node)), 2 * np.pi)


def launch_opportunities(target, site, day, *, ascent_duration_s=573.0, ascent_range=0.0,
                         raan_offset=0.0, insertion_speed_km_s=7.8, step_s=60.0):
    """In-plane launch times of one UTC day, from ``site`` into the target's plane.

    Parameters
    ----------
    target : TargetEphemeris
        The target (``target.states(epoch)`` gives GCRF states).
    site : GroundSite
        Launch site (WGS-84).
    day : Epoch or str
        Any instant of the UTC day searched (its 00:00 UTC to 24:00 UTC).
    ascent_duration_s : float
        Lift-off to orbit insertion, s.
    ascent_range : float
        Arc from the site to the insertion point along the plane, rad.
    raan_offset : float
        Insertion-plane RAAN minus target RAAN, rad (positive: east of the target plane).
    insertion_speed_km_s : float
        Speed at insertion, for the Earth-relative azimuth only.
    step_s : float
        Sampling step of the search, s (60 s resolves crossings 2 minutes apart).

    Returns
    -------
    list of LaunchOpportunity
        In time order.

    Raises
    ------
    PlanningError
        If the site never crosses the plane that day (its latitude exceeds the
        inclination); the message gives the smallest plane-to-site angle and when.
    """
    day = Epoch.coerce(day, "utc", field="launch.day").utc
    target.check_span(day)
    y, mo, d, *_ = day.calendar(0)
    start = Epoch.from_calendar(int(y), int(mo), int(d), 0, 0, 0.0, scale="utc")
    t_grid = np.arange(0.0, 86400.0 + step_s, step_s)
    g = _plane_function(target, site, start + t_grid, ascent_duration_s, ascent_range,
                        raan_offset)[0]

    def g_at(t):
        return float(_plane_function(target, site, start + np.array([t]), ascent_duration_s,
                                     ascent_range, raan_offset)[0][0])

    idx = np.nonzero(np.sign(g[:-1]) * np.sign(g[1:]) <= 0)[0]
    if idx.size == 0:
        k = int(np.argmin(np.abs(g)))
        lift = start + t_grid
        r_k, v_k = target.states(lift[k] + ascent_duration_s)
        inc = np.degrees(np.arccos(np.clip(plane_normal(r_k, v_k)[2], -1.0, 1.0)))
        reach = min(inc, 180.0 - inc)
        what = (f"the target's inclination ({inc:.3f} deg, osculating, GCRF)" if inc <= 90
                else f"the highest latitude of the target's retrograde orbit "
                     f"(180 - {inc:.3f} = {reach:.3f} deg)")
        raise PlanningError(
            f"no in-plane launch from {site.name} (latitude {site.lat_deg:.3f} deg) on "
            f"{start.iso(0)[:10]}: the site latitude exceeds {what}, so it never crosses "
            "the target plane. Smallest "
            f"plane-to-site angle of the day: {np.degrees(np.arcsin(abs(g[k]))):.3f} deg "
            f"at {lift[k].iso(0)}.")
    out = []
    seen = []
    for i in idx:
        if g[i] == 0.0:
            t_root = t_grid[i]
        elif g[i + 1] == 0.0:
            continue
        else:
            t_root = brentq(g_at, t_grid[i], t_grid[i + 1], xtol=1e-3, rtol=1e-12)
        if t_root >= 86400.0 or any(abs(t_root - s) < 1.0 for s in seen):
            continue
        seen.append(t_root)
        out.append(_describe(target, site, start + t_root, ascent_duration_s, ascent_range,
                             raan_offset, insertion_speed_km_s))
    return out


def _plane_function(target, site, lift, ascent_s, ascent_range, raan_offset):
    """g = s_hat . h_hat for lift-off epochs ``lift`` (array); also returns h_hat, s_g, r_ins.

    The target's osculating plane carries short-period J2 terms that depend on where the
    target is on its orbit (about 0.02 deg in inclination in LEO, enough to move a
    near-tangent launch time by half a minute). The chaser is inserted at another
    argument of latitude, so the plane used is the target's osculating plane at the
    moment the target passes the chaser's insertion point (insertion epoch minus phase
    angle / mean motion): both vehicles then carry the same short-period signature.
    """
    ins = lift + ascent_s
    r, v = target.states(ins)
    h = _rotate_z(plane_normal(r, v), raan_offset)
    s_g, _ = site.gcrf(lift)
    u_site = argument_of_latitude(s_g, h)
    u_tgt = argument_of_latitude(r, h)
    phase = np.mod(u_tgt - (u_site + ascent_range) + np.pi, 2 * np.pi) - np.pi
    rate = np.linalg.norm(np.cross(r, v), axis=-1) / np.einsum("...i,...i->...", r, r)
    lag = phase / rate
    r2, v2 = target.states(ins - lag)
    # carry that plane's node forward over the lag by the secular J2 regression
    from .phasing import secular_rates

    rr = np.linalg.norm(r, axis=-1)
    inc = np.arccos(np.clip(plane_normal(r, v)[..., 2], -1.0, 1.0))
    raan_dot = secular_rates(rr, 0.0, inc, _MU)[2]
    h = _rotate_z(plane_normal(r2, v2), raan_offset + raan_dot * lag)
    s_hat = s_g / np.linalg.norm(s_g, axis=-1, keepdims=True)
    return np.einsum("...i,...i->...", s_hat, h), h, s_g, r


def _describe(target, site, lift, ascent_s, ascent_range, raan_offset, v_ins):
    ins = lift + ascent_s
    _, h, s_g, r = _plane_function(target, site, lift.reshape(1), ascent_s, ascent_range,
                                   raan_offset)
    h, s_g, r = h[0], s_g[0], r[0]
    # Direction of motion in the plane at the site, and its local azimuth.
    motion = np.cross(h, s_g / np.linalg.norm(s_g))
    from ..frames import transform

    motion_itrf, _ = transform(motion, None, lift, "GCRF", "ITRF")
    enu = enu_matrix(site.lat, site.lon) @ motion_itrf
    az_i = float(np.mod(np.arctan2(enu[0], enu[1]), 2 * np.pi))
    direction = "ascending" if enu[1] > 0 else "descending"
    v_eq = EARTH_ROTATION_RATE_RAD_S * np.linalg.norm(s_g)
    az_r = float(np.mod(np.arctan2(v_ins * np.sin(az_i) - v_eq * np.cos(site.lat),
                                   v_ins * np.cos(az_i)), 2 * np.pi))
    u_site = float(argument_of_latitude(s_g, h))
    u_tgt = float(argument_of_latitude(r, h))  # target at the insertion epoch
    u_ins = float(np.mod(u_site + ascent_range, 2 * np.pi))
    return LaunchOpportunity(lift, ins, direction, az_i, az_r, float(raan_offset), u_site,
                             u_tgt, u_ins, float(np.mod(u_tgt - u_ins, 2 * np.pi)))
