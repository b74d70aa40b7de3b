"""Lunar surface sites, and the bundled candidate sites near the lunar south pole.

A :class:`LunarSite` is a point on the Moon given by its selenographic latitude and east
longitude (degrees) in the Moon's mean-Earth/polar-axis (ME) frame and its height above
the IAU mean sphere of radius 1737.4 km (Archinal et al. 2018, Celest. Mech. Dyn. Astr.
130:22). Each site carries where its coordinates come from (``source``) and how precise
they are (``note``).

The bundled sites live in ``data/lunar_sites.json`` (one object per site: ``key``,
``name``, ``lat_deg``, ``lon_deg``, ``height_km``, ``source``, ``note``), read once by
:func:`load_sites` and looked up by key or display name with :func:`lunar_site`. They are
candidate landing regions near the south pole (NASA's 2022 Artemis III candidate regions,
the most illuminated points of Bussey et al. 2010) and the Chang'e-4 landing site on the
far side, kept for the relay scenarios. Every coordinate is quoted from the source named in
its entry; entries that are a region's or crater's centre rather than a landing point say
so in ``note``, with the precision.

Example
-------
>>> from cosmoplan.surface.sites import lunar_site
>>> s = lunar_site("Shackleton rim")
>>> s.key, s.lat_deg, s.lon_deg
('shackleton-rim', -88.74, 124.5)
"""

from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import InputError

__all__ = ["LunarSite", "SITES", "load_sites", "lunar_site"]

_NUMERIC_LIMITS = (("lat_deg", -90.0, 90.0), ("lon_deg", -360.0, 360.0),
                   ("height_km", -20.0, 100.0))
_ENTRY_FIELDS = ("key", "name", "lat_deg", "lon_deg", "height_km", "source", "note")
_KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATA_FILE = "lunar_sites.json"


def _fold(text):
    """Case-folded text without accents (NFKD, combining marks dropped)."""
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _lookup_key(name):
    """Lookup key: case, accents, spaces, '-' and '_' ignored ('Shackleton rim' ==
    'SHACKLETON-RIM' == 'shackleton_rim')."""
    return re.sub(r"[\s_\-]", "", _fold(name))


def _slug(name):
    """Default site key derived from a name: 'Von Kármán crater' -> 'von-karman-crater'."""
    words = re.findall(r"[^\W_]+", _fold(name).replace("'", ""))
    return "-".join(words) or str(name).strip()


@dataclass(frozen=True)
class LunarSite:
    """A lunar surface site.

    Attributes
    ----------
    name : str
        Display name (non-empty).
    lat_deg : float
        Selenographic latitude, degrees, in [-90, 90] (mean-Earth/polar-axis frame).
    lon_deg : float
        East longitude, degrees, in [-360, 360], kept as given (see :attr:`lon_east_deg`
        for the value normalised to [-180, 180)).
    height_km : float
        Height above the IAU mean sphere (radius 1737.4 km), km, in [-20, 100].
    source : str
        Where the coordinates come from (paper, DOI or URL).
    key : str or None
        Short identifier (e.g. ``'shackleton-rim'``); default derived from ``name``
        (lower case, accents dropped, words joined by '-').
    note : str
        Precision and meaning of the coordinates (e.g. "crater centre, to 0.5 deg").

    Raises
    ------
    InputError
        A coordinate that is not a finite real number (bool refused) in its range, or an
        empty name; ``field`` names the attribute, ``value`` holds what was given.
    """

    name: str
    lat_deg: float
    lon_deg: float
    height_km: float = 0.0
    source: str = ""
    key: str | None = None
    note: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"a lunar site needs a non-empty name, got {self.name!r}",
                             field="name", value=self.name)
        for fld, lo, hi in _NUMERIC_LIMITS:
            value = getattr(self, fld)
            if isinstance(value, np.ndarray) and value.ndim == 0:  # a 0-d array is a number
                value = value[()]
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer,
                                                                 np.floating)) \
                    or not math.isfinite(value) or not lo <= value <= hi:
                raise InputError(f"site {self.name!r}: {fld} = {value!r} must be a number "
                                 f"in [{lo}, {hi}]", field=fld, value=value)
            object.__setattr__(self, fld, float(value))
        for fld in ("source", "note"):
            value = getattr(self, fld)
            if not isinstance(value, str):
                raise InputError(f"site {self.name!r}: {fld} must be text, got "
                                 f"{type(value).__name__}", field=fld, value=value)
        if self.key is None:
            object.__setattr__(self, "key", _slug(self.name))
        elif not isinstance(self.key, str) or not self.key.strip():
            raise InputError(f"site {self.name!r}: key must be non-empty text, got "
                             f"{self.key!r}", field="key", value=self.key)

    @property
    def lon_east_deg(self):
        """East longitude normalised to [-180, 180), degrees."""
        return (self.lon_deg + 180.0) % 360.0 - 180.0

    def label(self):
        """Display text, e.g. ``'Shackleton rim (88.74°S, 124.50°E)'``."""
        lon = self.lon_east_deg
        return (f"{self.name} ({abs(self.lat_deg):.2f}°{'S' if self.lat_deg < 0 else 'N'}, "
                f"{abs(lon):.2f}°{'W' if lon < 0 else 'E'})")


