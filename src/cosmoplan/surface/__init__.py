"""Lunar surface site analysis: illumination, Earth visibility, horizon masks.

Modules: :mod:`~cosmoplan.surface.sites` (bundled candidate sites near the south pole),
:mod:`~cosmoplan.surface.horizon` (flat, CSV and DEM horizons).
"""
