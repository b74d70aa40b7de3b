"""Ground-station access: look angles, contacts (rise/set) and network coverage of any target.

A *target* is anything whose geocentric position is known in the GCRF: a spacecraft
trajectory, the Moon's centre, a lunar surface site. It is given either

* as a **callable** ``target(epoch) -> ndarray`` returning GCRF positions (km) of shape
  ``epoch.shape + (3,)`` for an :class:`~cosmoplan.time.Epoch` of any shape (for example
  :func:`cosmoplan.ephemeris.moon_position_gcrf`), or
* as an **array** of GCRF positions (km), shape ``(N, 3)``, one row per search epoch.
  Between the epochs the positions are interpolated by :class:`InterpolatedTarget`
  (a cubic spline in time per component, ``scipy.interpolate.CubicSpline``, not-a-knot),
  which refuses to extrapolate. Sample finely enough for the spline to follow the
  motion (the Moon every 10 min: error below 1 m; a LEO orbit: 30 s or less).

Geometry (all through :mod:`cosmoplan.frames`, nothing re-implemented here): GCRF -> ITRF
with the IERS EOP of :mod:`cosmoplan.eop` (IAU 2006/2000A, CIO based), WGS-84 geodetic
station coordinates (ERFA ``gd2gce``) and the topocentric azimuth / elevation / range of
:func:`cosmoplan.frames.topocentric_azel`. Elevation is **geometric**: the direction from
the station to the target at the same instant, above the ellipsoid-normal horizon. Not
modelled: refraction (about +0.5 deg at the horizon, +0.09 deg at 10 deg: put it in the
mask), light time and aberration (for the Moon, < 3e-4 deg: rise/set shifts of -0.18 to +0.09 s
against skyfield's apparent times, tests/test_access_moon_skyfield.py),
terrain.

Contacts. The search grid is the caller's epochs, a 1-D, strictly increasing
:class:`~cosmoplan.time.Epoch`: every change of visibility (elevation >= mask) between two
consecutive epochs is refined by bisection on ``elevation - mask``, batched over all
brackets at once, to ``tol_s`` seconds (default 0.01 s; the planning requirement is 1 s).
A contact that begins **and** ends between two grid epochs is missed, so the grid spacing
must be shorter than the shortest contact of interest (Moon: 10 min is ample; LEO: 30 s).
A contact in progress at the first (last) epoch is clipped there: its rise (set) is the
grid's first (last) epoch exactly.

Time scales: epochs may be in any scale; times returned are in the scale of the first
search epoch; durations are SI seconds.

Stations. :func:`load_networks` reads the bundled ``data/ground_stations.json``: the
deep-space antennas of the Chinese ('china': Kashi, Jiamusi, Neuquen), Russian ('russia':
Bear Lakes, Kalyazin, Ussuriysk), ESA ('esa': New Norcia, Cebreros, Malargue) and NASA
('nasa': DSS-14 Goldstone, DSS-43 Canberra, DSS-63 Madrid) networks, each coordinate with
its source (DSS-14 and DSS-43: JPL ITRF2005 positions; the others approximate, to about
0.01 deg). :func:`load_stations` reads a user CSV or JSON file of stations.

Example
-------
>>> from cosmoplan.access import coverage, network
>>> from cosmoplan.ephemeris import moon_position_gcrf
>>> from cosmoplan.time import Epoch
>>> t = Epoch.arange(Epoch.from_iso("2025-03-01T00:00:00Z"),
...                  Epoch.from_iso("2025-03-31T00:00:00Z"), 600.0)
>>> cov = coverage("nasa", t, moon_position_gcrf, mask_deg=10.0)
>>> round(cov.fraction, 2), round(cov.longest_gap_s / 3600, 1)  # 10 deg mask: gaps, Moon south
(0.98, 1.5)
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._events import complement, refine_crossings, spans_from_crossings
from .errors import DataRangeError, InputError
from .frames import topocentric_azel, transform
from .time import Epoch

__all__ = [
    "GroundStation",
    "Network",
    "NETWORK_NAMES",
    "load_networks",
    "network",
    "station",
    "load_stations",
    "look_angles",
    "elevation_series",
    "InterpolatedTarget",
    "LunarSiteTarget",
    "Contact",
    "contacts",
    "Coverage",
    "coverage",
]

NETWORK_NAMES = ("china", "russia", "esa", "nasa")
"""Names of the bundled networks, in the order of the data file."""

DEFAULT_MIN_ELEVATION_DEG = 10.0
"""Planning elevation mask of a station when none is given, degrees."""

_STATION_FIELDS = ("name", "network", "lat_deg", "lon_deg", "height_km", "min_elevation_deg",
                   "dish_m", "source")
_REQUIRED = ("name", "lat_deg", "lon_deg", "height_km")
_NUMERIC = ("lat_deg", "lon_deg", "height_km", "min_elevation_deg", "dish_m")


# ------------------------------------------------------------------------------ stations
def _number(value, fld, who):
    """A finite float from a user value, or InputError naming the field."""
    if isinstance(value, bool):
        raise InputError(f"{who}: {fld} must be a number, got {value!r}", field=fld, value=value)
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{who}: {fld} must be a number, got {value!r}", field=fld,
                         value=value) from None
    if not math.isfinite(out):
        raise InputError(f"{who}: {fld} is not finite ({value!r})", field=fld, value=value)
    return out


@dataclass(frozen=True)
class GroundStation:
    """A ground antenna fixed to the Earth (ITRF), WGS-84 geodetic coordinates.

    Attributes
    ----------
    name : str
        Unique station name (e.g. ``'DSS-43'``).
    network : str
        Network the station belongs to (``'nasa'``, ...; ``'user'`` for user files).
    lat_deg, lon_deg : float
        Geodetic latitude in [-90, 90] and east longitude, degrees (normalised to
        [-180, 180)).
    height_km : float
        Height above the WGS-84 ellipsoid, km (-0.5 .. 10).
    min_elevation_deg : float
        Elevation mask used when a search gives none, degrees (-5 .. 90).
    dish_m : float or None
        Reflector diameter, metres (information only).
    source : str
        Where the coordinates come from.
    """

    name: str
    network: str
    lat_deg: float
    lon_deg: float
    height_km: float
    min_elevation_deg: float = DEFAULT_MIN_ELEVATION_DEG
    dish_m: float | None = None
    source: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"a station needs a non-empty name, got {self.name!r}",
                             field="name", value=self.name)
        who = f"station {self.name!r}"
        for fld in ("lat_deg", "lon_deg", "height_km", "min_elevation_deg"):
            object.__setattr__(self, fld, _number(getattr(self, fld), fld, who))
        if self.dish_m is not None:
            object.__setattr__(self, "dish_m", _number(self.dish_m, "dish_m", who))
            if self.dish_m <= 0:
                raise InputError(f"{who}: dish_m must be positive, got {self.dish_m}",
                                 field="dish_m", value=self.dish_m)
        if not -90.0 <= self.lat_deg <= 90.0:
            raise InputError(f"{who}: lat_deg {self.lat_deg} is outside [-90, 90]",
                             field="lat_deg", value=self.lat_deg)
        object.__setattr__(self, "lon_deg", (self.lon_deg + 180.0) % 360.0 - 180.0)
        if not -0.5 < self.height_km < 10.0:
            raise InputError(f"{who}: height_km {self.height_km} is not a ground height "
                             "(expected -0.5 .. 10 km; metres given as km?)",
                             field="height_km", value=self.height_km)
        if not -5.0 <= self.min_elevation_deg < 90.0:
            raise InputError(f"{who}: min_elevation_deg {self.min_elevation_deg} is outside "
                             "[-5, 90)", field="min_elevation_deg", value=self.min_elevation_deg)
        object.__setattr__(self, "network", str(self.network))
        object.__setattr__(self, "source", str(self.source))

    @property
    def lat(self):
        """Geodetic latitude, rad."""
        return math.radians(self.lat_deg)

    @property
    def lon(self):
        """East longitude, rad."""
        return math.radians(self.lon_deg)

    def itrf(self):
        """ITRF position of the station, km, shape (3,)."""
        from .frames import geodetic_to_itrf

        return geodetic_to_itrf(self.lat, self.lon, self.height_km)


@dataclass(frozen=True)
class Network:
    """A named group of stations; iterating over it gives its stations."""

    name: str
    title: str
    stations: tuple[GroundStation, ...]

    def __iter__(self):
        return iter(self.stations)

    def __len__(self):
        return len(self.stations)


def _key(name):
    """Lookup key: case, accents, spaces, '-' and '_' ignored ('DSS 43' == 'dss-43')."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-]", "", text.casefold())


