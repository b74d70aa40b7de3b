"""cosmoplan: mission design for crewed rendezvous, lunar, Mars and cislunar missions.

The main job, from Python::

    import cosmoplan as cp
    tianhe = cp.read_tles("tianhe_48274_2021.tle")[1]
    plan = cp.plan_fast_rendezvous(tianhe, cp.sites.JIUQUAN, "2021-06-17")
    rich.print(plan.table()); plan.plot("out/")

or for a whole scenario file (what ``cosmoplan run`` does)::

    result = cp.run_scenario("shenzhou-12")

Units inside: km, km/s, s, rad; epochs are :class:`Epoch` objects with an explicit time
scale. See ``docs/architecture.md`` for the layers.
"""

from __future__ import annotations

from . import frames, rendezvous, sites
from .errors import (
    ConvergenceError,
    CosmoplanError,
    CosmoplanWarning,
    DataRangeError,
    DataRangeWarning,
    InputError,
    PlanningError,
    PropagationError,
    StaleDataWarning,
)
from .mission import RunResult, run_scenario
from .propagator import ForceModel, ImpulsiveManeuver, NumericalPropagator, Spacecraft
from .rendezvous import RendezvousConfig, TargetEphemeris, plan_fast_rendezvous
from .scenario import load_scenario
from .time import Epoch, epoch
from .tle import TLE, propagate_tles, read_tles, write_tles
from .trajectory import Trajectory

__version__ = "0.1.0"

__all__ = [
    "Epoch", "epoch", "Trajectory", "TLE", "read_tles", "write_tles", "propagate_tles",
    "NumericalPropagator", "ForceModel", "Spacecraft", "ImpulsiveManeuver",
    "plan_fast_rendezvous", "RendezvousConfig", "TargetEphemeris", "run_scenario",
    "RunResult", "load_scenario", "frames", "rendezvous", "sites",
    "CosmoplanError", "InputError", "ConvergenceError", "DataRangeError", "PropagationError",
    "PlanningError", "CosmoplanWarning", "DataRangeWarning", "StaleDataWarning",
]
