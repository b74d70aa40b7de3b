"""Registered values of REF_FRAME, CENTER_NAME and local-frame keywords (SANA registries).

CCSDS 502.0-B-3 §3.2.3/§4.2.3/§5.2.3 (and 508.0-B-1 table 3-3) take REF_FRAME and
CENTER_NAME values from the SANA registries (https://sanaregistry.org/r/celestial_body_reference_frames,
/r/orbit_centers) or from an interface control document agreed between the parties. A
strict reader (the default) accepts only registered names, so a misspelt or private frame is
caught at the partner boundary rather than deep inside a conversion; ``strict=False`` accepts
any text (for names agreed in an ICD, or a spacecraft as the centre).
"""

from __future__ import annotations

import contextlib
import contextvars
import re

__all__ = ["CELESTIAL_FRAMES", "LOCAL_FRAMES", "CENTERS", "strict_names", "check_name", "is_strict"]

# Celestial-body reference frames: the SANA registry and 502.0-B-3 Annex B, plus the
# frame names the reference tools (Orekit, GMAT, STK) write: J2000 (= EME2000), CIRF/TIRF,
# the dated ITRF realisations, GTOD, MOD, EFG (Earth-fixed Greenwich, older ODMs), ECLIPJ2000.
_ITRF_YEARS = ("88", "89", "90", "91", "92", "93", "94", "96", "97", "2000", "2005", "2008",
               "2014", "2020")
CELESTIAL_FRAMES = frozenset(
    ["EME2000", "J2000", "GCRF", "ICRF", "ICRF1", "ICRF2", "ICRF3", "MOD", "TOD", "GTOD",
     "TDR", "GRC", "TEME", "CIRF", "CIRS", "TIRF", "TIRS", "ITRF", "EFG", "MCI",
     "ECLIPJ2000", "MOON_PA", "MOON_ME", "B1950"]
    + [f"ITRF{y}" for y in _ITRF_YEARS]
    + [f"ITRF19{y}" for y in _ITRF_YEARS if len(y) == 2]
    + [f"ITRF-{y}" for y in _ITRF_YEARS]
)

# Local orbital frames (covariance, manoeuvre, screening volume): 502.0-B-3 table 3-3 note,
# SANA "orbit_relevant_reference_frames", 508.0-B-1.
LOCAL_FRAMES = frozenset(
    ["RTN", "RSW", "RIC", "QSW", "TNW", "NTW", "VNC", "LVLH", "TVN", "UVW",
     "RSW_ROTATING", "RSW_INERTIAL", "RTN_ROTATING", "RTN_INERTIAL", "TNW_ROTATING",
     "TNW_INERTIAL", "QSW_ROTATING", "QSW_INERTIAL", "LVLH_ROTATING", "LVLH_INERTIAL",
     "VNC_ROTATING", "VNC_INERTIAL", "NTW_ROTATING", "NTW_INERTIAL"]
)

_BODIES = ("SUN", "MERCURY", "VENUS", "EARTH", "MOON", "MARS", "PHOBOS", "DEIMOS", "JUPITER",
           "IO", "EUROPA", "GANYMEDE", "CALLISTO", "SATURN", "TITAN", "ENCELADUS", "URANUS",
           "NEPTUNE", "TRITON", "PLUTO", "CHARON", "CERES", "VESTA")
_PLANETS = ("MERCURY", "VENUS", "EARTH", "MARS", "JUPITER", "SATURN", "URANUS", "NEPTUNE",
            "PLUTO")
# Orbit centres: natural bodies, planetary-system barycentres and the solar-system
# barycentre under the names the SANA registry and the reference tools use.
CENTERS = frozenset(
    list(_BODIES) + [f"{p} BARYCENTER" for p in _PLANETS]
    + ["SOLAR SYSTEM BARYCENTER", "SSB", "EMB", "EARTH MOON BARYCENTER",
       "EARTH-MOON BARYCENTER", "EARTH MOON", "EARTH-MOON"]
)

_KINDS = {"frame": (CELESTIAL_FRAMES, "a celestial reference frame of the SANA registry"),
          "local": (LOCAL_FRAMES | CELESTIAL_FRAMES,
                    "a SANA reference frame or local orbital frame (RTN, TNW, ...)"),
          "center": (CENTERS, "a solar-system body or barycenter of the SANA registry")}

_STRICT = contextvars.ContextVar("cosmoplan_ccsds_strict", default=True)
_BLANKS = re.compile(r"\s+")


@contextlib.contextmanager
def strict_names(strict):
    """Within the block, registry checks of frame and centre names are on (True) or off."""
    token = _STRICT.set(bool(strict))
    try:
        yield
    finally:
        _STRICT.reset(token)


def is_strict():
    """Whether names and units are checked strictly in the current context."""
    return _STRICT.get()


def normalise(value):
    """Upper case, runs of blanks as one blank (how names are compared)."""
    return _BLANKS.sub(" ", value.strip().upper())


def check_name(value, kind):
    """``value`` if it is a registered name of ``kind`` (or the check is off); ValueError."""
    if not _STRICT.get():
        return value
    names, what = _KINDS[kind]
    if normalise(value) in names:
        return value
    examples = {"frame": "EME2000, GCRF, ICRF, ITRF2014, TEME, TOD",
                "local": "RTN, TNW, EME2000, GCRF",
                "center": "EARTH, MOON, MARS BARYCENTER, SSB"}[kind]
    raise ValueError(f"{value!r} is not {what} (e.g. {examples}); a name agreed by interface "
                     "control document is read with strict=False (cosmoplan ccsds check "
                     "--lenient)")
