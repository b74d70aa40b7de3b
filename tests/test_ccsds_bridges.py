"""Bridges from CCSDS OMM/OPM to SGP4, states and burns (cosmoplan.ccsds.bridges)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from conftest import REFDATA
from cosmoplan import ccsds
from cosmoplan.errors import InputError
from cosmoplan.propagator import ImpulsiveManeuver
from cosmoplan.states import cartesian_to_keplerian, true_to_mean_anomaly
from cosmoplan.time import Epoch
from cosmoplan.tle import TLE, read_tles

REF = str(REFDATA)
OMM_DIR = f"{REF}/ccsds/orekit/omm"
OPM_DIR = f"{REF}/ccsds/orekit/opm"
TIANHE = f"{REF}/tle/tianhe_48274_2021.tle"
CATALOG = f"{REF}/catalog/celestrak_active_2021-12-07.tle"


def _span(epoch, days=3.0, n=25):
    return epoch + np.linspace(-0.5 * 86400.0, days * 86400.0, n)


# ----------------------------------------------------------------------------- TLE <-> OMM
def test_tianhe_round_trip_and_bit_identical_propagation(tmp_path):
    tles = read_tles(TIANHE)
    assert len(tles) == 5
    for t in tles:
        omm = ccsds.omm_from_tle(t, originator="TEST")
        assert omm.header.version == "3.0"
        assert omm.metadata.ref_frame == "TEME" and omm.metadata.time_system == "UTC"
        assert omm.metadata.object_id == "2021-035A"
        assert omm.data.tle_parameters.norad_cat_id == 48274
        back = omm.to_tle()
        assert back == t
        if t._zero_exponent_plus == (False, False):
            assert back.to_lines() == t.to_lines()
        else:  # '00000+0' comes back as '00000-0' (the OMM holds the value only)
            assert back.to_lines()[1] == t.to_lines()[1]
        ep = _span(t.epoch)
        a = t.propagate(ep, max_age_days=None)
        b = omm.propagate(ep, max_age_days=None)
        assert np.array_equal(a.r, b.r) and np.array_equal(a.v, b.v)
        # written and read back, KVN and XML: same message, same states
        for name in ("m.omm", "m.xml"):
            path = tmp_path / name
            omm.write(path)
            again = ccsds.read(path)
            assert again == omm
            c = again.propagate(ep, max_age_days=None)
            assert np.array_equal(a.r, c.r)


def test_celestrak_catalog_satrec_bit_identical():
    tles = read_tles(CATALOG)
    deep = [t for t in tles if t.mean_motion_rev_per_day < 6.4]  # SDP4 (deep space)
    sample = tles[::40] + deep[::15]
    jd = np.full(6, 2459555.5)
    fr = np.linspace(-2.0, 3.0, 6)
    for t in sample:
        sat = ccsds.omm_to_satrec(ccsds.omm_from_tle(t))
        e1, r1, v1 = t.satrec.sgp4_array(jd, fr)
        e2, r2, v2 = sat.sgp4_array(jd, fr)
        assert np.array_equal(e1, e2)
        assert np.array_equal(r1, r2) and np.array_equal(v1, v2), t.satnum
        assert sat.jdsatepoch == t.satrec.jdsatepoch
        assert sat.jdsatepochF == t.satrec.jdsatepochF


def test_against_python_sgp4_omm_initialize():
    """CelesTrak-style OMM fields through python-sgp4's own sgp4.omm.initialize."""
    from sgp4 import omm as sgp4_omm
    from sgp4.api import Satrec

    t = read_tles(TIANHE)[0]
    omm = ccsds.omm_from_tle(t)
    me, tp = omm.data.mean_elements, omm.data.tle_parameters
    fields = {"OBJECT_ID": omm.metadata.object_id, "EPOCH": me.epoch.text,
              "MEAN_MOTION": repr(me.mean_motion), "ECCENTRICITY": repr(me.eccentricity),
              "INCLINATION": repr(me.inclination), "RA_OF_ASC_NODE": repr(me.ra_of_asc_node),
              "ARG_OF_PERICENTER": repr(me.arg_of_pericenter),
              "MEAN_ANOMALY": repr(me.mean_anomaly), "EPHEMERIS_TYPE": "0",
              "CLASSIFICATION_TYPE": "U", "NORAD_CAT_ID": "48274", "ELEMENT_SET_NO": "999",
              "REV_AT_EPOCH": "530", "BSTAR": repr(tp.bstar),
              "MEAN_MOTION_DOT": repr(tp.mean_motion_dot),
              "MEAN_MOTION_DDOT": repr(tp.mean_motion_ddot)}
    ref = Satrec()
    sgp4_omm.initialize(ref, fields)
    mine = omm.satrec()
    jd, fr = np.full(5, 2459366.5), np.linspace(0.9, 3.9, 5)
    _, r1, _ = ref.sgp4_array(jd, fr)
    _, r2, _ = mine.sgp4_array(jd, fr)
    # python-sgp4 takes the epoch through datetime seconds (~1e-11 day): measured 1.4e-6 km
    assert np.abs(r1 - r2).max() < 1e-5


