"""Oracle: do Orekit's CCSDS parsers accept the messages cosmoplan writes, with our values?

For every positive Orekit example (the test suite's list, shared/refdata/ccsds/orekit),
cosmoplan reads it and writes it in KVN and in XML; Orekit 13.1 (orekit-jpype, offline
data from shared/tools/orekit_oracle.py) parses the original and both of our files, and
the values it reads (in SI: m, m/s, rad/s) are recorded. The fixture
tests/fixtures/ccsds_orekit.json lets the test suite check, without Orekit, that every file
Orekit accepts in the original is accepted in our writing and reads to our values.

Run from the repository root in an environment with orekit-jpype and cosmoplan:

    python tools/oracle_ccsds.py            # writes tests/fixtures/ccsds_orekit.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))


def _values(kind, msg):
    """The values Orekit read: a dict of floats/strings (SI units, as Orekit stores them)."""
    out = {}
    if kind == "opm":
        pv = msg.getData().getStateVectorBlock().toTimeStampedPVCoordinates()
        p, v = pv.getPosition(), pv.getVelocity()
        out["position_m"] = [p.getX(), p.getY(), p.getZ()]
        out["velocity_m_s"] = [v.getX(), v.getY(), v.getZ()]
        out["maneuvers"] = int(msg.getData().getNbManeuvers())
    elif kind == "omm":
        ke = msg.getData().getKeplerianElementsBlock()
        out["eccentricity"] = ke.getE()
        out["inclination_rad"] = ke.getI()
        mm = ke.getMeanMotion()
        out["mean_motion_rad_s"] = mm if mm == mm else None  # NaN when SEMI_MAJOR_AXIS given
        out["epoch"] = str(ke.getEpoch())
    elif kind == "cdm":
        rel = msg.getRelativeMetadata()
        out["tca"] = str(rel.getTca())
        out["miss_distance_m"] = rel.getMissDistance()
        for k, obj in ((1, msg.getDataObject1()), (2, msg.getDataObject2())):
            p = obj.getStateVectorBlock().getPositionVector()
            out[f"object{k}_position_m"] = [p.getX(), p.getY(), p.getZ()]
            cov = obj.getRTNCovarianceBlock()
            out[f"object{k}_crr_m2"] = cov.getCrr() if cov is not None else None
    elif kind == "oem":
        segs = msg.getSegments()
        out["segments"] = int(segs.size())
        out["states"] = [int(s.getData().getEphemeridesDataLines().size()) for s in segs]
        first = segs.get(0).getData().getEphemeridesDataLines().get(0)
        p = first.getPosition()
        out["first_position_m"] = [p.getX(), p.getY(), p.getZ()]
        out["first_date"] = str(first.getDate())
    return out


def main():
    import orekit_oracle

    from cosmoplan import ccsds
    from test_ccsds_messages import POSITIVE, _rel, read_example

    orekit_oracle.start_orekit()
    from org.orekit.data import DataSource
    from org.orekit.files.ccsds.ndm import ParserBuilder
    from org.orekit.time import AbsoluteDate
    from org.orekit.utils import Constants

    # mu for messages that state none (OEM, OPM without GM), a mission reference date for
    # MET/MRT time systems: what Orekit's own tests configure
    pb = (ParserBuilder().withMu(Constants.EIGEN5C_EARTH_MU)
          .withMissionReferenceDate(AbsoluteDate.J2000_EPOCH))
    parsers = {"opm": pb.buildOpmParser, "omm": pb.buildOmmParser, "cdm": pb.buildCdmParser,
               "oem": pb.buildOemParser}

    def parse(kind, path):
        try:
            msg = parsers[kind]().parseMessage(DataSource(str(path)))
            return {"accepted": True, **_values(kind, msg)}
        except Exception as exc:  # noqa: BLE001 - Java exceptions: record them
            return {"accepted": False, "error": str(exc).splitlines()[0][:200]}

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in POSITIVE:
            kind = path.parent.name
            msg = read_example(path)
            entry = {"original": parse(kind, path)}
            for fmt in ("kvn", "xml"):
                out = Path(tmp) / f"{path.name}.{fmt}"
                out.write_text(ccsds.dumps(msg, fmt))
                entry[fmt] = parse(kind, out)
            results[_rel(path)] = entry
            flags = " ".join(f"{k}={'ok' if v['accepted'] else 'NO'}" for k, v in entry.items())
            print(f"{_rel(path):55s} {flags}")
    fixture = ROOT / "tests" / "fixtures" / "ccsds_orekit.json"
    fixture.write_text(json.dumps({"_origin": "tools/oracle_ccsds.py, Orekit 13.1 "
                                              "(orekit-jpype 13.1.9.0)",
                                   "files": results}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {fixture}")


if __name__ == "__main__":
    main()
