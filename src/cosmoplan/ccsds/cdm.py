"""Conjunction Data Message (CDM): CCSDS 508.0-B-1 (version 1.0), KVN (§3, §6.3) and
XML (§4, §6.4; NDM/XML 505.0-B-2).

A conjunction between two objects: relative metadata/data at the time of closest approach
(TCA, miss distance, relative state in Object1's RTN frame, screening volume, probability
of collision), then for each object metadata and data (OD parameters, additional
parameters, state vector at TCA in km and km/s, and the RTN covariance in m-based units,
6x6 with the optional drag (CDRG), solar-pressure (CSRP) and thrust (CTHR) rows up to
9x9). All dates are UTC (508.0-B-1 §6.2.3.4).

Keywords added by the CDM 2.0 drafts that Orekit reads (CONJUNCTION_ID,
MAHALANOBIS_DISTANCE, APPROACH_ANGLE, SCREEN_TYPE, ..., OD_EPOCH, HBR, OEB_*, XYZ
covariance, CSIG3EIGVEC3, additional covariance metadata) are accepted in any version,
since the reference examples use them with CCSDS_CDM_VERS = 1.0.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np

from . import _xml
from ._blocks import (
    INT,
    Block,
    Ctx,
    RawBlock,
    check_comments,
    comments_field,
    components,
    date,
    enum,
    integer,
    real,
    registered,
    text,
    vector,
)
from ._common import (
    CDMHeader,
    TriangularMatrix,
    UserDefined,
    check_version,
    matrix_keywords,
    read_matrix_entries,
)
from ._kvn import Layout, RawMessage
from ._message import (
    Message,
    block_lines,
    by_kind,
    expect,
    merge_data_comments,
    register,
    xml_block,
)

__all__ = ["CDM", "CDMRelativeMetadata", "CDMObject", "CDMMetadata", "CDMData",
           "ODParameters", "AdditionalParameters", "CDMStateVector", "RTNCovariance",
           "XYZCovariance", "SigmaEigenvectors", "AdditionalCovarianceMetadata"]


# CDM user-defined parameters are written in XML as <USER_DEFINED_name> elements, the form
# of the 508.0-B-1 examples and the one Orekit's CDM parser reads (it refuses the ODM form
# <USER_DEFINED parameter="name">, which our reader also accepts).
_USER_PARAM = re.compile(r'<USER_DEFINED parameter="([A-Za-z0-9_]+)">(.*)</USER_DEFINED>')


def _udate(keyword, **kw):
    return date(keyword, utc=True, **kw)


_YES_NO = ("YES", "NO")


@dataclass(eq=False, kw_only=True)
class CDMRelativeMetadata(Block):
    """Relative metadata/data (508.0-B-1 table 3-2; CDM 2.0 additions).

    Attributes (units m, m/s, deg; dates UTC): ``tca`` (TCA), ``miss_distance`` (m),
    ``relative_speed`` (m/s), ``relative_position`` and ``relative_velocity`` (R, T, N of
    Object2 relative to Object1 in Object1's RTN frame; m and m/s, shape (3,), NaN for a
    component not given), screening period and volume (SCREEN_VOLUME_X/Y/Z in m, in
    SCREEN_VOLUME_FRAME RTN or TVN), ``collision_probability`` and its method, and the
    CDM 2.0 keywords.
    """

    _TITLE = "relative metadata/data"
    _XML = "relativeMetadataData"
    comments: list = comments_field()
    conjunction_id: str | None = text("CONJUNCTION_ID")
    tca: object = _udate("TCA", required=True)
    miss_distance: float | None = real("MISS_DISTANCE", "m", required=True)
    mahalanobis_distance: float | None = real("MAHALANOBIS_DISTANCE")
    relative_speed: float | None = real("RELATIVE_SPEED", "m/s")
    approach_angle: float | None = real("APPROACH_ANGLE", "deg")
    relative_position: object = components(
        ("RELATIVE_POSITION_R", "RELATIVE_POSITION_T", "RELATIVE_POSITION_N"), "m")
    relative_velocity: object = components(
        ("RELATIVE_VELOCITY_R", "RELATIVE_VELOCITY_T", "RELATIVE_VELOCITY_N"), "m/s")
    start_screen_period: object = _udate("START_SCREEN_PERIOD")
    stop_screen_period: object = _udate("STOP_SCREEN_PERIOD")
    screen_type: str | None = enum("SCREEN_TYPE", ("SHAPE", "PC", "PC_MAX"))
    screen_volume_frame: str | None = enum("SCREEN_VOLUME_FRAME", ("RTN", "TVN"))
    screen_volume_shape: str | None = enum("SCREEN_VOLUME_SHAPE", ("ELLIPSOID", "BOX", "SPHERE"))
    screen_volume_radius: float | None = real("SCREEN_VOLUME_RADIUS", "m")
    screen_volume_x: float | None = real("SCREEN_VOLUME_X", "m")
    screen_volume_y: float | None = real("SCREEN_VOLUME_Y", "m")
    screen_volume_z: float | None = real("SCREEN_VOLUME_Z", "m")
    screen_entry_time: object = _udate("SCREEN_ENTRY_TIME")
    screen_exit_time: object = _udate("SCREEN_EXIT_TIME")
    screen_pc_threshold: float | None = real("SCREEN_PC_THRESHOLD")
    collision_percentile: tuple | None = vector("COLLISION_PERCENTILE", item=INT)
    collision_probability: float | None = real("COLLISION_PROBABILITY")
    collision_probability_method: str | None = text("COLLISION_PROBABILITY_METHOD")
    collision_max_probability: float | None = real("COLLISION_MAX_PROBABILITY")
    collision_max_pc_method: str | None = text("COLLISION_MAX_PC_METHOD")
    sefi_collision_probability: float | None = real("SEFI_COLLISION_PROBABILITY")
    sefi_collision_probability_method: str | None = text("SEFI_COLLISION_PROBABILITY_METHOD")
    sefi_fragmentation_model: str | None = text("SEFI_FRAGMENTATION_MODEL")
    previous_message_id: str | None = text("PREVIOUS_MESSAGE_ID")
    previous_message_epoch: object = _udate("PREVIOUS_MESSAGE_EPOCH")
    next_message_epoch: object = _udate("NEXT_MESSAGE_EPOCH")

    def check(self, loc):
        for name in ("collision_probability", "collision_max_probability",
                     "sefi_collision_probability", "screen_pc_threshold"):
            p = getattr(self, name)
            if p is not None and not 0.0 <= p <= 1.0:
                raise loc.error(f"{name.upper()} = {p} is not a probability (0 to 1)",
                                field=name.upper())


@dataclass(eq=False, kw_only=True)
class CDMMetadata(Block):
    """Metadata of one object (508.0-B-1 table 3-3; CDM 2.0 additions).

    ``object`` is OBJECT1 or OBJECT2; ``ref_frame`` (GCRF, EME2000 or ITRF, the same for
    both objects) is the frame of the state vector; ``orbit_center`` defaults to Earth.
    """

    _TITLE = "object metadata"
    _XML = "metadata"
    comments: list = comments_field()
    object: str | None = enum("OBJECT", ("OBJECT1", "OBJECT2"), required=True)
    object_designator: str | None = text("OBJECT_DESIGNATOR", required=True)
    catalog_name: str | None = text("CATALOG_NAME", required=True)
    object_name: str | None = text("OBJECT_NAME", required=True)
    international_designator: str | None = text("INTERNATIONAL_DESIGNATOR", required=True)
    object_type: str | None = enum("OBJECT_TYPE",
                                   ("PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN", "OTHER"))
    operator_contact_position: str | None = text("OPERATOR_CONTACT_POSITION")
    operator_organization: str | None = text("OPERATOR_ORGANIZATION")
    operator_phone: str | None = text("OPERATOR_PHONE")
    operator_email: str | None = text("OPERATOR_EMAIL")
    odm_msg_link: str | None = text("ODM_MSG_LINK")
    adm_msg_link: str | None = text("ADM_MSG_LINK")
    obs_before_next_message: str | None = enum("OBS_BEFORE_NEXT_MESSAGE", _YES_NO)
    ephemeris_name: str | None = text("EPHEMERIS_NAME", required=True)
    covariance_method: str | None = enum("COVARIANCE_METHOD", ("CALCULATED", "DEFAULT"),
                                         required=True)
    covariance_source: str | None = text("COVARIANCE_SOURCE")
    maneuverable: str | None = enum("MANEUVERABLE", ("YES", "NO", "N/A"), required=True)
    orbit_center: str | None = registered("ORBIT_CENTER", "center")
    ref_frame: str | None = enum("REF_FRAME", ("GCRF", "EME2000", "ITRF"), required=True)
    alt_cov_type: str | None = enum("ALT_COV_TYPE", ("XYZ", "CSIG3EIGVEC3"))
    alt_cov_ref_frame: str | None = text("ALT_COV_REF_FRAME")
    gravity_model: str | None = text("GRAVITY_MODEL")
    atmospheric_model: str | None = text("ATMOSPHERIC_MODEL")
    n_body_perturbations: str | None = text("N_BODY_PERTURBATIONS")
    solar_rad_pressure: str | None = enum("SOLAR_RAD_PRESSURE", _YES_NO)
    earth_tides: str | None = enum("EARTH_TIDES", _YES_NO)
    intrack_thrust: str | None = enum("INTRACK_THRUST", _YES_NO)


@dataclass(eq=False, kw_only=True)
class ODParameters(Block):
    """OD parameters (508.0-B-1 table 3-4): spans in days, RESIDUALS_ACCEPTED in %."""

    _TITLE = "OD parameters"
    _XML = "odParameters"
    comments: list = comments_field()
    time_lastob_start: object = _udate("TIME_LASTOB_START")
    time_lastob_end: object = _udate("TIME_LASTOB_END")
    recommended_od_span: float | None = real("RECOMMENDED_OD_SPAN", "d")
    actual_od_span: float | None = real("ACTUAL_OD_SPAN", "d")
    obs_available: int | None = integer("OBS_AVAILABLE")
    obs_used: int | None = integer("OBS_USED")
    tracks_available: int | None = integer("TRACKS_AVAILABLE")
    tracks_used: int | None = integer("TRACKS_USED")
    residuals_accepted: float | None = real("RESIDUALS_ACCEPTED", "%")
    weighted_rms: float | None = real("WEIGHTED_RMS")
    od_epoch: object = _udate("OD_EPOCH")


@dataclass(eq=False, kw_only=True)
class AdditionalParameters(Block):
    """Additional parameters (508.0-B-1 table 3-4; CDM 2.0 additions).

    Areas in m**2, MASS kg, CD/CR_AREA_OVER_MASS m**2/kg, THRUST_ACCELERATION m/s**2,
    SEDR W/kg, HBR (hard-body radius) and OEB dimensions m, altitudes km, INCLINATION deg.
    """

    _TITLE = "additional parameters"
    _XML = "additionalParameters"
    comments: list = comments_field()
    area_pc: float | None = real("AREA_PC", "m**2")
    area_pc_min: float | None = real("AREA_PC_MIN", "m**2")
    area_pc_max: float | None = real("AREA_PC_MAX", "m**2")
    area_drg: float | None = real("AREA_DRG", "m**2")
    area_srp: float | None = real("AREA_SRP", "m**2")
    oeb_parent_frame: str | None = text("OEB_PARENT_FRAME")
    oeb_parent_frame_epoch: object = _udate("OEB_PARENT_FRAME_EPOCH")
    oeb_q1: float | None = real("OEB_Q1")
    oeb_q2: float | None = real("OEB_Q2")
    oeb_q3: float | None = real("OEB_Q3")
    oeb_qc: float | None = real("OEB_QC")
    oeb_max: float | None = real("OEB_MAX", "m")
    oeb_int: float | None = real("OEB_INT", "m")
    oeb_min: float | None = real("OEB_MIN", "m")
    area_along_oeb_max: float | None = real("AREA_ALONG_OEB_MAX", "m**2")
    area_along_oeb_int: float | None = real("AREA_ALONG_OEB_INT", "m**2")
    area_along_oeb_min: float | None = real("AREA_ALONG_OEB_MIN", "m**2")
    rcs: float | None = real("RCS", "m**2")
    rcs_min: float | None = real("RCS_MIN", "m**2")
    rcs_max: float | None = real("RCS_MAX", "m**2")
    vm_absolute: float | None = real("VM_ABSOLUTE")
    vm_apparent_min: float | None = real("VM_APPARENT_MIN")
    vm_apparent: float | None = real("VM_APPARENT")
    vm_apparent_max: float | None = real("VM_APPARENT_MAX")
    reflectance: float | None = real("REFLECTANCE")
    mass: float | None = real("MASS", "kg")
    hbr: float | None = real("HBR", "m")
    cd_area_over_mass: float | None = real("CD_AREA_OVER_MASS", "m**2/kg")
    cr_area_over_mass: float | None = real("CR_AREA_OVER_MASS", "m**2/kg")
    thrust_acceleration: float | None = real("THRUST_ACCELERATION", "m/s**2")
    sedr: float | None = real("SEDR", "W/kg")
    apoapsis_altitude: float | None = real("APOAPSIS_ALTITUDE", "km")
    periapsis_altitude: float | None = real("PERIAPSIS_ALTITUDE", "km")
    inclination: float | None = real("INCLINATION", "deg")
    cov_confidence: float | None = real("COV_CONFIDENCE")
    cov_confidence_method: str | None = text("COV_CONFIDENCE_METHOD")


@dataclass(eq=False, kw_only=True)
class CDMStateVector(Block):
    """State vector at TCA (508.0-B-1 table 3-4): position km, velocity km/s, shape (3,),
    in the object's REF_FRAME."""

    _TITLE = "state vector"
    _XML = "stateVector"
    comments: list = comments_field()
    position: object = components(("X", "Y", "Z"), "km", required=True)
    velocity: object = components(("X_DOT", "Y_DOT", "Z_DOT"), "km/s", required=True)


