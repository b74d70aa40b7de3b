"""CCSDS NDM reading and writing on Orekit's example files (shared/refdata/ccsds/orekit).

Positive files parse and round-trip (KVN -> KVN, XML -> XML, KVN -> XML -> KVN); negative
files raise InputError naming the file, the line (or XML element), the keyword.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from conftest import REFDATA
from cosmoplan import ccsds
from cosmoplan.ccsds._blocks import values_equal
from cosmoplan.errors import InputError

REF = REFDATA / "ccsds" / "orekit"
if not REF.is_dir():  # fail loudly, as conftest.refdata does
    raise FileNotFoundError(f"reference data not found at {REF}; set COSMOPLAN_REFDATA")

# The markers of a negative example file name.
NEGATIVE_MARKERS = ("wrong", "missing", "too-", "number-format-error", "inconsistent",
                    "unknown", "spurious", "keyword-within")
# Files without a marker that are nonetheless invalid, and why.
INVALID_BY_CONTENT = {
    "cdm/CDMExample1InvalidTca.txt": ("TCA", "2010-04-31 does not exist"),
    "cdm/CDMExample_issue1319_mandatory_empty_value.xml": ("X", "a state component is empty"),
    "opm/OPM-incompatible-units.txt": ("SOLAR_RAD_AREA", "[s] for an area"),
    # strict reading refuses [m] for km (502.0-B-3 §7.7.1.1); lenient reading scales it
    "opm/OPM-non-standard-units.txt": ("X", "[m] instead of [km]"),
    # the two halves of an Orekit writer template, not messages on their own
    "oem/OEMExample7.txt.pre": (None, "no data lines: the template's first half"),
    "oem/OEMExample7.txt.post": (None, "no header: the template's second half"),
}
# Expected (line, keyword) of the error for negative files of the OPM, OMM and CDM.
EXPECTED_ERRORS = {
    "cdm/CDM-covariance-wrong-entry-format.txt": (65, "CRDOT_T"),
    "cdm/CDM-missing-TCA.txt": (None, "TCA"),
    "cdm/CDM-missing-object1-covariance-block.xml": (86, "CR_R"),
    "cdm/CDM-missing-object2-state-vector.txt": (None, "X"),
    "cdm/CDM-wrong-key-word.txt": (6, "WRONG_KEYWORD"),
    "cdm/CDMExample1InvalidTca.txt": (5, "TCA"),
    "cdm/CDMExample_issue1319_mandatory_empty_value.xml": (88, "X"),
    "omm/OMM-number-format-error.txt": (15, "ARG_OF_PERICENTER"),
    "omm/OMM-wrong-keyword.txt": (9, "WRONG_KEYWORD"),
    "omm/spurious-metadata.xml": (17, "metadata"),
    "opm/OPM-incompatible-units.txt": (20, "SOLAR_RAD_AREA"),
    "opm/OPM-non-standard-units.txt": (16, "X"),
    "opm/OPM-number-format-error.txt": (17, "SEMI_MAJOR_AXIS"),
    "opm/OPM-unknown-center.txt": (11, "CENTER_NAME"),
    "opm/OPM-unknown-frame-mapper.txt": (12, "REF_FRAME"),
    "opm/OPM-unknown-frame.txt": (7, "REF_FRAME"),
    "opm/OPM-wrong-keyword.txt": (11, "WRONG_KEYWORD"),
    "opm/spurious-metadata.xml": (23, "metadata"),
}
# Positive files whose point is a name outside the SANA registries, agreed by ICD: Orekit
# reads them through a frame mapper; we read them with strict=False.
LENIENT = {"opm/OPM-frame-mapper-gcrf.txt": "COV_REF_FRAME = ZZRF"}
KINDS = ("oem", "opm", "omm", "cdm")


def read_example(path):
    """An example file read as its purpose requires (strict unless listed in LENIENT)."""
    return ccsds.read(path, strict=_rel(path) not in LENIENT)


def _rel(path):
    return f"{path.parent.name}/{path.name}"


def _files():
    return sorted(p for k in KINDS for p in (REF / k).iterdir() if p.is_file())


def _negative(path):
    rel = _rel(path)
    return rel in INVALID_BY_CONTENT or any(m in path.name.lower() for m in NEGATIVE_MARKERS)


POSITIVE = [p for p in _files() if not _negative(p)]
NEGATIVE = [p for p in _files() if _negative(p)]


def _strip_comments(obj):
    """The object's values without comments (KVN cannot tell a data-section comment from the
    first block's leading comment, so a comment may change place between XML and KVN)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: _strip_comments(getattr(obj, f.name)) for f in dataclasses.fields(obj)
               if f.name != "comments"}
        # a block holding only comments is written in KVN as comments alone
        return None if all(v is None for v in out.values()) else out
    if isinstance(obj, (list, tuple)):
        return [_strip_comments(v) for v in obj]
    return obj