# ------------------------------------------------------------------------------ loading
def _json_line(text, key):
    """1-based line of ``"key": "<key>"`` in a JSON text (None if not found)."""
    if not isinstance(key, str):
        return None
    m = re.search(r'"key"\s*:\s*' + re.escape(json.dumps(key)), text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _site_from_entry(entry, index, source, text):
    """LunarSite from one JSON object; InputError names the file, entry, field and value."""
    where = f"sites[{index}]"
    if not isinstance(entry, dict):
        raise InputError(f"{where} must be an object with keys {', '.join(_ENTRY_FIELDS)}, "
                         f"got {type(entry).__name__} {entry!r}", source=source, field=where,
                         value=entry)
    key = entry.get("key")
    who = f"{where} ({key!r})" if isinstance(key, str) else where
    line = _json_line(text, key)
    unknown = sorted(set(entry) - set(_ENTRY_FIELDS))
    if unknown:
        raise InputError(f"{who}: unknown field {unknown[0]!r} = {entry[unknown[0]]!r}; "
                         f"known fields: {', '.join(_ENTRY_FIELDS)}", source=source, line=line,
                         field=f"{where}.{unknown[0]}", value=entry[unknown[0]])
    for fld in _ENTRY_FIELDS:
        if fld not in entry:
            raise InputError(f"{who}: missing field {fld!r} (required: "
                             f"{', '.join(_ENTRY_FIELDS)})", source=source, line=line,
                             field=f"{where}.{fld}")
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise InputError(f"{who}: field 'key' = {key!r} must be lower-case words joined by "
                         "'-' (e.g. 'shackleton-rim')", source=source, line=line,
                         field=f"{where}.key", value=key)
    for fld in ("name", "source"):
        value = entry[fld]
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{who}: field {fld!r} = {value!r} must be non-empty text",
                             source=source, line=line, field=f"{where}.{fld}", value=value)
    if not isinstance(entry["note"], str):
        raise InputError(f"{who}: field 'note' = {entry['note']!r} must be text",
                         source=source, line=line, field=f"{where}.note", value=entry["note"])
    try:
        return LunarSite(**entry)
    except InputError as exc:
        raise InputError(f"{who}: field {exc.field!r} = {exc.value!r}: {exc}", source=source,
                         line=line, field=f"{where}.{exc.field}", value=exc.value) from None