_KIND = {"p": 0, "v": 1, "drg": 2, "srp": 3, "thr": 4}
_UNITS = {
    ("p", "p"): "m**2", ("v", "p"): "m**2/s", ("v", "v"): "m**2/s**2",
    ("drg", "p"): "m**3/kg", ("drg", "v"): "m**3/(kg*s)", ("drg", "drg"): "m**4/kg**2",
    ("srp", "p"): "m**3/kg", ("srp", "v"): "m**3/(kg*s)", ("srp", "drg"): "m**4/kg**2",
    ("srp", "srp"): "m**4/kg**2",
    ("thr", "p"): "m**2/s**2", ("thr", "v"): "m**2/s**3", ("thr", "drg"): "m**3/(kg*s**2)",
    ("thr", "srp"): "m**3/(kg*s**2)", ("thr", "thr"): "m**2/s**4",
}
_KINDS = ["p", "p", "p", "v", "v", "v", "drg", "srp", "thr"]


def _unit(a, b):
    return _UNITS[(a, b)]


RTN_MATRIX = TriangularMatrix(
    ["CR", "CT", "CN", "CRDOT", "CTDOT", "CNDOT", "CDRG", "CSRP", "CTHR"],
    ["R", "T", "N", "RDOT", "TDOT", "NDOT", "DRG", "SRP", "THR"], _KINDS, _unit, 6)