def _json_line(text, name):
    """1-based line of a station's name in a JSON text (None if not found)."""
    if text is None or name is None:
        return None
    m = re.search(r'"name"\s*:\s*' + re.escape(json.dumps(str(name))), text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _station_from_mapping(entry, *, network_name, where, source, text):
    """GroundStation from one JSON object; InputError names file, line, field path, value."""
    if not isinstance(entry, dict):
        raise InputError(f"{where} must be an object with keys {', '.join(_REQUIRED)}, got "
                         f"{type(entry).__name__}", source=source, field=where, value=entry)
    line = _json_line(text, entry.get("name"))
    unknown = sorted(set(entry) - set(_STATION_FIELDS))
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(unknown)}; known keys: "
                         f"{', '.join(_STATION_FIELDS)}", source=source, line=line,
                         field=f"{where}.{unknown[0]}", value=entry[unknown[0]])
    for key in _REQUIRED:
        if key not in entry:
            raise InputError(f"{where}: missing key {key!r} (required: {', '.join(_REQUIRED)})",
                             source=source, line=line, field=f"{where}.{key}")
    kwargs = dict(entry)
    kwargs.setdefault("network", network_name)
    try:
        return GroundStation(**kwargs)
    except InputError as exc:
        raise InputError(str(exc), source=source, line=line,
                         field=f"{where}.{exc.field}" if exc.field else where,
                         value=exc.value) from None


