"""cosmoplan: mission design for rendezvous, lunar, Mars and cislunar missions."""

from __future__ import annotations

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
from .time import Epoch, epoch
from .trajectory import Trajectory

__version__ = "0.1.0"

__all__ = [
    "Epoch",
    "epoch",
    "Trajectory",
    "CosmoplanError",
    "InputError",
    "ConvergenceError",
    "DataRangeError",
    "PropagationError",
    "PlanningError",
    "CosmoplanWarning",
    "DataRangeWarning",
    "StaleDataWarning",
]
