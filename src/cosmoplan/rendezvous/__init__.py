"""Rendezvous planning: launch windows, phasing, HCW targeting, the fast-rendezvous planner."""

from .hcw import hcw_propagate, hcw_stm, hcw_two_impulse
from .launch import LaunchOpportunity, launch_opportunities
from .plan import Burn, RendezvousPlan, TimelineEvent
from .planner import ApproachProfile, InsertionOrbit, RendezvousConfig, plan_fast_rendezvous
from .target import TargetEphemeris

__all__ = [
    "plan_fast_rendezvous", "RendezvousConfig", "InsertionOrbit", "ApproachProfile",
    "RendezvousPlan", "Burn", "TimelineEvent", "LaunchOpportunity", "launch_opportunities",
    "TargetEphemeris", "hcw_stm", "hcw_propagate", "hcw_two_impulse",
]