def test_goes9_omm_example_against_hand_built_tle():
    omm = ccsds.read(f"{OMM_DIR}/OMMExample1.txt")
    assert omm.metadata.mean_element_theory == "SGP/SGP4"
    # GOES 9 written by hand from the OMM's values (checksums computed by the format)
    tle = TLE(satnum=23581, intl_designator="95025A", epoch_year=2007,
              epoch_day=64 + (10 * 3600 + 34 * 60 + 41.4264) / 86400.0, ndot=-0.00000113,
              nddot=0.0, bstar=0.0001, element_number=925,
              inclination_rad=math.radians(3.0539), raan_rad=math.radians(81.7939),
              eccentricity=0.0005013, arg_perigee_rad=math.radians(249.2363),
              mean_anomaly_rad=math.radians(150.1602), mean_motion_rev_per_day=1.00273272,
              rev_number=4316)
    line1, line2 = tle.to_lines()
    hand = TLE.from_lines(line1, line2)
    assert omm.to_tle() == dataclasses.replace(hand, name="GOES 9")
    ep = omm.data.mean_elements.epoch + np.linspace(0.0, 5 * 86400.0, 11)
    a = omm.propagate(ep)
    b = hand.propagate(ep)
    assert np.abs(a.r - b.r).max() < 1e-9  # measured: 0 (bit-identical)
    assert a.frame == "TEME" and a.name == "GOES 9"
    g = omm.propagate(ep, frame="GCRF")
    assert np.allclose(np.linalg.norm(g.r, axis=1), np.linalg.norm(a.r, axis=1), atol=1e-6)
    # the XML twin propagates the same
    x = ccsds.read(f"{OMM_DIR}/OMMExample2.xml").propagate(ep)
    assert np.array_equal(x.r, a.r)


@pytest.mark.parametrize("satnum", [100000, 339999, 400000, 123456789])
def test_large_catalog_numbers(satnum):
    t = read_tles(TIANHE)[0]
    omm = ccsds.omm_from_tle(t)
    omm.data.tle_parameters.norad_cat_id = satnum
    ep = _span(t.epoch, 1.0, 5)
    ref = t.propagate(ep, max_age_days=None)
    traj = omm.propagate(ep, max_age_days=None)
    assert np.array_equal(traj.r, ref.r)
    again = ccsds.loads(omm.to_kvn())
    assert again.data.tle_parameters.norad_cat_id == satnum
    if satnum <= 339999:
        tle = omm.to_tle()
        assert tle.satnum == satnum
        assert tle.to_lines()[0][2:7] == ("A0000" if satnum == 100000 else "Z9999")
        assert omm.satrec().satnum == satnum
        assert np.array_equal(tle.propagate(ep, max_age_days=None).r, ref.r)
    else:
        with pytest.raises(InputError, match="NORAD_CAT_ID") as exc:
            omm.to_tle()
        assert exc.value.field == "NORAD_CAT_ID"
        assert omm.satrec().satnum == 0


@pytest.mark.parametrize("attr, value, keyword", [
    ("metadata.mean_element_theory", "SGP4-XP", "MEAN_ELEMENT_THEORY"),
    ("metadata.mean_element_theory", "DSST", "MEAN_ELEMENT_THEORY"),
    ("metadata.center_name", "MOON", "CENTER_NAME"),
    ("metadata.ref_frame", "EME2000", "REF_FRAME"),
    ("metadata.time_system", "TAI", "TIME_SYSTEM"),
    ("data.tle_parameters.bstar", None, "BSTAR"),
    ("data.tle_parameters.mean_motion_ddot", None, "MEAN_MOTION_DDOT"),
    ("data.tle_parameters.ephemeris_type", 4, "EPHEMERIS_TYPE"),
    ("data.mean_elements.eccentricity", 1.2, "ECCENTRICITY"),
    ("data.tle_parameters", None, "BSTAR"),
])
def test_sgp4_compatibility_errors_name_the_keyword(attr, value, keyword):
    omm = ccsds.read(f"{OMM_DIR}/OMMExample1.txt")
    *path, last = attr.split(".")
    obj = omm
    for p in path:
        obj = getattr(obj, p)
    setattr(obj, last, value)
    for call in (ccsds.check_sgp4_omm, ccsds.omm_to_satrec, ccsds.OMM.to_tle,
                 lambda m: m.propagate(Epoch.from_iso("2007-03-06T00:00:00"))):
        with pytest.raises(InputError) as exc:
            call(omm)
        assert exc.value.field == keyword
        assert keyword in str(exc.value)