def _networks_from_json(obj, *, source, text, default_network="user"):
    """{name: Network} from the bundled format, a list of stations or {'stations': [...]}."""
    if isinstance(obj, dict) and "networks" in obj:
        nets = obj["networks"]
        if not isinstance(nets, dict):
            raise InputError("'networks' must map network names to objects", source=source,
                             field="networks", value=type(nets).__name__)
        out = {}
        for net_name, net in nets.items():
            where = f"networks.{net_name}"
            if not isinstance(net, dict) or not isinstance(net.get("stations"), list):
                raise InputError(f"{where} must be an object with a 'stations' list",
                                 source=source, field=where, value=net)
            stations = tuple(
                _station_from_mapping(e, network_name=net_name, where=f"{where}.stations[{i}]",
                                      source=source, text=text)
                for i, e in enumerate(net["stations"]))
            out[net_name] = Network(net_name, str(net.get("title", net_name)), stations)
        return out
    if isinstance(obj, dict) and "stations" in obj:
        entries, prefix = obj["stations"], "stations"
    else:
        entries, prefix = obj, ""
    if not isinstance(entries, list):
        raise InputError("expected a list of stations, an object with a 'stations' list, or "
                         "an object with 'networks'", source=source, field=prefix or None,
                         value=type(entries).__name__)
    stations = [
        _station_from_mapping(e, network_name=default_network, where=f"{prefix}[{i}]",
                              source=source, text=text)
        for i, e in enumerate(entries)]
    out = {}
    for s in stations:
        out.setdefault(s.network, [])
        out[s.network].append(s)
    return {k: Network(k, k, tuple(v)) for k, v in out.items()}


def _check_unique(stations, source):
    seen = {}
    for s in stations:
        k = _key(s.name)
        if k in seen:
            raise InputError(f"station name {s.name!r} appears twice (as {seen[k]!r} too); "
                             "names must be unique", source=source, field="name", value=s.name)
        seen[k] = s.name


@lru_cache(maxsize=1)
def _bundled():
    from importlib.resources import files

    res = files("cosmoplan") / "data" / "ground_stations.json"
    text = res.read_text(encoding="utf-8")
    nets = _networks_from_json(json.loads(text), source="ground_stations.json", text=text)
    _check_unique([s for n in nets.values() for s in n], "ground_stations.json")
    return nets


def load_networks():
    """The bundled networks, ``{name: Network}`` with names :data:`NETWORK_NAMES`."""
    return dict(_bundled())


def network(name):
    """A bundled network by name ('china', 'russia', 'esa', 'nasa'; case-insensitive)."""
    nets = _bundled()
    key = str(name).strip().casefold()
    if key not in nets:
        raise InputError(f"unknown network {name!r}; known networks: {', '.join(nets)}",
                         field="network", value=name)
    return nets[key]


def station(name):
    """A bundled station by name (case, accents, spaces and '-' ignored: 'dss 43')."""
    index = {_key(s.name): s for n in _bundled().values() for s in n}
    key = _key(name)
    if key not in index:
        names = ", ".join(s.name for s in index.values())
        raise InputError(f"unknown station {name!r}; known stations: {names} (networks: "
                         f"{', '.join(_bundled())})", field="station", value=name)
    return index[key]