def _load(path):
    """Sites of a lunar-sites JSON file, ``{key: LunarSite}`` in file order.

    Parameters
    ----------
    path : str or os.PathLike
        A file in the format of the bundled ``data/lunar_sites.json``: an object with a
        ``"sites"`` list of objects with exactly the fields ``key, name, lat_deg, lon_deg,
        height_km, source, note``.

    Raises
    ------
    InputError
        Unreadable or malformed file, a bad entry (message and ``field`` name the entry
        index, its key and the field; ``value`` holds the value; ``line`` the line of its
        key), or two sites whose keys or names collide (case, accents, spaces, '-', '_'
        ignored).
    """
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read lunar sites: {exc}", source=source) from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno})", source=source,
                         line=exc.lineno) from None
    if not isinstance(obj, dict) or not isinstance(obj.get("sites"), list):
        raise InputError("expected an object with a 'sites' list", source=source,
                         field="sites", value=type(obj).__name__)
    sites = {}
    owner = {}  # lookup key of every key and name -> the key of the site that has it
    for index, entry in enumerate(obj["sites"]):
        site = _site_from_entry(entry, index, source, text)
        line = _json_line(text, site.key)
        for fld in ("key", "name"):
            value = getattr(site, fld)
            k = _lookup_key(value)
            if k in owner and owner[k] != site.key or (fld == "key" and site.key in sites):
                raise InputError(f"sites[{index}] ({site.key!r}): {fld} {value!r} collides with "
                                 f"site {owner.get(k, site.key)!r} (keys and names must be "
                                 "unique, ignoring case, accents, spaces, '-' and '_')",
                                 source=source, line=line, field=f"sites[{index}].{fld}",
                                 value=value)
            owner[k] = site.key
        sites[site.key] = site
    if not sites:
        raise InputError("the 'sites' list is empty", source=source, field="sites")
    return sites


@lru_cache(maxsize=1)
def _bundled():
    from importlib.resources import as_file, files

    with as_file(files("cosmoplan") / "data" / _DATA_FILE) as path:
        return _load(path)


def load_sites():
    """The bundled lunar sites, ``{key: LunarSite}`` in file order (a new dict each call;
    the file is read once)."""
    return dict(_bundled())


def lunar_site(name_or_key):
    """A bundled lunar site by key or display name.

    Matching ignores case, accents, spaces, '-' and '_': ``"Shackleton rim"``,
    ``"shackleton_rim"`` and ``"SHACKLETON-RIM"`` all give the ``shackleton-rim`` entry.

    Parameters
    ----------
    name_or_key : str or LunarSite
        A key or display name (a LunarSite is returned unchanged).

    Returns
    -------
    LunarSite

    Raises
    ------
    InputError
        Unknown name: the message lists the nearest names (``difflib``) and then all keys
        (``field='site'``); an empty name or one that is not text.
    """
    if isinstance(name_or_key, LunarSite):
        return name_or_key
    if not isinstance(name_or_key, str):
        raise InputError(f"a lunar site is given by its name or key (text), got "
                         f"{type(name_or_key).__name__} {name_or_key!r}", field="site",
                         value=name_or_key)
    sites = _bundled()
    if not name_or_key.strip():
        raise InputError(f"the lunar site name is empty ({name_or_key!r}); bundled sites: "
                         + ", ".join(sites), field="site", value=name_or_key)
    index = {}
    for s in sites.values():
        index[_lookup_key(s.key)] = s
        index[_lookup_key(s.name)] = s
    if _lookup_key(name_or_key) in index:
        return index[_lookup_key(name_or_key)]
    labels = {}
    for s in sites.values():
        labels.setdefault(_fold(s.key), s.key)
        labels.setdefault(_fold(s.name), s.name)
    near = difflib.get_close_matches(_fold(name_or_key), list(labels), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(repr(labels[n]) for n in near)}? " if near else ""
    known = "; ".join(f"{s.key} ({s.name})" for s in sites.values())
    raise InputError(f"unknown lunar site {name_or_key!r}; {hint}bundled sites: {known}",
                     field="site", value=name_or_key)


SITES = load_sites()
"""Bundled sites ``{key: LunarSite}`` (kept for backwards compatibility; see
:func:`load_sites` and :func:`lunar_site`)."""
