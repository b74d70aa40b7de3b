"""Interplanetary transfers: Lambert's problem (Izzo 2015) and porkchop plots."""

from .lambert import LAMBERT_STATUS, LambertSolution, lambert, lambert_batch

__all__ = ["lambert", "lambert_batch", "LambertSolution", "LAMBERT_STATUS"]