def load_stations(path, network_name="user"):
    """Read stations from a user CSV or JSON file.

    CSV (``.csv``): a header row with columns ``name, lat_deg, lon_deg, height_km`` and
    optionally ``network, min_elevation_deg, dish_m, source`` (degrees, km, metres); one
    station per row. JSON (``.json``): a list of objects with the same keys, an object
    ``{"stations": [...]}``, or the bundled format ``{"networks": {name: {"title": ...,
    "stations": [...]}}}``.

    Parameters
    ----------
    path : str or os.PathLike
    network_name : str
        Network given to stations whose row has none.

    Returns
    -------
    list of GroundStation

    Raises
    ------
    InputError
        With ``source`` (the file), ``line`` (CSV: the row's line; JSON: the line of the
        station's name, or of a syntax error), ``field`` (column or key path) and ``value``.
    """
    path = Path(path)
    src = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise InputError(f"station file must end in .csv or .json, got {path.name!r}",
                         source=src, field="path", value=path.suffix)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read station file: {exc.strerror or exc}", source=src) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"station file is not UTF-8 text ({exc.reason})", source=src) from None
    if suffix == ".json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", source=src,
                             line=exc.lineno) from None
        nets = _networks_from_json(obj, source=src, text=text, default_network=network_name)
        stations = [s for n in nets.values() for s in n]
    else:
        stations = _read_csv(text, src, network_name)
    if not stations:
        raise InputError("no stations in file", source=src)
    _check_unique(stations, src)
    return stations


def _read_csv(text, src, network_name):
    reader = csv.reader(text.splitlines())
    header = None
    stations = []
    for row in reader:
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if header is None:
            header = [c.strip() for c in row]
            unknown = [c for c in header if c not in _STATION_FIELDS]
            if unknown:
                raise InputError(f"unknown column {unknown[0]!r}; known columns: "
                                 f"{', '.join(_STATION_FIELDS)}", source=src, line=line,
                                 field=unknown[0], value=unknown[0])
            missing = [c for c in _REQUIRED if c not in header]
            if missing:
                raise InputError(f"missing column(s) {', '.join(missing)}; the header needs "
                                 f"{', '.join(_REQUIRED)}", source=src, line=line,
                                 field=missing[0])
            continue
        if len(row) != len(header):
            raise InputError(f"{len(row)} values for {len(header)} columns "
                             f"({', '.join(header)})", source=src, line=line, value=row)
        entry = {k: v.strip() for k, v in zip(header, row)}
        kwargs = {"network": entry.pop("network", "") or network_name}
        for key, value in entry.items():
            if key in ("dish_m", "min_elevation_deg") and value == "":
                continue
            if key in _NUMERIC:
                try:
                    value = float(value)
                except ValueError:
                    raise InputError(f"{key} must be a number, got {value!r}", source=src,
                                     line=line, field=key, value=value) from None
            kwargs[key] = value
        try:
            stations.append(GroundStation(**kwargs))
        except InputError as exc:
            raise InputError(str(exc), source=src, line=line, field=exc.field,
                             value=exc.value) from None
    if header is None:
        raise InputError("empty station file: expected a header row "
                         f"({', '.join(_REQUIRED)}, ...)", source=src)
    return stations


# ------------------------------------------------------------------------------ targets
def _check_epochs(epochs, name="epochs", min_size=2):
    """1-D, strictly increasing Epoch; returns offsets from epochs[0], SI seconds."""
    if not isinstance(epochs, Epoch):
        raise InputError(f"{name} must be a cosmoplan Epoch array, got "
                         f"{type(epochs).__name__}; build one with Epoch.arange(start, stop, "
                         "step_s)", field=name, value=epochs)
    if epochs.ndim != 1 or epochs.size < min_size:
        raise InputError(f"{name} must be a 1-D Epoch of at least {min_size} epochs, got shape "
                         f"{epochs.shape}", field=name, value=epochs.shape)
    t = np.asarray(epochs - epochs[0], dtype=float)
    bad = np.flatnonzero(np.diff(t) <= 0)
    if bad.size:
        i = int(bad[0])
        raise InputError(f"{name} must be strictly increasing: {name}[{i + 1}] = "
                         f"{epochs[i + 1].iso()} is not after {name}[{i}] = {epochs[i].iso()} "
                         f"({bad.size} such pair(s))", field=name, value=i + 1)
    return t


