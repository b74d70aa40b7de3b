"""Interplanetary transfers: Lambert's problem (Izzo 2015) and porkchop plots."""

from .bodies import PLANETS, Planet, get_planet
from .lambert import LAMBERT_STATUS, LambertSolution, lambert, lambert_batch
from .porkchop import CaptureOrbit, Porkchop, PorkchopPoint, porkchop, transfer

__all__ = ["lambert", "lambert_batch", "LambertSolution", "LAMBERT_STATUS", "porkchop",
           "transfer", "Porkchop", "PorkchopPoint", "CaptureOrbit", "Planet", "PLANETS",
           "get_planet"]