XYZ_MATRIX = TriangularMatrix(
    ["CX", "CY", "CZ", "CXDOT", "CYDOT", "CZDOT", "CDRG", "CSRP", "CTHR"],
    ["X", "Y", "Z", "XDOT", "YDOT", "ZDOT", "DRG", "SRP", "THR"], _KINDS, _unit, 6)


@dataclass(eq=False, kw_only=True)
class RTNCovariance(Block):
    """Covariance in Object's RTN frame (508.0-B-1 table 3-4, §5.2.7-8).

    ``matrix``: symmetric, 6x6 (position m, velocity m/s) up to 9x9 with the rows DRG
    (C_D A/m, m**2/kg), SRP (C_R A/m, m**2/kg), THR (thrust acceleration, m/s**2); each
    extra row needs the earlier ones. Units of the elements: m**2, m**2/s, m**2/s**2,
    m**3/kg, m**3/(kg*s), m**4/kg**2, m**2/s**3, m**3/(kg*s**2), m**2/s**4.
    """

    _TITLE = "RTN covariance"
    _XML = "covarianceMatrix"
    _MATRIX = RTN_MATRIX
    comments: list = comments_field()
    matrix: np.ndarray = None

    @classmethod
    def keywords(cls):
        return matrix_keywords(cls)

    @classmethod
    def from_raw(cls, raw, ctx, **extra):
        values, _ = read_matrix_entries(cls, raw, ctx, frame_key=None)
        return cls(comments=list(raw.comments), matrix=cls._MATRIX.read(values, raw.loc,
                                                                        cls._TITLE), **extra)

    def entries(self, ctx, loc):
        if self.matrix is None:
            raise loc.error(f"the {self._TITLE} has no matrix", field="matrix")
        return self._MATRIX.write(self.matrix, loc, self._TITLE)