def _check_positions(r, shape, name="target"):
    """Finite float array of shape ``shape + (3,)`` (GCRF km), or InputError."""
    try:
        r = np.asarray(r, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} positions must be numbers (GCRF km)", field=name) from None
    want = tuple(shape) + (3,)
    if r.shape != want:
        raise InputError(f"{name} positions must have shape {want} (one GCRF km row per "
                         f"epoch), got {r.shape}", field=name, value=r.shape)
    if not np.all(np.isfinite(r)):
        n = int(np.sum(~np.isfinite(r).all(axis=-1)))
        raise InputError(f"{name} positions contain NaN or infinite values ({n} row(s))",
                         field=name)
    return r


class InterpolatedTarget:
    """A target known at discrete epochs, interpolated by a cubic spline in time.

    Parameters
    ----------
    epochs : Epoch, shape (N,)
        Strictly increasing sample epochs, N >= 2 (any time scale).
    positions_km : array_like, shape (N, 3)
        GCRF positions at ``epochs``, km.

    Calling the object with an Epoch of any shape S returns GCRF positions, shape S + (3,),
    from ``scipy.interpolate.CubicSpline`` (not-a-knot; linear when N = 2) on SI seconds
    since ``epochs[0]``. Epochs outside the samples raise
    :class:`~cosmoplan.errors.DataRangeError` (its ``mask`` marks them): no extrapolation.
    """

    def __init__(self, epochs, positions_km):
        from scipy.interpolate import CubicSpline

        t = _check_epochs(epochs, "epochs")
        r = _check_positions(positions_km, epochs.shape, "positions_km")
        self.start = epochs[0]
        self.stop = epochs[-1]
        self._span = float(t[-1])
        self._spline = CubicSpline(t, r, axis=0)

    def __call__(self, epoch):
        if not isinstance(epoch, Epoch):
            raise InputError(f"epoch must be a cosmoplan Epoch, got {type(epoch).__name__}",
                             field="epoch", value=epoch)
        t = np.asarray(epoch - self.start, dtype=float)
        eps = 1e-6  # s: rounding of Epoch differences, far below any sample spacing
        bad = (t < -eps) | (t > self._span + eps)
        if np.any(bad):
            raise DataRangeError(
                f"{int(np.sum(bad))} epoch(s) outside the interpolated target's samples "
                f"({self.start.iso()} .. {self.stop.iso()} {self.start.scale.upper()})",
                start=self.start.iso(), stop=self.stop.iso(), mask=bad)
        return self._spline(np.clip(t, 0.0, self._span))


class LunarSiteTarget:
    """A lunar surface site as a contact target, with the site's own horizon.

    Calling the object gives the site's geocentric GCRF position (km) at any epochs
    (:func:`cosmoplan.moon.site_position_gcrf`: DE421 Moon, MOON_ME, IAU sphere). For
    :func:`contacts` and :func:`coverage` it also says whether the site sees the station:
    the station's elevation seen from the site (geometric, as the station side) must be at
    least the site's horizon at that azimuth plus ``min_elevation_deg``, so a contact needs
    both ends in view.

    Parameters
    ----------
    site : LunarSite or str
        A :class:`~cosmoplan.surface.sites.LunarSite` or a bundled site's name or key.
    horizon : Horizon, optional
        The site's horizon (:class:`~cosmoplan.surface.horizon.Horizon`); default flat.
    min_elevation_deg : float
        Extra elevation the station needs above the site's horizon, degrees, in [-10, 90).
    """

    def __init__(self, site, horizon=None, min_elevation_deg=0.0):
        from .surface.horizon import Horizon
        from .surface.sites import LunarSite, lunar_site

        self.site = site if isinstance(site, LunarSite) else lunar_site(site)
        if horizon is None:
            horizon = Horizon.flat()
        if not isinstance(horizon, Horizon):
            raise InputError(f"horizon must be a Horizon, got {type(horizon).__name__}",
                             field="horizon", value=horizon)
        horizon.check_site(self.site.lat_deg, self.site.lon_deg, repr(self.site.name))
        self.horizon = horizon
        m = _number(min_elevation_deg, "min_elevation_deg", "lunar site")
        if not -10.0 <= m < 90.0:
            raise InputError(f"min_elevation_deg {m} is outside [-10, 90) degrees",
                             field="min_elevation_deg", value=m)
        self.min_elevation = math.radians(m)
        self._lat = math.radians(self.site.lat_deg)
        self._lon = math.radians(self.site.lon_deg)
        self._height = horizon.site_height_km if horizon.source.startswith("DEM") \
            else self.site.height_km

    def __repr__(self):
        return f"LunarSiteTarget({self.site.name!r}, horizon={self.horizon.source!r})"

    def __call__(self, epoch):
        from .moon import site_position_gcrf

        return site_position_gcrf(self._lat, self._lon, self._height, epoch)

    def station_margin(self, station_itrf, epochs):
        """Elevation of stations seen from the site minus the site's horizon there (rad).

        Geometric directions (as on the station side). ``station_itrf``: ITRF km, any
        shape (..., 3) broadcasting against ``epochs`` (e.g. (K, 1, 3) for K stations on a
        grid of N epochs gives (K, N)); ``epochs``: Epoch. The lunar orientation, the
        Moon's position and the ITRF -> GCRF rotation are computed once for all stations.
        """
        from .ephemeris import moon_position_gcrf
        from .frames import rotation_matrix
        from .moon import enu_matrix, selenographic_to_fixed
        from .moon import rotation_matrix as moon_rotation

        m_me = moon_rotation(epochs, "MOON_ME")  # (N, 3, 3): r_ME = m r_GCRF
        site_me = selenographic_to_fixed(self._lat, self._lon, self._height)
        moon = moon_position_gcrf(epochs)
        i2g = rotation_matrix(epochs, "ITRF", "GCRF")
        st = np.einsum("...ij,...j->...i", i2g, np.asarray(station_itrf, float))
        rel_me = np.einsum("...ij,...j->...i", m_me, st - moon) - site_me
        enu = np.einsum("ij,...j->...i", enu_matrix(self._lat, self._lon), rel_me)
        az = np.mod(np.arctan2(enu[..., 0], enu[..., 1]), 2.0 * np.pi)
        el = np.arctan2(enu[..., 2], np.hypot(enu[..., 0], enu[..., 1]))
        return el - self.horizon.elevation_at(az) - self.min_elevation


