"""Cislunar mission design: the Earth-Moon circular restricted three-body problem (CR3BP)
and its libration-point orbits (Lyapunov, halo, vertical, DRO, NRHO), their transition to the
DE421 ephemeris model, and relay coverage of lunar sites; lunar missions in the full
ephemeris model (:mod:`.dynamics`): trans-lunar targeting (:mod:`.translunar`), descent and
ascent (:mod:`.landing`), lunar-orbit rendezvous (:mod:`.lunar_rendezvous`), the return to
an Earth entry interface (:mod:`.earth_return`) and a whole sample return
(:mod:`.sample_return`).

States are nondimensional in the rotating barycentric frame (:mod:`.cr3bp`);
:class:`System` converts to km, km/s and s.
"""

from .cr3bp import (
    EARTH_MOON,
    JPL_EARTH_MOON,
    MU_EARTH_MOON,
    Arc,
    Crossing,
    Stability,
    System,
    jacobi,
    libration_point,
    libration_points,
    propagate,
    propagate_to_crossing,
    stability,
)
from .design import design_halo
from .dynamics import CislunarForceModel, change_centre, fly, lunar_elements
from .periodic import (
    Family,
    PeriodicOrbit,
    continue_family,
    correct_multiple_shooting,
    correct_symmetric,
    dro_family,
    find_bifurcations,
    find_halo_bifurcation,
    halo_family,
    lyapunov_family,
    nrho_9_2,
    vertical_family,
)

__all__ = ["System", "EARTH_MOON", "MU_EARTH_MOON", "propagate", "propagate_to_crossing",
           "Arc", "Crossing", "jacobi", "libration_point", "libration_points", "stability",
           "Stability", "PeriodicOrbit", "Family", "correct_symmetric",
           "correct_multiple_shooting", "continue_family", "lyapunov_family", "halo_family",
           "find_halo_bifurcation", "nrho_9_2", "JPL_EARTH_MOON", "dro_family",
           "vertical_family", "find_bifurcations", "design_halo", "CislunarForceModel",
           "change_centre", "fly", "lunar_elements", "plan_sample_return",
           "SampleReturnConfig", "MissionTimeline"]


def __getattr__(name):
    # the sample-return planner on first use (it pulls in the whole mission chain)
    if name in ("plan_sample_return", "SampleReturnConfig", "MissionTimeline"):
        from . import sample_return

        return getattr(sample_return, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
