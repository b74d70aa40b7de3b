"""Lunar surface sites: illumination, Earth visibility, horizons and partner contacts.

Modules: :mod:`~cosmoplan.surface.sites` (bundled candidate sites near the south pole,
with sources), :mod:`~cosmoplan.surface.horizon` (flat, CSV and DEM horizons),
:mod:`~cosmoplan.surface.analysis` (Sun and Earth over the horizon, events, statistics),
:mod:`~cosmoplan.surface.study` (several sites and ground networks compared). See
docs/surface.md.
"""

from .analysis import Interval, SiteAnalysis, SurfaceEvent, analyze_site, disk_fraction
from .horizon import Horizon, dip_for_height
from .sites import LunarSite, load_sites, lunar_site
from .study import SiteStudy, site_study

__all__ = ["analyze_site", "SiteAnalysis", "Interval", "SurfaceEvent", "disk_fraction",
           "Horizon", "dip_for_height", "LunarSite", "load_sites", "lunar_site",
           "SiteStudy", "site_study"]