def _target_function(target, epochs):
    """(callable, positions on the grid) from a callable or an (N, 3) array."""
    if callable(target):
        def fn(ep):
            return _check_positions(target(ep), ep.shape)

        return fn, fn(epochs)
    r = _check_positions(target, epochs.shape)
    if epochs.ndim == 1 and epochs.size >= 2:
        return InterpolatedTarget(epochs, r), r
    return None, r


def _itrf(r_gcrf, epochs):
    return transform(r_gcrf, None, epochs, "GCRF", "ITRF")[0]


def _resolve_one(st):
    if isinstance(st, GroundStation):
        return st
    if isinstance(st, str):
        return station(st)
    raise InputError(f"expected a GroundStation or a station name, got {type(st).__name__}",
                     field="station", value=st)


def look_angles(station, epochs, target):
    """Azimuth, elevation and range of a target seen from a station.

    Parameters
    ----------
    station : GroundStation or str
        A station, or the name of a bundled one.
    epochs : Epoch
        Epoch(s) of any shape S and time scale.
    target : array_like, shape S + (3,), or callable
        GCRF positions of the target, km, or ``target(epoch) -> positions``.

    Returns
    -------
    az_deg, el_deg, range_km : ndarray, shape S
        Azimuth from north through east in [0, 360), geometric elevation (no refraction),
        degrees; range, km.
    """
    st = _resolve_one(station)
    if not isinstance(epochs, Epoch):
        raise InputError(f"epochs must be a cosmoplan Epoch, got {type(epochs).__name__}",
                         field="epochs", value=epochs)
    r = _check_positions(target(epochs), epochs.shape) if callable(target) else \
        _check_positions(target, epochs.shape)
    az, el, rng, _ = topocentric_azel(_itrf(r, epochs), st.lat, st.lon, st.height_km)
    return np.degrees(az), np.degrees(el), rng


def elevation_series(station, epochs, target_gcrf_km):
    """Geometric elevation (deg) of a target above a station's horizon.

    Parameters
    ----------
    station : GroundStation or str
    epochs : Epoch
        Epoch(s), shape S, any time scale.
    target_gcrf_km : array_like, shape S + (3,), or callable
        Target positions in the GCRF, km (e.g. ``moon_position_gcrf(epochs)``), or a
        callable ``target(epoch) -> positions``.

    Returns
    -------
    ndarray, shape S
        Elevation above the WGS-84 ellipsoid-normal horizon, degrees (no refraction).
    """
    return look_angles(station, epochs, target_gcrf_km)[1]