@dataclass(eq=False, kw_only=True)
class XYZCovariance(RTNCovariance):
    """Covariance in the ALT_COV_REF_FRAME Cartesian axes (CDM 2.0, ALT_COV_TYPE = XYZ);
    same layout and units as :class:`RTNCovariance` with X, Y, Z components."""

    _TITLE = "XYZ covariance"
    _MATRIX = XYZ_MATRIX


@dataclass(eq=False, kw_only=True)
class SigmaEigenvectors(Block):
    """CSIG3EIGVEC3 (CDM 2.0, ALT_COV_TYPE = CSIG3EIGVEC3): 12 numbers, the three position
    sigmas then the three eigenvectors."""

    _TITLE = "sigma/eigenvector covariance"
    _XML = "covarianceMatrix"
    comments: list = comments_field()
    csig3eigvec3: tuple | None = vector("CSIG3EIGVEC3", size=12, required=True)


@dataclass(eq=False, kw_only=True)
class AdditionalCovarianceMetadata(Block):
    """Additional covariance metadata (CDM 2.0): density forecast uncertainty, covariance
    scale factors, screening data source, DCP sensitivity vectors (3 numbers each)."""

    _TITLE = "additional covariance metadata"
    _XML = "covarianceMatrix"
    comments: list = comments_field()
    density_forecast_uncertainty: float | None = real("DENSITY_FORECAST_UNCERTAINTY")
    cscale_factor_min: float | None = real("CSCALE_FACTOR_MIN")
    cscale_factor: float | None = real("CSCALE_FACTOR")
    cscale_factor_max: float | None = real("CSCALE_FACTOR_MAX")
    screening_data_source: str | None = text("SCREENING_DATA_SOURCE")
    dcp_sensitivity_vector_position: tuple | None = vector("DCP_SENSITIVITY_VECTOR_POSITION",
                                                           size=3)
    dcp_sensitivity_vector_velocity: tuple | None = vector("DCP_SENSITIVITY_VECTOR_VELOCITY",
                                                           size=3)