def test_sgp4_xp_and_semi_major_axis_examples_refused():
    with pytest.raises(InputError, match="SGP4-XP") as exc:
        ccsds.read(f"{OMM_DIR}/OMMExample5.txt").propagate(Epoch.from_iso("2007-03-06"))
    assert exc.value.field == "MEAN_ELEMENT_THEORY"
    with pytest.raises(InputError) as exc:
        ccsds.check_sgp4_omm(ccsds.read(f"{OMM_DIR}/OMMExample3_utc.txt"))
    assert exc.value.field == "MEAN_ELEMENT_THEORY"
    # OMMExample4: SGP/SGP4 with BSTAR -.47102E-5: propagates
    omm4 = ccsds.read(f"{OMM_DIR}/OMMExample4.xml")
    traj = omm4.propagate(omm4.data.mean_elements.epoch + np.array([0.0, 3600.0]))
    assert 6500 < np.linalg.norm(traj.r[0]) < 9000


# ----------------------------------------------------------------------------- OPM
def test_opm_state_in_message_frame_and_gcrf():
    opm = ccsds.read(f"{OPM_DIR}/OPMExample1.txt")  # ITRF2000, UTC
    s = opm.state()
    assert s.frame == "ITRF2000" and s.center == "EARTH"
    assert isinstance(s.epoch, Epoch) and s.epoch.time_system == "UTC"
    assert s.r.shape == (3,) and s.v.shape == (3,)
    assert np.array_equal(s.r, [6503.514, 1239.647, -717.49])
    g = opm.state("GCRF")
    assert g.frame == "GCRF"
    assert abs(np.linalg.norm(g.r) - np.linalg.norm(s.r)) < 1e-8
    # back to ITRF through the frame tree
    from cosmoplan.frames import transform

    r, v = transform(g.r, g.v, g.epoch, "GCRF", "ITRF")
    assert np.allclose(r, s.r, atol=1e-9) and np.allclose(v, s.v, atol=1e-12)
    traj = g.trajectory()
    assert traj.frame == "GCRF" and len(traj) == 1


def test_opm_state_time_systems_and_refusals():
    gps = ccsds.read(f"{OPM_DIR}/OPMExample5.txt")  # GCRF, GPS
    s = gps.state("GCRF")
    assert s.epoch.time_system == "GPS" and s.epoch.scale == "tai"
    assert np.array_equal(s.r, gps.data.state_vector.position)
    with pytest.raises(InputError, match="TOD") as exc:
        ccsds.read(f"{OPM_DIR}/OPMExample2.txt").state("GCRF")
    assert exc.value.field == "REF_FRAME" and "EME2000" in str(exc.value)
    with pytest.raises(InputError) as exc:
        ccsds.read(f"{OPM_DIR}/OPMExample7.txt").state("GCRF")  # MARS, MCI
    assert exc.value.field == "CENTER_NAME"
    mars = ccsds.read(f"{OPM_DIR}/OPMExample7.txt").state()
    assert mars.frame == "MCI" and mars.center == "MARS"
    gmst = ccsds.read(f"{OPM_DIR}/OPMExample6.txt").state()  # TIME_SYSTEM GMST
    assert not isinstance(gmst.epoch, Epoch)
    icrf = ccsds.read(f"{OPM_DIR}/OPM-frame-mapper-gcrf.txt", strict=False).state("GCRF")
    assert np.array_equal(icrf.r, [6655.9942, -40218.5751, -82.9177])


@pytest.mark.parametrize("name", ["OPMExample2.txt", "OPMExample4.txt", "OPMExample5.txt",
                                  "OPM-frame-mapper-gcrf.txt"])