# ------------------------------------------------------------------------------ contacts
class Contact(NamedTuple):
    """One visibility interval: ``rise, set = contact`` (Epochs, scale of the search grid)."""

    rise: Epoch
    set: Epoch

    @property
    def duration_s(self):
        """Length of the contact, SI seconds."""
        return float(self.set - self.rise)


def _mask_rad(stations, mask_deg):
    if mask_deg is None:
        return np.radians([s.min_elevation_deg for s in stations])
    m = _number(mask_deg, "mask_deg", "mask")
    if not -5.0 <= m < 90.0:
        raise InputError(f"mask_deg {m} is outside [-5, 90) degrees", field="mask_deg", value=m)
    return np.full(len(stations), math.radians(m))


def _intervals(stations, epochs, target, mask_deg, tol_s):
    """Visibility intervals per station, as (rise_s, set_s) offsets from epochs[0]."""
    t = _check_epochs(epochs)
    tol = _number(tol_s, "tol_s", "contact search")
    if not 1e-6 <= tol <= 1.0:
        raise InputError(f"tol_s must be in [1e-6, 1] seconds (finer than a microsecond is "
                         f"below the resolution of the epochs), got {tol}", field="tol_s",
                         value=tol_s)
    masks = _mask_rad(stations, mask_deg)
    fn, r_grid = _target_function(target, epochs)
    r_itrf = _itrf(r_grid, epochs)
    lat = np.array([s.lat for s in stations])
    lon = np.array([s.lon for s in stations])
    hgt = np.array([s.height_km for s in stations])
    far_side = getattr(target, "station_margin", None)  # e.g. a lunar site's own horizon
    margin = np.empty((len(stations), t.size))
    for k in range(len(stations)):
        margin[k] = topocentric_azel(r_itrf, lat[k], lon[k], hgt[k])[1] - masks[k]
    if far_side is not None:
        st_itrf = np.array([s.itrf() for s in stations])
        margin = np.minimum(margin, far_side(st_itrf[:, None, :], epochs))
    t0 = epochs[0]

    def evaluate(ks, mid):
        ep = t0 + mid
        m = topocentric_azel(_itrf(fn(ep), ep), lat[ks], lon[ks], hgt[ks])[1] - masks[ks]
        if far_side is not None:
            m = np.minimum(m, far_side(st_itrf[ks], ep))
        return m

    # 200 halvings take any bracket below 1e-6 s
    cr = refine_crossings(t, margin, evaluate, tol, max_iter=200)
    return [spans_from_crossings(cr, k) for k in range(len(stations))], t


def _to_contacts(spans, epochs, t_end):
    t0 = epochs[0]
    res = []
    for a, b in spans:
        rise = epochs[0] if a == 0.0 else t0 + a
        end = epochs[-1] if b == t_end else t0 + b
        res.append(Contact(rise, end))
    return res


def contacts(station, epochs, target, mask_deg=None, *, tol_s=0.01):
    """Rise and set times of a target seen from one station.

    Parameters
    ----------
    station : GroundStation or str
        A station or the name of a bundled one.
    epochs : Epoch, shape (N,)
        Search grid: 1-D, strictly increasing, N >= 2, any time scale. Its spacing must be
        shorter than the shortest contact to be found (see the module docstring).
    target : callable or array_like, shape (N, 3)
        ``target(epoch) -> GCRF km`` of shape ``epoch.shape + (3,)`` (e.g.
        :func:`cosmoplan.ephemeris.moon_position_gcrf`), or GCRF positions (km) at
        ``epochs``, interpolated between them by :class:`InterpolatedTarget`.
    mask_deg : float, optional
        Elevation mask, degrees; default the station's ``min_elevation_deg``.
    tol_s : float
        Width (s) to which each rise/set is bracketed by bisection on elevation - mask;
        default 0.01 s, at most 1 s.

    Returns
    -------
    list of Contact
        ``(rise, set)`` Epoch pairs in the scale of ``epochs[0]``, in time order. A contact
        in progress at the first or last epoch is clipped to it.
    """
    st = _resolve_one(station)
    spans, t = _intervals([st], epochs, target, mask_deg, tol_s)
    return _to_contacts(spans[0], epochs, float(t[-1]))


