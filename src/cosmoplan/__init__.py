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

The names below are imported on first use (PEP 562), so ``import cosmoplan`` and the
command line start quickly.
"""

from __future__ import annotations

import importlib

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

__version__ = "0.1.0"

_LAZY = {
    "Epoch": ".time", "epoch": ".time", "Trajectory": ".trajectory",
    "TLE": ".tle", "read_tles": ".tle", "write_tles": ".tle", "propagate_tles": ".tle",
    "NumericalPropagator": ".propagator", "ForceModel": ".propagator",
    "Spacecraft": ".propagator", "ImpulsiveManeuver": ".propagator",
    "plan_fast_rendezvous": ".rendezvous", "RendezvousConfig": ".rendezvous",
    "TargetEphemeris": ".rendezvous", "run_scenario": ".mission", "RunResult": ".mission",
    "load_scenario": ".scenario",
}
_SUBMODULES = ("frames", "rendezvous", "sites", "states", "kepler", "time", "tle",
               "propagator", "ephemeris", "scenario", "mission", "ccsds", "report")

__all__ = sorted(_LAZY) + list(_SUBMODULES) + [
    "CosmoplanError", "InputError", "ConvergenceError", "DataRangeError", "PropagationError",
    "PlanningError", "CosmoplanWarning", "DataRangeWarning", "StaleDataWarning",
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'cosmoplan' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return __all__
