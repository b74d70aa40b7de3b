"""Cislunar mission design: the Earth-Moon circular restricted three-body problem (CR3BP)
and its libration-point orbits (Lyapunov, halo, vertical, DRO, NRHO), their transition to the
DE421 ephemeris model, and relay coverage of lunar sites.

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
           "vertical_family", "find_bifurcations", "design_halo"]