def _assert_same_values(a, b, path="message"):
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            _assert_same_values(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same_values(x, y, f"{path}[{i}]")
    else:
        assert values_equal(a, b), f"{path}: {a!r} != {b!r}"


def test_file_lists_are_complete():
    # every kind has positive and negative examples, and none is silently skipped
    assert len(POSITIVE) + len(NEGATIVE) == len(_files())
    for k in KINDS:
        assert any(p.parent.name == k for p in POSITIVE), k
    assert len(NEGATIVE) >= 25


@pytest.mark.parametrize("path", POSITIVE, ids=_rel)
def test_positive_example_round_trips(path):
    msg = read_example(path)
    strict = _rel(path) not in LENIENT
    assert msg.NAME == path.parent.name.upper()
    native_xml = path.read_text(errors="replace").lstrip().startswith("<")
    kvn = ccsds.loads(msg.to_kvn(), strict=strict)
    xml = ccsds.loads(msg.to_xml(), strict=strict)
    # same-format round trip: an equal object, comments and all
    assert (xml if native_xml else kvn) == msg
    # the other format, and back: every value preserved
    back = ccsds.loads((kvn if native_xml else xml).to_xml() if native_xml
                       else xml.to_kvn(), strict=strict)
    _assert_same_values(_strip_comments(back), _strip_comments(msg))
    if not native_xml:
        assert back == msg  # KVN -> XML -> KVN keeps comments where they stand too
    # writing is deterministic
    assert ccsds.loads(kvn.to_kvn(), strict=strict).to_kvn() == msg.to_kvn()


@pytest.mark.parametrize("path", NEGATIVE, ids=_rel)
def test_negative_example_is_refused_with_its_place(path):
    with pytest.raises(InputError) as info:
        ccsds.read(path)
    err = info.value
    text = str(err)
    assert str(path) in text
    assert err.field, text
    assert err.line is not None and f"line {err.line}" in text
    if path.suffix == ".xml":
        assert "element /" in text
    expected = EXPECTED_ERRORS.get(_rel(path))
    if expected is not None:
        line, keyword = expected
        assert err.field == keyword, text
        assert keyword in text
        if line is not None:
            assert err.line == line, text


def test_lenient_reading_scales_compatible_units():
    strict = ccsds.read(REF / "opm/OPM-non-standard-units.txt", strict=False)
    sv = strict.data.state_vector
    np.testing.assert_allclose(sv.position, [6503.514, 1239.647, -717.490], rtol=0, atol=1e-9)
    np.testing.assert_allclose(sv.velocity, [-0.87316, 8.74042, -4.191076], rtol=0, atol=1e-12)
    # written back in the standard's units, which a strict reader accepts
    again = ccsds.loads(strict.to_kvn())
    assert "[km]" in strict.to_kvn() and "[m]" not in strict.to_kvn()
    np.testing.assert_array_equal(again.data.state_vector.position, sv.position)
    # incompatible units stay an error even when lenient
    with pytest.raises(InputError, match="SOLAR_RAD_AREA"):
        ccsds.read(REF / "opm/OPM-incompatible-units.txt", strict=False)


def test_icd_covariance_frame_needs_lenient_reading():
    path = REF / "opm/OPM-frame-mapper-gcrf.txt"
    with pytest.raises(InputError) as info:
        ccsds.read(path)
    assert info.value.field == "COV_REF_FRAME" and info.value.line == 42
    assert read_example(path).data.covariance.cov_ref_frame == "ZZRF"


def test_lenient_reading_accepts_names_agreed_by_icd():
    msg = ccsds.read(REF / "opm/OPM-unknown-frame.txt", strict=False)
    assert msg.metadata.ref_frame == "ZZRF"
    msg = ccsds.read(REF / "opm/OPM-unknown-center.txt", strict=False)
    assert msg.metadata.center_name == "UNKNOWN-CENTER"
    # strict is back on outside the call
    with pytest.raises(InputError, match="ZZRF"):
        ccsds.read(REF / "opm/OPM-unknown-frame.txt")


def test_empty_object_id_is_kept_and_written_back():
    # CelesTrak analyst objects have no international designator: OBJECT_ID is blank
    msg = ccsds.read(REF / "omm/OMM-empty-object-id.txt")
    assert msg.metadata.object_id == ""
    assert "OBJECT_ID =\n" in msg.to_kvn()
    assert ccsds.loads(msg.to_xml()) == msg


def test_values_of_a_known_omm():
    msg = ccsds.read(REF / "omm/OMMExample1.txt")
    assert msg.metadata.object_name == "GOES 9"
    assert msg.metadata.mean_element_theory == "SGP/SGP4"
    me = msg.data.mean_elements
    assert me.mean_motion == 1.00273272
    assert me.eccentricity == 0.0005013
    assert me.inclination == 3.0539


def test_cdm_values_and_rtn_covariance():
    msg = ccsds.read(REF / "cdm/CDMExample1.txt")
    assert msg.relative.miss_distance == 715.0
    assert msg.relative.tca.text == "2010-03-13T22:37:52.618"
    cov = msg.object1.data.covariance.matrix
    assert cov.shape[0] >= 6
    np.testing.assert_array_equal(cov, cov.T)  # stored full and symmetric
    assert cov[0, 0] == 41.42 and cov[1, 0] == -8.579  # CR_R, CT_R in m**2
    assert msg.object2.data.covariance.matrix[0, 0] == 1337.0


@pytest.mark.parametrize("bad, field", [
    (b"", None), (b"\xff\xfe garbage", None), (b"CCSDS_OPM_VERS = 9.0\n", "CCSDS_OPM_VERS"),
    (b"<opm><header/>", None), (b"<?xml version='1.0'?><foo/>", None),
    (b"CCSDS_OMM_VERS = 3.0\nCREATION_DATE = 2021-02-30T00:00:00\n", "CREATION_DATE"),
])
def test_garbage_is_an_input_error(bad, field):
    with pytest.raises(InputError) as info:
        ccsds.loads(bad, source="bad.txt")
    assert "bad.txt" in str(info.value)
    if field:
        assert info.value.field == field


def test_read_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        ccsds.read(tmp_path / "nope.opm")
    with pytest.raises(InputError, match="folder"):
        ccsds.read(tmp_path)


def test_write_is_atomic_and_validates_first(tmp_path):
    msg = ccsds.read(REF / "opm/OPMExample1.txt")
    out = tmp_path / "out.opm"
    out.write_text("previous content\n")
    bad = dataclasses.replace(msg, metadata=dataclasses.replace(msg.metadata,
                                                                 ref_frame="EME\n2000"))
    with pytest.raises(InputError, match="REF_FRAME"):
        bad.write(out)
    assert out.read_text() == "previous content\n"  # nothing half-written
    msg.write(out)
    assert ccsds.read(out) == msg
    msg.write(tmp_path / "out.xml")
    assert ccsds.read(tmp_path / "out.xml") == msg


# ----------------------------------------------------------------------------- hostile input
@pytest.mark.parametrize("data", [None, 1.5, ["a"], 123])
def test_loads_refuses_what_is_not_text(data):
    with pytest.raises(InputError, match="text .str. or bytes"):
        ccsds.loads(data)


@pytest.mark.parametrize("text, field", [
    ("CCSDS_OPM_VERS = " + "9" * 5000 + ".0\n", "CCSDS_OPM_VERS"),
    ((REF / "omm/OMMExample1.txt").read_text().replace("NORAD_CAT_ID      = 23581",
                                                        "NORAD_CAT_ID = " + "9" * 5000),
     "NORAD_CAT_ID"),
    ((REF / "opm/OPMExample1.txt").read_text().replace("6503.514000", "1e-400"), "X"),
    ((REF / "oem/OEMExample5.txt").read_text().replace("REF_FRAME = GCRF", "REF_FRAME = FOO"),
     "REF_FRAME"),
    ((REF / "oem/OEMExample5.txt").read_text().replace("CENTER_NAME = EARTH",
                                                       "CENTER_NAME = FOO"), "CENTER_NAME"),
    ((REF / "oem/OEMExample5.txt").read_text().replace("INTERPOLATION = HERMITE",
                                                       "INTERPOLATION = SPLINE"),
     "INTERPOLATION"),
    ((REF / "oem/OEMExample5.txt").read_text().replace("INTERPOLATION_DEGREE = 1",
                                                       "INTERPOLATION_DEGREE = 2000000000"),
     "INTERPOLATION_DEGREE"),
])
def test_hostile_values_are_input_errors(text, field):
    assert text.count("\n") > 0
    with pytest.raises(InputError) as info:
        ccsds.loads(text, source="hostile.txt")
    assert info.value.field == field, str(info.value)
    assert len(str(info.value)) < 600  # the value is clipped, not echoed in full


def test_write_refuses_folders_devices_read_only_files_and_missing_folders(tmp_path):
    import os

    msg = ccsds.read(REF / "opm/OPMExample1.txt")
    ro = tmp_path / "ro.opm"
    ro.write_text("keep me\n")
    ro.chmod(0o444)
    for target, reason in ((tmp_path, "is a folder"), (Path(os.devnull), "not a regular file"),
                           (ro, "read-only"), (tmp_path / "no" / "x.opm", "does not exist"),
                           (None, "not a path")):
        with pytest.raises(InputError, match=reason):
            msg.write(target)
    assert ro.read_text() == "keep me\n"
    assert Path(os.devnull).is_char_device()


@pytest.mark.parametrize("date", ["1998-12-18T14:28:59.99999999999999999",
                                  "2016-12-31T23:59:60.99999999999999999"])
def test_long_fractions_of_a_second_stay_in_their_second(date):
    # float('59.99999999999999999') is 60.0: the seconds must not roll into the next minute
    text = (REF / "opm/OPMExample1.txt").read_text().replace("1998-12-18T14:28:15.1172", date)
    msg = ccsds.loads(text)
    assert msg.data.state_vector.epoch.text == date
    assert ccsds.loads(msg.to_xml()) == msg


def test_control_characters_by_xml_reference_are_refused():
    xml = ccsds.read(REF / "opm/OPMExample3.xml").to_xml()
    for ref in ("&#10;", "&#x9;", "&#13;"):
        with pytest.raises(InputError, match="control character") as info:
            ccsds.loads(xml.replace("<ORIGINATOR>", f"<ORIGINATOR>A{ref}", 1), source="c.xml")
        assert info.value.line is not None
    assert ccsds.loads(xml.replace("<ORIGINATOR>", "<ORIGINATOR>&#65;", 1)).header.originator[0] \
        == "A"


def test_negative_catalog_numbers_and_counts_are_refused():
    text = (REF / "omm/OMMExample1.txt").read_text()
    for key in ("NORAD_CAT_ID", "REV_AT_EPOCH", "ELEMENT_SET_NO"):
        bad = "\n".join(f"{key} = -1" if ln.split("=")[0].strip() == key else ln
                        for ln in text.splitlines())
        with pytest.raises(InputError, match="negative") as info:
            ccsds.loads(bad)
        assert info.value.field == key


def test_pc_hard_body_radius_must_be_a_number():
    cdm = ccsds.read(REF / "cdm/CDMExample1.txt")
    for bad in ("5", True, None, -1.0):
        with pytest.raises(InputError, match="hbr"):
            cdm.probability_of_collision(hbr=bad)
    assert 0 < cdm.probability_of_collision(hbr=10).pc < 1e-6