def test_opm_keplerian_elements_against_state_vector(name):
    """a, e, i, RAAN, argp agree with the state vector to ~1e-6; the examples' TRUE_ANOMALY
    (41.922339 deg) is in fact the *mean* anomaly of the state (true anomaly 43.549 deg)."""
    opm = ccsds.read(f"{OPM_DIR}/{name}", strict="frame-mapper" not in name)
    k, sv = opm.data.keplerian_elements, opm.data.state_vector
    el = cartesian_to_keplerian(sv.position, sv.velocity, k.gm)
    assert abs(float(el.a) / k.semi_major_axis - 1) < 1e-6
    assert abs(float(el.e) / k.eccentricity - 1) < 1e-5
    for mine, theirs in ((el.i, k.inclination), (el.raan, k.ra_of_asc_node),
                         (el.argp, k.arg_of_pericenter)):
        assert abs(math.degrees(float(mine)) - theirs) < 1e-4
    mean = math.degrees(float(true_to_mean_anomaly(el.nu, el.e)))
    assert abs(mean - k.true_anomaly) < 1e-4
    # read as the mean anomaly, the elements give back the state vector to ~1e-6
    k.mean_anomaly, k.true_anomaly = k.true_anomaly, None
    r, v = ccsds.opm_keplerian_state(opm)
    assert np.linalg.norm(r - sv.position) / np.linalg.norm(sv.position) < 1e-6
    assert np.linalg.norm(v - sv.velocity) / np.linalg.norm(sv.velocity) < 1e-6


def test_opm_burns():
    opm = ccsds.read(f"{OPM_DIR}/OPMExample5.txt")
    burns = opm.burns()
    assert [b.name for b in burns] == ["MAN1", "MAN2", "MAN3"]
    b1, b2 = burns[0], burns[1]
    assert b1.frame == "EME2000" and b1.duration_s == 132.6 and b1.delta_mass_kg == -18.418
    assert np.array_equal(b1.dv, [-0.023257, 0.0168316, -0.00893444])
    assert b1.epoch.time_system == "GPS"
    imp = b1.to_impulsive()
    assert isinstance(imp, ImpulsiveManeuver) and imp.frame == "GCRF"
    assert abs(float(imp.epoch - b1.epoch) - 66.3) < 1e-6  # midpoint of the 132.6 s burn
    assert abs(np.linalg.norm(imp.dv) - np.linalg.norm(b1.dv)) < 1e-15
    assert 0 < np.abs(np.array(imp.dv) - b1.dv).max() < 1e-7  # frame bias (23 mas)
    assert float(b1.to_impulsive(at="ignition").epoch - b1.epoch) == 0.0
    imp2 = b2.to_impulsive()
    assert imp2.frame == "RTN" and imp2.dv == (0.001015, -0.001873, 0.0)
    # inertial=True: RTN burns away from the OPM epoch keep their label
    conv = opm.burns(inertial=True)
    assert conv[0].frame == "GCRF" and conv[1].frame == "RTN"


def test_opm_burn_at_state_epoch_is_rotated_with_the_state():
    opm = ccsds.read(f"{OPM_DIR}/OPMExample5.txt")
    opm.data.maneuvers[1].man_epoch_ignition = opm.data.state_vector.epoch
    opm.data.maneuvers[2].man_ref_frame = "TNW"
    opm.data.maneuvers[2].man_epoch_ignition = opm.data.state_vector.epoch
    conv = opm.burns(inertial=True)
    s = opm.state("GCRF")
    rhat, h = s.r / np.linalg.norm(s.r), np.cross(s.r, s.v)
    rtn = conv[1]
    assert rtn.frame == "GCRF"
    assert abs(rtn.dv @ rhat - 0.001015) < 1e-15  # radial component kept
    assert abs(rtn.dv @ (h / np.linalg.norm(h))) < 1e-15
    tnw = conv[2]
    assert abs(tnw.dv @ (s.v / np.linalg.norm(s.v)) - 0.001015) < 1e-15
    with pytest.raises(InputError, match="TNW"):
        opm.burns()[2].to_impulsive()


def test_opm_partial_maneuver():
    opm = ccsds.read(f"{OPM_DIR}/OPMExamplePartialManeuver.txt")
    (b,) = opm.burns()
    assert b.duration_s is None and b.delta_mass_kg is None and b.frame == "J2000"
    imp = b.to_impulsive()
    assert imp.frame == "GCRF" and float(imp.epoch - b.epoch) == 0.0
    (g,) = opm.burns(inertial=True)  # J2000 is inertial: converted even though REF_FRAME TOD
    assert g.frame == "GCRF" and np.allclose(g.dv, imp.dv, atol=0, rtol=0)
