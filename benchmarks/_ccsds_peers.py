"""Peer timings for bench_ccsds.py, run in the peer's own environment (a subprocess).

    python _ccsds_peers.py ndm|orekit OEM.kvn OEM.xml REPEATS

prints one JSON line: median seconds of read_kvn, write_kvn, read_xml, write_xml (null where
the peer cannot do it). ccsds-ndm-py (Rust, import name ccsds_ndm) and Orekit (orekit-jpype,
with the offline data directory of shared/tools/orekit_oracle.py) are the peers.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _median(func, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ndm(kvn, xml, repeats):
    import ccsds_ndm

    out = {}
    kvn_text, xml_text = Path(kvn).read_text(), Path(xml).read_text()
    msg = ccsds_ndm.Oem.from_str(kvn_text, "kvn")
    out["read_kvn"] = _median(lambda: ccsds_ndm.Oem.from_str(kvn_text, "kvn"), repeats)
    out["write_kvn"] = _median(lambda: msg.to_str("kvn"), repeats)
    try:
        msgx = ccsds_ndm.Oem.from_str(xml_text, "xml")
        out["read_xml"] = _median(lambda: ccsds_ndm.Oem.from_str(xml_text, "xml"), repeats)
    except Exception as exc:  # noqa: BLE001 - report, do not fail the benchmark
        out["read_xml"] = None
        out["read_xml_error"] = f"{type(exc).__name__}: {exc}"[:200]
        msgx = msg
    out["write_xml"] = _median(lambda: msgx.to_str("xml"), repeats)
    return out


def orekit(kvn, xml, repeats):
    here = Path(__file__).resolve()
    sys.path.insert(0, str(here.parents[2] / "shared" / "tools"))
    import orekit_oracle

    orekit_oracle.start_orekit()
    from java.io import StringWriter
    from org.orekit.data import DataSource
    from org.orekit.files.ccsds.ndm import ParserBuilder, WriterBuilder
    from org.orekit.files.ccsds.utils.generation import KvnGenerator, XmlGenerator
    from org.orekit.utils import Constants

    parser = ParserBuilder().buildOemParser()
    writer = WriterBuilder().buildOemWriter()

    def read(path):
        return parser.parseMessage(DataSource(str(path)))

    msg = read(kvn)
    out = {"read_kvn": _median(lambda: read(kvn), repeats),
           "read_xml": _median(lambda: read(xml), repeats)}

    def write(xml_out):
        sw = StringWriter()
        gen = (XmlGenerator(sw, XmlGenerator.DEFAULT_INDENT, "bench.xml",
                            Constants.JULIAN_DAY, True, XmlGenerator.NDM_XML_V3_SCHEMA_LOCATION)
               if xml_out else KvnGenerator(sw, 25, "bench.oem", Constants.JULIAN_DAY, 60))
        writer.writeMessage(gen, msg)
        gen.close()
        return sw.toString()

    out["write_kvn"] = _median(lambda: write(False), repeats)
    out["write_xml"] = _median(lambda: write(True), repeats)
    return out


if __name__ == "__main__":
    which, kvn, xml, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    tempfile.tempdir = None
    result = {"ndm": ndm, "orekit": orekit}[which](kvn, xml, repeats)
    print(json.dumps(result))