# ------------------------------------------------------------------------------ coverage
def _resolve_stations(arg):
    """Flatten network names, station names, Networks and GroundStations into a tuple."""
    if isinstance(arg, (str, GroundStation, Network)):
        items = [arg]
    elif isinstance(arg, Iterable):
        items = list(arg)
    else:
        raise InputError(f"expected network or station names, Networks or GroundStations, "
                         f"got {type(arg).__name__}", field="stations", value=arg)
    out = []
    for item in items:
        if isinstance(item, GroundStation):
            out.append(item)
        elif isinstance(item, Network):
            out.extend(item.stations)
        elif isinstance(item, str):
            if item.strip().casefold() in _bundled():
                out.extend(network(item).stations)
            else:
                try:
                    out.append(station(item))
                except InputError:
                    raise InputError(
                        f"{item!r} is neither a network ({', '.join(_bundled())}) nor a "
                        "station (" + ", ".join(s.name for n in _bundled().values() for s in n)
                        + ")", field="stations", value=item) from None
        else:
            raise InputError(f"cannot use {type(item).__name__} {item!r} as a station",
                             field="stations", value=item)
    if not out:
        raise InputError("no stations given", field="stations")
    unique = []
    for s in out:
        if s not in unique:
            unique.append(s)
    _check_unique(unique, None)
    return tuple(unique)


@dataclass(frozen=True)
class Coverage:
    """Coverage of a target by a set of stations over a search span.

    Attributes
    ----------
    stations : tuple of GroundStation
    start, stop : Epoch
        First and last search epoch.
    span_s : float
        ``stop - start``, SI seconds.
    mask_deg : float or None
        The common mask, or None where each station used its own ``min_elevation_deg``.
    fraction : float
        Fraction of the span during which at least one station sees the target.
    per_station : dict
        Station name -> fraction of the span during which that station sees the target.
    contacts : dict
        Station name -> list of :class:`Contact`.
    gaps : list of Contact
        Intervals with no station in view, ``(start, end)`` (a gap touching either end of
        the span is clipped to it, so its length is a lower bound).
    longest_gap_s : float
        Length of the longest gap, SI seconds (0 if coverage is continuous).
    """

    stations: tuple[GroundStation, ...]
    start: Epoch
    stop: Epoch
    span_s: float
    mask_deg: float | None
    fraction: float
    per_station: dict[str, float] = field(default_factory=dict)
    contacts: dict[str, list[Contact]] = field(default_factory=dict)
    gaps: list[Contact] = field(default_factory=list)
    longest_gap_s: float = 0.0

    def table(self):
        """Plain-text summary, one line per station plus the union."""
        rows = [f"{'station':<14} {'network':<8} {'contacts':>8} {'fraction':>9}"]
        for s in self.stations:
            rows.append(f"{s.name:<14} {s.network:<8} {len(self.contacts[s.name]):>8d} "
                        f"{self.per_station[s.name]:>9.4f}")
        rows.append(f"{'any':<14} {'':<8} {'':>8} {self.fraction:>9.4f}")
        rows.append(f"longest gap {self.longest_gap_s / 3600.0:.3f} h, {len(self.gaps)} gap(s)")
        return "\n".join(rows)


def coverage(networks_or_stations, epochs, target, mask_deg=None, *, tol_s=0.01):
    """Fraction of time a target is seen by at least one of a set of stations.

    Parameters
    ----------
    networks_or_stations : str, GroundStation, Network or iterable of them
        Network names ('china', 'russia', 'esa', 'nasa'), bundled station names, Networks
        or GroundStations, mixed freely.
    epochs, target, tol_s
        As for :func:`contacts` (one target evaluation on the grid serves all stations,
        and the rise/set refinements of all stations are batched).
    mask_deg : float, optional
        Common elevation mask, degrees; default each station's ``min_elevation_deg``.

    Returns
    -------
    Coverage
        Fractions from the refined contact intervals (not from counting grid samples).
    """
    stations = _resolve_stations(networks_or_stations)
    spans, t = _intervals(stations, epochs, target, mask_deg, tol_s)
    total = float(t[-1])
    per = {s.name: float(sum(b - a for a, b in sp) / total) for s, sp in zip(stations, spans)}
    gaps = complement([x for sp in spans for x in sp], total)
    covered = total - sum(b - a for a, b in gaps)
    return Coverage(
        stations=stations,
        start=epochs[0],
        stop=epochs[-1],
        span_s=total,
        mask_deg=None if mask_deg is None else float(mask_deg),
        fraction=float(covered / total),
        per_station=per,
        contacts={s.name: _to_contacts(sp, epochs, total) for s, sp in zip(stations, spans)},
        gaps=_to_contacts(gaps, epochs, total),
        longest_gap_s=float(max((b - a for a, b in gaps), default=0.0)),
    )