@dataclass(eq=False, kw_only=True)
class CDMData(Block):
    """Data of one object (508.0-B-1 table 3-4). ``comments``: the XML <data> comments."""

    _TITLE = "data"
    comments: list = comments_field()
    od_parameters: ODParameters | None = None
    additional_parameters: AdditionalParameters | None = None
    state_vector: CDMStateVector = None
    covariance: RTNCovariance = None
    xyz_covariance: XYZCovariance | None = None
    sigma_eigenvectors: SigmaEigenvectors | None = None
    additional_covariance_metadata: AdditionalCovarianceMetadata | None = None
    user_defined: UserDefined | None = None

    @classmethod
    def keywords(cls):
        return {}


@dataclass(eq=False, kw_only=True)
class CDMObject(Block):
    """One of the two objects of a CDM: ``metadata`` and ``data``."""

    _TITLE = "object"
    metadata: CDMMetadata = None
    data: CDMData = None

    @classmethod
    def keywords(cls):
        return {}


# (data attribute, kind, class, mandatory) in the order of the standard
_DATA = (("od_parameters", "odParameters", ODParameters, False),
         ("additional_parameters", "additionalParameters", AdditionalParameters, False),
         ("state_vector", "stateVector", CDMStateVector, True),
         ("covariance", "covarianceMatrix", RTNCovariance, True),
         ("xyz_covariance", "xyzCovariance", XYZCovariance, False),
         ("sigma_eigenvectors", "sigmaEigenvectors", SigmaEigenvectors, False),
         ("additional_covariance_metadata", "additionalCovarianceMetadata",
          AdditionalCovarianceMetadata, False),
         ("user_defined", "userDefinedParameters", UserDefined, False))
_BLOCKS = [("metadata", CDMMetadata)] + [(k, c) for _, k, c, _ in _DATA]
_COV_KINDS = ("covarianceMatrix", "xyzCovariance", "sigmaEigenvectors",
              "additionalCovarianceMetadata")


