"""``cosmoplan ccsds check`` and ``cosmoplan ccsds convert`` as a user runs them."""

from __future__ import annotations

import subprocess
import sys

from conftest import REFDATA
from cosmoplan import ccsds

REF = REFDATA / "ccsds" / "orekit"
TLE = REFDATA / "tle" / "tianhe_48274_2021.tle"


def _cosmoplan(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cosmoplan", "ccsds", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_check_prints_a_summary_and_every_invalid_file():
    good = REF / "cdm/CDMExample1.txt"
    bad1 = REF / "opm/OPM-unknown-frame.txt"
    bad2 = REF / "omm/OMM-number-format-error.txt"
    proc = _cosmoplan("check", str(good), str(bad1), str(bad2))
    assert proc.returncode == 2
    assert "valid CDM" in proc.stdout and "715.0 m" in proc.stdout
    assert "FENGYUN 1C DEB" in proc.stdout
    # each invalid file with its line and keyword, no traceback
    assert f"{bad1}, line 7: REF_FRAME" in proc.stderr
    assert f"{bad2}, line 15: ARG_OF_PERICENTER" in proc.stderr
    assert "2 of 3 files invalid" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_check_lenient_accepts_icd_names():
    proc = _cosmoplan("check", "--lenient", str(REF / "opm/OPM-unknown-frame.txt"))
    assert proc.returncode == 0, proc.stderr
    assert "ZZRF" in proc.stdout


def test_convert_kvn_xml_kvn_keeps_the_message(tmp_path):
    src = REF / "opm/OPMExample5.txt"
    xml, kvn = tmp_path / "m.xml", tmp_path / "m.opm"
    assert _cosmoplan("convert", str(src), str(xml)).returncode == 0
    assert xml.read_text().startswith("<?xml")
    proc = _cosmoplan("convert", str(xml), str(kvn))
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {kvn}" in proc.stdout
    assert ccsds.read(kvn) == ccsds.read(src)


def test_convert_refuses_to_overwrite_its_input_and_bad_formats(tmp_path):
    src = tmp_path / "m.opm"
    src.write_bytes((REF / "opm/OPMExample1.txt").read_bytes())
    before = src.read_bytes()
    proc = _cosmoplan("convert", str(src), str(src))
    assert proc.returncode == 2 and "is the input file" in proc.stderr
    assert src.read_bytes() == before
    proc = _cosmoplan("convert", str(src), str(tmp_path / "x"), "--to", "json")
    assert proc.returncode == 2 and "--to must be kvn, xml or tle" in proc.stderr
    proc = _cosmoplan("convert", str(REF / "cdm/CDMExample1.txt"), str(tmp_path / "x.tle"))
    assert proc.returncode == 2 and "only an OMM converts to a TLE" in proc.stderr
    assert not (tmp_path / "x.tle").exists()


def test_convert_invalid_input_writes_nothing(tmp_path):
    out = tmp_path / "out.xml"
    proc = _cosmoplan("convert", str(REF / "opm/OPM-wrong-keyword.txt"), str(out))
    assert proc.returncode == 2
    assert "WRONG_KEYWORD" in proc.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_convert_tle_to_omm_and_back(tmp_path):
    from cosmoplan.tle import read_tles

    omm, xml, tle = tmp_path / "t.omm", tmp_path / "t.xml", tmp_path / "t.tle"
    # five Tianhe sets in the file: the command asks which, listing their epochs
    proc = _cosmoplan("convert", str(TLE), str(omm))
    assert proc.returncode == 2
    assert "--index" in proc.stderr and "2021-06-26T04:46:33" in proc.stderr
    assert not omm.exists()
    assert _cosmoplan("convert", str(TLE), str(omm), "--index", "2").returncode == 0
    msg = ccsds.read(omm)
    assert msg.metadata.mean_element_theory == "SGP4"
    assert msg.data.tle_parameters.norad_cat_id == 48274
    assert _cosmoplan("convert", str(omm), str(xml)).returncode == 0
    proc = _cosmoplan("convert", str(xml), str(tle))
    assert proc.returncode == 0, proc.stderr
    original = read_tles(TLE)[1]
    back = read_tles(tle)[0]
    assert back.to_lines()[-1] == original.to_lines()[-1]  # line 2, column for column
    assert back.satrec.no_kozai == original.satrec.no_kozai
    assert back.satrec.bstar == original.satrec.bstar
    proc = _cosmoplan("convert", str(TLE), str(omm), "--index", "9")
    assert proc.returncode == 2 and "outside 1..5" in proc.stderr


def test_check_lists_every_error_of_a_file_in_line_order(tmp_path):
    text = (REF / "opm/OPMExample1.txt").read_text()
    lines = text.splitlines()
    edits = {}
    for k, ln in enumerate(lines):
        key = ln.split("=")[0].strip()
        if key == "REF_FRAME":
            edits[k] = "REF_FRAME = ZZRF"
        elif key == "Y":
            edits[k] = "Y = 1239.6x"
        elif key == "Z":
            edits[k] = ln.split("[")[0].rstrip() + " [m]"
        elif key == "MASS":
            edits[k] = "MASS = -3000.0"
    assert len(edits) == 4
    for k, new in edits.items():
        lines[k] = new
    lines.insert(max(edits) + 1, "FOO = 1")
    bad = tmp_path / "multi.opm"
    bad.write_text("\n".join(lines) + "\n")
    msg, errors = ccsds.validate(bad)
    assert msg is None
    got = [(e.line, e.field) for e in errors]
    want = sorted([(k + 1, lines[k].split("=")[0].strip()) for k in edits]
                  + [(max(edits) + 2, "FOO")])
    assert got == want
    proc = _cosmoplan("check", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.count("invalid: ") == 5
    # a valid file: no errors, the message
    msg, errors = ccsds.validate(REF / "opm/OPMExample1.txt")
    assert errors == [] and msg == ccsds.read(REF / "opm/OPMExample1.txt")
