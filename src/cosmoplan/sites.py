"""Ground sites on the WGS-84 ellipsoid, and named launch sites.

A :class:`GroundSite` stores geodetic latitude and east longitude in radians and the
height in km (internal units); :meth:`GroundSite.from_degrees` is the user-facing
constructor. Named launch sites carry the source of their coordinates. Coordinates are
those of a launch complex of each centre (pad level, to about 0.01 degree: 1 km, which
moves an in-plane launch time by at most about 15 s for a LEO target).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InputError

__all__ = ["GroundSite", "LAUNCH_SITES", "get_site", "JIUQUAN", "WENCHANG", "XICHANG",
           "TAIYUAN", "BAIKONUR", "VOSTOCHNY", "KENNEDY", "KOUROU", "TANEGASHIMA",
           "SRIHARIKOTA"]


@dataclass(frozen=True)
class GroundSite:
    """A point fixed to the Earth (ITRF), WGS-84 geodetic coordinates.

    Attributes
    ----------
    name : str
    lat : float
        Geodetic latitude, rad (north positive).
    lon : float
        East longitude, rad.
    height_km : float
        Height above the WGS-84 ellipsoid, km.
    source : str
        Where the coordinates come from.
    """

    name: str
    lat: float
    lon: float
    height_km: float = 0.0
    source: str = ""

    def __post_init__(self):
        for fld in ("lat", "lon", "height_km"):
            if not np.isfinite(getattr(self, fld)):
                raise InputError(f"site {self.name!r}: {fld} is not finite", field=fld,
                                 value=getattr(self, fld))
        if abs(self.lat) > np.pi / 2:
            raise InputError(
                f"site {self.name!r}: latitude {np.degrees(self.lat):.4f} deg is outside "
                "[-90, 90]", field="latitude_deg", value=np.degrees(self.lat))
        if not -0.5 < self.height_km < 10.0:
            raise InputError(
                f"site {self.name!r}: height {self.height_km} km is not a ground height "
                "(expected -0.5 .. 10 km)", field="height_km", value=self.height_km)

    @classmethod
    def from_degrees(cls, name, lat_deg, lon_deg, height_m=0.0, source=""):
        """Site from latitude/longitude in degrees and height in metres."""
        vals = {}
        for fld, val in (("latitude_deg", lat_deg), ("longitude_deg", lon_deg),
                         ("height_m", height_m)):
            try:
                vals[fld] = float(val)
            except (TypeError, ValueError):
                raise InputError(f"site {name!r}: {fld} must be a number, got {val!r}",
                                 field=fld, value=val) from None
            if not np.isfinite(vals[fld]):
                raise InputError(f"site {name!r}: {fld} is not finite", field=fld, value=val)
        lon = float(np.radians(((vals["longitude_deg"] + 180.0) % 360.0) - 180.0))
        return cls(name, float(np.radians(vals["latitude_deg"])), lon,
                   vals["height_m"] / 1000.0, source)

    @property
    def lat_deg(self):
        return float(np.degrees(self.lat))

    @property
    def lon_deg(self):
        return float(np.degrees(self.lon))

    def itrf(self):
        """ITRF position of the site, km, shape (3,)."""
        from .frames import geodetic_to_itrf

        return geodetic_to_itrf(self.lat, self.lon, self.height_km)

    def gcrf(self, epoch):
        """GCRF position and velocity of the site at epoch(s), km and km/s."""
        from .frames import transform

        r = np.broadcast_to(self.itrf(), np.shape(epoch.jd1) + (3,))
        return transform(r, np.zeros_like(r), epoch, "ITRF", "GCRF")


_SRC_CZ = ("coordinates of the named launch complex from public encyclopaedias and maps, "
           "rounded to about 0.001-0.01 deg")

JIUQUAN = GroundSite.from_degrees(
    "Jiuquan", 40.958, 100.291, 1000.0,
    "Jiuquan Satellite Launch Center, LC-43/921 (crewed Shenzhou pad); coordinates as "
    "given in the cosmoplan issue tracker for the Shenzhou-12 case")
WENCHANG = GroundSite.from_degrees(
    "Wenchang", 19.6145, 110.9510, 10.0, f"Wenchang Space Launch Site LC-101; {_SRC_CZ}")
XICHANG = GroundSite.from_degrees(
    "Xichang", 28.2463, 102.0270, 1800.0, f"Xichang Satellite Launch Center LC-2; {_SRC_CZ}")
TAIYUAN = GroundSite.from_degrees(
    "Taiyuan", 38.8491, 111.6081, 1500.0, f"Taiyuan Satellite Launch Center LC-9; {_SRC_CZ}")
BAIKONUR = GroundSite.from_degrees(
    "Baikonur", 45.9200, 63.3420, 90.0, f"Baikonur Cosmodrome Site 1/5; {_SRC_CZ}")
VOSTOCHNY = GroundSite.from_degrees(
    "Vostochny", 51.8844, 128.3339, 250.0, f"Vostochny Cosmodrome Site 1S; {_SRC_CZ}")
KENNEDY = GroundSite.from_degrees(
    "Kennedy", 28.6082, -80.6041, 0.0, f"Kennedy Space Center LC-39A; {_SRC_CZ}")
KOUROU = GroundSite.from_degrees(
    "Kourou", 5.2390, -52.7680, 10.0, f"Guiana Space Centre ELA-3; {_SRC_CZ}")
TANEGASHIMA = GroundSite.from_degrees(
    "Tanegashima", 30.4009, 130.9749, 10.0, f"Tanegashima Space Center Yoshinobu LP1; {_SRC_CZ}")
SRIHARIKOTA = GroundSite.from_degrees(
    "Sriharikota", 13.7199, 80.2304, 10.0, f"Satish Dhawan Space Centre SLP; {_SRC_CZ}")

LAUNCH_SITES = {s.name.lower(): s for s in (JIUQUAN, WENCHANG, XICHANG, TAIYUAN, BAIKONUR,
                                            VOSTOCHNY, KENNEDY, KOUROU, TANEGASHIMA,
                                            SRIHARIKOTA)}


def get_site(name):
    """A named launch site (case-insensitive); InputError listing the known names otherwise."""
    key = str(name).strip().lower()
    if key not in LAUNCH_SITES:
        raise InputError(f"unknown site {name!r}; known sites: "
                         f"{', '.join(s.name for s in LAUNCH_SITES.values())}", field="site",
                         value=name)
    return LAUNCH_SITES[key]