@register
@dataclass(eq=False)
class CDM(Message):
    """Conjunction Data Message (CCSDS 508.0-B-1).

    Attributes
    ----------
    header : CDMHeader
    relative : CDMRelativeMetadata
        Relative metadata/data (TCA, miss distance, relative state, Pc).
    object1, object2 : CDMObject
        Metadata and data of Object1 and Object2 (state vectors at TCA, RTN covariances).

    Read and write as :class:`~cosmoplan.ccsds.OPM`.
    """

    header: CDMHeader
    relative: CDMRelativeMetadata
    object1: CDMObject
    object2: CDMObject

    NAME = "CDM"
    VERSIONS = (1, 2)
    _LAYOUT = Layout("CDM", "CCSDS_CDM_VERS", CDMHeader, _BLOCKS,
                     preamble=[("relativeMetadataData", CDMRelativeMetadata)],
                     segment_key="OBJECT", openers=("CONJUNCTION_ID",),
                     titles={k: c._TITLE for k, c in
                             _BLOCKS + [("relativeMetadataData", CDMRelativeMetadata)]})

    def _canonical(self):
        objs = {}
        for name in ("object1", "object2"):
            obj = getattr(self, name)
            data = getattr(obj, "data", None)
            if isinstance(data, CDMData) and data.comments:
                new = merge_data_comments(data, [d[0] for d in _DATA])
                if new is not data:
                    objs[name] = dataclasses.replace(obj, data=new)
        return dataclasses.replace(self, **objs) if objs else self

    @classmethod
    def _from_raw(cls, raw):
        ctx = Ctx(xml=raw.xml, message="CDM", version=raw.version)
        check_version(raw.version, cls.VERSIONS, "CDM", raw.version_loc)
        header = CDMHeader.from_raw(raw.header, ctx, version=raw.version)
        rel = [b for b in raw.preamble if b.kind == "relativeMetadataData"]
        if not rel:
            where = raw.segments[0][0].loc if raw.segments else raw.end
            raise where.error("the CDM has no relative metadata/data (TCA, MISS_DISTANCE, ...) "
                              "before OBJECT = OBJECT1 (508.0-B-1 table 3-2)", field="TCA")
        relative = CDMRelativeMetadata.from_raw(rel[0], ctx)
        if len(raw.segments) != 2:
            raise raw.end.error(f"a CDM describes two objects (OBJECT1 and OBJECT2); found "
                                f"{len(raw.segments)}", field="OBJECT")
        objects = [_object(seg, ctx, k + 1, raw) for k, seg in enumerate(raw.segments)]
        msg = cls(header, relative, *objects)
        msg._check(raw.segments[1][0].loc)
        return msg

    @classmethod
    def _from_xml_root(cls, root, loc):
        version, header, body = _xml.header_and_body(root, loc, "cdm")
        preamble, segments = [], []
        from ._message import xml_segment

        data_tags = {"odParameters": ((), False), "additionalParameters": ((), False),
                     "stateVector": ((), False), "covarianceMatrix": ((), False),
                     "userDefinedParameters": ((), True)}
        for tag, el, cloc in _xml.children(*body):
            if tag == "relativeMetadataData" and not preamble and not segments:
                preamble.append(_xml.block(el, tag, cloc, flatten=("relativeStateVector",)))
            elif tag == "segment" and len(segments) < 2:
                blocks = xml_segment(el, cloc, data_tags, repeatable=("covarianceMatrix",))
                segments.append(_split_covariances(blocks))
            else:
                raise cloc.error(f"unexpected element <{tag}> in <body> (expected one "
                                 "<relativeMetadataData> and two <segment>)", field=tag)
        raw = RawMessage(loc.source, True, version, loc, header, preamble, segments, loc)
        return cls._from_raw(raw)

    def _check(self, loc):
        m1, m2 = self.object1.metadata, self.object2.metadata
        if m1.object.upper() != "OBJECT1" or m2.object.upper() != "OBJECT2":
            raise loc.error(f"the objects must be OBJECT1 then OBJECT2, found {m1.object} then "
                            f"{m2.object}", field="OBJECT")
        if m1.ref_frame.upper() != m2.ref_frame.upper():
            raise loc.error(f"REF_FRAME must be the same for both objects (508.0-B-1 table "
                            f"3-3): {m1.ref_frame} and {m2.ref_frame}", field="REF_FRAME")

    def _parts(self):
        loc = self.loc()
        expect(self.header, CDMHeader, "header", loc)
        check_version(self.header.version, self.VERSIONS, "CDM", loc)
        expect(self.relative, CDMRelativeMetadata, "relative", loc)
        ctx = Ctx(message="CDM", version=self.header.version)
        objects = []
        for k, obj in enumerate((self.object1, self.object2), 1):
            expect(obj, CDMObject, f"object{k}", loc)
            expect(obj.metadata, CDMMetadata, f"object{k}.metadata", loc)
            expect(obj.data, CDMData, f"object{k}.data", loc)
            blocks = []
            for attr, _kind, bcls, required in _DATA:
                value = getattr(obj.data, attr)
                if value is None:
                    if required:
                        raise loc.error(f"object{k}.data.{attr} ({bcls._TITLE}) is mandatory",
                                        field=attr)
                    continue
                blocks.append(expect(value, bcls, f"object{k}.data.{attr}", loc))
            objects.append((obj, blocks))
        self._check(loc)
        return ctx, objects

    def _kvn_lines(self):
        ctx, objects = self._parts()
        h = self.header
        lines = [f"CCSDS_CDM_VERS = {h.version}"] + block_lines(h, ctx, self.loc("header"), "kvn")
        lines += [""] + block_lines(self.relative, ctx, self.loc("relative metadata"), "kvn")
        for k, (obj, blocks) in enumerate(objects, 1):
            lines += [""] + block_lines(obj.metadata, ctx, self.loc(f"object{k} metadata"),
                                        "kvn")
            check_comments(obj.data.comments, self.loc(f"object{k} data"))
            for j, b in enumerate(blocks):
                lines += block_lines(b, ctx, self.loc(f"object{k} {b._TITLE}"), "kvn",
                                     extra_comments=obj.data.comments if j == 0 else ())
        return lines

    def _xml_lines(self):
        ctx, objects = self._parts()
        lines = _xml.root_open("cdm", self.header.version,
                               schema_major="2" if self.header.version.startswith("1") else "-")
        lines += block_lines(self.header, ctx, self.loc("header"), "xml", "header", 2)
        lines += ["  <body>"]
        rel = self.relative
        check_comments(rel.comments, self.loc("relative metadata"))
        entries = rel.entries(ctx, self.loc("relative metadata"))
        inner = [e for e in entries if e[0].startswith("RELATIVE_POSITION_")
                 or e[0].startswith("RELATIVE_VELOCITY_")]
        outer = [e for e in entries if e not in inner]
        block = xml_block("relativeMetadataData", rel.comments, outer, 4)
        if inner:
            at = next((i for i, e in enumerate(outer) if e[0] not in _BEFORE_RSV), len(outer))
            at += 1 + len(rel.comments)
            block[at:at] = xml_block("relativeStateVector", (), inner, 6)
        lines += block
        for k, (obj, blocks) in enumerate(objects, 1):
            lines += ["    <segment>"]
            lines += block_lines(obj.metadata, ctx, self.loc(f"object{k} metadata"), "xml",
                                 "metadata", 6)
            lines += ["      <data>"]
            check_comments(obj.data.comments, self.loc(f"object{k} data"))
            lines += _xml.comment_lines(obj.data.comments, 8)
            for b in blocks:
                block = block_lines(b, ctx, self.loc(f"object{k} {b._TITLE}"), "xml", None, 8)
                if isinstance(b, UserDefined):
                    block = [_USER_PARAM.sub(r"<USER_DEFINED_\1>\2</USER_DEFINED_\1>", ln)
                             for ln in block]
                lines += block
            lines += ["      </data>", "    </segment>"]
        lines += ["  </body>", "</cdm>"]
        return lines

    def probability_of_collision(self, method="foster", hbr=None):
        """2-D short-encounter probability of collision from the two objects' states at TCA.

        The state vectors (km, km/s, REF_FRAME) are taken to GCRF when REF_FRAME rotates
        with the Earth (ITRF: an RTN frame built from Earth-fixed velocities is tilted by
        several degrees in LEO), the 3x3 position blocks of the RTN covariances (m**2)
        are rotated to that frame with each object's own state and summed, and the Pc is
        computed in the encounter plane by :func:`cosmoplan.screening.pc_from_states`.

        Parameters
        ----------
        method : {"foster", "patera", "alfano", "chan"}
            See :mod:`cosmoplan.screening`. FOSTER-1992 and ALFANO-2005 in a CDM's
            COLLISION_PROBABILITY_METHOD are the first and third.
        hbr : float, optional
            Combined hard-body radius ``R1 + R2`` in **metres** (the unit of the CDM's
            HBR, MISS_DISTANCE and covariance). Default: the sum of the two objects' HBR
            (a CDM 2.0 keyword of the additional parameters; 508.0-B-1 itself has no
            hard-body radius), required when either is missing.

        Returns
        -------
        cosmoplan.screening.PcResult
            ``pc``, ``method``, and lengths in km as in the states (``hbr``,
            ``miss_distance``, ``plane.xm``, ``plane.sigma_x``, ...).

        Raises
        ------
        InputError
            No hard-body radius, a REF_FRAME that cannot be converted, and the input
            errors of :func:`~cosmoplan.screening.pc_from_states`.
        """
        from .. import frames, screening
        from ..errors import InputError

        if hbr is None:
            radii = [o.data.additional_parameters.hbr if o.data.additional_parameters
                     else None for o in (self.object1, self.object2)]
            if None in radii:
                raise InputError("the CDM does not give HBR for both objects; pass hbr= (the "
                                 "combined hard-body radius, m)", field="hbr", value=radii)
            hbr = sum(radii)
        if isinstance(hbr, (bool, np.bool_)) or not isinstance(hbr, (int, float, np.integer,
                                                                      np.floating)):
            raise InputError(f"hbr must be a number of metres; got {hbr!r}", field="hbr",
                             value=hbr)
        hbr_km = float(hbr) * 1e-3
        states = []
        for obj in (self.object1, self.object2):
            sv = obj.data.state_vector
            r = np.asarray(sv.position, dtype=float)
            v = np.asarray(sv.velocity, dtype=float)
            if obj.metadata.ref_frame.upper() not in ("EME2000", "GCRF", "ICRF"):
                r, v = frames.transform(r, v, self.relative.tca, obj.metadata.ref_frame,
                                        "GCRF")
            states.append((r, v, np.asarray(obj.data.covariance.matrix)[:3, :3] * 1e-6))
        (r1, v1, c1), (r2, v2, c2) = states
        return screening.pc_from_states(r1, v1, c1, r2, v2, c2, hbr_km, cov_frame="RTN",
                                        method=method)


