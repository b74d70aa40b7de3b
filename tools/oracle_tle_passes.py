"""Oracle: ISS passes over ground stations from a TLE, computed with skyfield.

Writes ``tests/fixtures/skyfield_tle_passes.json``, read by tests/test_tle_passes.py (no
skyfield needed there). skyfield's ``EarthSatellite.find_events`` gives rise (altitude
crosses the mask upwards), culmination and set, from the same SGP4 (python-sgp4) and the
geometric topocentric direction (satellites are not light-time corrected in skyfield).

Run (offline; skyfield and skyfield-data in the environment)::

    python tools/oracle_tle_passes.py

Element set: ISS (ZARYA) of 2021-06-01 from ../shared/refdata/tle/iss_25544_2021-06.tle;
stations: Jiuquan launch-site TT&C area and Kashi (coordinates exactly as cosmoplan's
bundled data gives them); 2021-06-01 .. 2021-06-03 UTC; masks 0 and 10 deg.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
OUT = ROOT / "tests" / "fixtures" / "skyfield_tle_passes.json"
TLE = ROOT.parent / "shared" / "refdata" / "tle" / "iss_25544_2021-06.tle"


def main():
    import skyfield
    from skyfield.api import EarthSatellite, load, wgs84

    from cosmoplan.access import station

    lines = TLE.read_text().splitlines()[:3]
    ts = load.timescale(builtin=True)
    sat = EarthSatellite(lines[1], lines[2], lines[0], ts)
    t0, t1 = ts.utc(2021, 6, 1), ts.utc(2021, 6, 3)
    out = {"generator": "tools/oracle_tle_passes.py", "skyfield": skyfield.__version__,
           "generated": datetime.date.today().isoformat(), "tle": lines,
           "start_utc": "2021-06-01T00:00:00Z", "stop_utc": "2021-06-03T00:00:00Z",
           "stations": {}}
    for name in ("Kashi", "Jiamusi"):
        st = station(name)
        topos = wgs84.latlon(st.lat_deg, st.lon_deg, elevation_m=st.height_km * 1000.0)
        per = {}
        for mask in (0.0, 10.0):
            t, kinds = sat.find_events(topos, t0, t1, altitude_degrees=mask)
            per[str(mask)] = [[ti.utc_iso(places=3), int(k)] for ti, k in zip(t, kinds)]
        out["stations"][name] = {"lat_deg": st.lat_deg, "lon_deg": st.lon_deg,
                                 "height_km": st.height_km, "events": per}
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
