"""A lunar relay study: a halo orbit in the real Earth-Moon-Sun system and what it links.

``relay_study`` designs the halo (:func:`cosmoplan.cislunar.design.design_halo`), carries
it into the DE421 Moon-Earth-Sun point-mass model at the epoch for as many revolutions as
the span needs (:func:`cosmoplan.cislunar.ephemeris_model.transition_to_ephemeris`),
samples the corrected trajectory, and evaluates for each lunar site:

* site -> relay and relay -> Earth lines of sight and their combination (the end-to-end
  link), in the pulsating Earth-Moon frame of the real Moon (lunar sites fixed in it: the
  mean-Earth frame without physical librations, :mod:`cosmoplan.cislunar.coverage`);
* the direct-to-Earth line of sight of the site;
* and, when ground networks are given, the relay's visibility from their stations
  (:mod:`cosmoplan.access`): the end-to-end link through a station.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from .coverage import relay_coverage
from .design import design_halo, ephemeris_oem

__all__ = ["RelayStudy", "relay_study"]


@dataclass
class RelayStudy:
    """Results of :func:`relay_study`.

    Attributes
    ----------
    design : HaloDesign
    oem : OEM
        The corrected relay trajectory (Moon-centred ICRF, UTC).
    epochs : Epoch, shape (N,)
        Sample epochs (TDB).
    relay_gcrf_km : ndarray, shape (N, 3)
        Relay positions, Earth-centred GCRF, km.
    coverage : dict of str -> LinkCoverage
        Per site (by name), in the pulsating frame (times in TU of the ephemeris clock).
    ground : dict
        Per station: fraction of the time the relay is above its mask; '_network' the
        fraction at least one station sees it; '_end_to_end' per site: site -> relay ->
        a station.
    max_deviation_km : float
        Largest distance of the corrected trajectory from the CR3BP orbit mapped to the
        same epochs, km.
    max_path_distance_km : float
        Largest distance from the CR3BP orbit's path in the pulsating frame, km
        (:meth:`~cosmoplan.cislunar.ephemeris_model.Transition.distance_to_orbit`).
    """

    design: object
    oem: object
    epochs: object
    relay_gcrf_km: np.ndarray
    coverage: dict
    ground: dict = field(default_factory=dict)
    max_deviation_km: float = float("nan")
    step_s: float = 600.0
    max_path_distance_km: float = float("nan")


def relay_study(lpoint, branch, az, epoch, sites, *, days=30.0, step_minutes=10.0,
                mask_deg=10.0, stations=(), station_mask_deg=10.0, progress=None):
    """Design a relay halo and evaluate its links over ``days`` from ``epoch``.

    Parameters
    ----------
    lpoint, branch, az
        As :func:`cosmoplan.cislunar.design.design_halo` (e.g. 'L2', 'southern', 13000 km).
    epoch : Epoch or ISO text (UTC)
        Start of the study and of the orbit's insertion.
    sites : sequence of LunarSite or bundled site names
    days : float
        Span, days (0 < days <= 365).
    step_minutes : float
        Sampling step, minutes.
    mask_deg : float or sequence of float
        Elevation mask at the lunar sites, degrees (one for all, or one per site).
    stations : sequence of cosmoplan.access.GroundStation
        Ground stations for the Earth end (empty: the Earth's centre only).
    station_mask_deg : float
        Elevation mask of the stations, degrees.
    progress : callable, optional
        ``progress(stage, fraction)``.

    Returns
    -------
    RelayStudy

    Raises
    ------
    InputError
        Bad span, step, mask or site; an epoch outside DE421; the design's errors.
    ConvergenceError
        When the halo or its ephemeris correction does not converge.
    """
    from ..ephemeris import moon_position_gcrf
    from ..time import Epoch
    from .ephemeris_model import EPHEMERIS_SYSTEM, inertial_to_rotating

    if not (isinstance(days, (int, float)) and 0 < days <= 365):
        raise InputError(f"days = {days!r} must be in (0, 365]", field="days", value=days)
    if not (isinstance(step_minutes, (int, float)) and 0.5 <= step_minutes <= 240):
        raise InputError(f"step_minutes = {step_minutes!r} must be in [0.5, 240]",
                         field="step_minutes", value=step_minutes)
    n_samples = int(days * 1440.0 / step_minutes) + 1
    if n_samples < 3:
        raise InputError(f"days = {days!r} with step_minutes = {step_minutes!r} gives "
                         f"{n_samples} samples; the span needs at least two steps",
                         field="days", value=days)
    if n_samples > 200_000:
        raise InputError(f"{n_samples:,} samples (days = {days!r}, step_minutes = "
                         f"{step_minutes!r}); at most 200,000: use a longer step",
                         field="step_minutes", value=step_minutes)
    ep = Epoch.coerce(epoch, field="epoch")
    say = progress or (lambda stage, fraction: None)
    say("designing the halo family", 0.05)
    design = design_halo(lpoint, branch, az)
    period_days = design.orbit.period_s(design.system) / 86400.0
    revolutions = max(1, math.ceil(days / period_days * 1.03) + 1)
    say(f"correcting {revolutions} revolutions in the ephemeris model", 0.3)
    oem, transition = ephemeris_oem(design.orbit, ep, revolutions=revolutions,
                                    name=f"RELAY L{design.lpoint}")
    t_s, states = transition.trajectory()
    ref = transition.reference(t_s)
    deviation = float(np.max(np.linalg.norm(states[:, :3] - ref[:, :3], axis=1)))
    path = float(np.max(transition.distance_to_orbit()))
    seg = oem.segments[0]
    step_s = float(step_minutes) * 60.0
    t = np.arange(0.0, float(days) * 86400.0 + 0.5 * step_s, step_s)
    epochs = ep.to("utc") + t
    say("sampling the relay trajectory", 0.6)
    r, v = seg.interpolate(epochs)
    tdb = epochs.to("tdb")
    t_tu, rot = inertial_to_rotating(np.hstack([r, v]), tdb, ep)
    masks = list(mask_deg) if isinstance(mask_deg, (list, tuple)) else [mask_deg] * len(sites)
    if len(masks) != len(sites):
        raise InputError(f"{len(masks)} masks for {len(sites)} sites", field="mask_deg",
                         value=mask_deg)
    coverage = {}
    for site, mask in zip(sites, masks):
        cov = relay_coverage(t_tu, rot, site, mask_deg=mask, system=EPHEMERIS_SYSTEM)
        coverage[cov.site.name] = cov
    relay_gcrf = moon_position_gcrf(tdb) + r
    ground = {}
    if stations:
        say("relay visibility from the ground stations", 0.8)
        from ..access import elevation_series

        seen = np.zeros(t.shape, dtype=bool)
        for st in stations:
            el = elevation_series(st, epochs, relay_gcrf)  # degrees
            ok = el >= station_mask_deg
            ground[st.name] = float(np.mean(ok))
            seen |= ok
        ground["_network"] = float(np.mean(seen))
        ground["_end_to_end"] = {name: float(np.mean(cov.site_relay & seen))
                                 for name, cov in coverage.items()}
        ground["_seen"] = seen
    say("done", 1.0)
    return RelayStudy(design, oem, epochs, relay_gcrf, coverage, ground, deviation, step_s,
                      path)