_BEFORE_RSV = ("CONJUNCTION_ID", "TCA", "MISS_DISTANCE", "MAHALANOBIS_DISTANCE",
               "RELATIVE_SPEED", "APPROACH_ANGLE")


def _split_covariances(blocks):
    """Split XML <covarianceMatrix> blocks into RTN, XYZ, sigma and metadata blocks.

    CDM 2.0 examples put each kind of covariance data in its own <covarianceMatrix>; the
    kind follows from the keywords. The element's comments go to its first block.
    """
    layout = CDM._LAYOUT
    out = []
    for b in blocks:
        if b.kind != "covarianceMatrix":
            out.append(b)
            continue
        cur = None
        for e in b.entries:
            if cur is not None and e.key in layout.kind_keys.get(cur.kind, ()):
                kind = cur.kind
            else:
                kind = layout.kind_of.get(e.key)
                if kind not in _COV_KINDS:
                    raise e.loc.error(f"{e.key} does not belong in a <covarianceMatrix>",
                                      field=e.key)
            if cur is None or cur.kind != kind:
                if any(x.kind == kind for x in out):
                    raise e.loc.error(f"a second {layout.title(kind)} for this object",
                                      field=e.key)
                cur = RawBlock(kind, b.loc, comments=[] if cur is not None else list(b.comments))
                out.append(cur)
            cur.entries.append(e)
        if cur is None:
            raise b.loc.error("an empty <covarianceMatrix>", field="covarianceMatrix")
    return out


def _object(blocks, ctx, number, raw):
    """Typed metadata and data of one object from its raw blocks."""
    kinds = by_kind(blocks)
    md = CDMMetadata.from_raw(kinds["metadata"][0], ctx)
    values = {}
    for attr, kind, bcls, required in _DATA:
        found = kinds.get(kind)
        if found:
            values[attr] = bcls.from_raw(found[0], ctx)
        elif required:
            keys = list(bcls.keywords())
            end = blocks[-1].loc
            raise end.error(f"OBJECT{number} has no {bcls._TITLE} ({keys[0]} ...), which is "
                            "mandatory (508.0-B-1 table 3-4)", field=keys[0])
    data_comments = kinds["data"][0].comments if "data" in kinds else []
    return CDMObject(metadata=md, data=CDMData(comments=list(data_comments), **values))
