"""Orbit Parameter Message (OPM): CCSDS 502.0-B-3 §3 (KVN) and §8 / 505.0-B-2 (XML).

One object's state vector at an epoch, optionally with osculating Keplerian elements,
spacecraft parameters, a 6x6 covariance, any number of maneuvers and user-defined
parameters. Values keep the standard's units (km, km/s, deg, s, kg); the frame is the
metadata's REF_FRAME (CENTER_NAME at the origin) and dates are in its TIME_SYSTEM.
Versions 1.0, 2.0 and 3.0 are read and written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._blocks import Block, comments_field, components, date, real, registered, text
from ._common import Covariance, Header, SpacecraftParameters, UserDefined
from ._kvn import Layout
from ._message import SingleSegment, register

__all__ = ["OPM", "OPMMetadata", "OPMData", "StateVector", "KeplerianElements", "Maneuver"]


@dataclass(eq=False, kw_only=True)
class OPMMetadata(Block):
    """OPM metadata (502.0-B-3 table 3-2).

    Attributes
    ----------
    object_name, object_id : str
        OBJECT_NAME and OBJECT_ID (international designator recommended).
    center_name : str
        CENTER_NAME: origin of the frame (a body, barycenter or spacecraft).
    ref_frame : str
        REF_FRAME, e.g. ``EME2000``, ``GCRF``, ``ITRF2000``, ``TOD``, ``TEME``.
    ref_frame_epoch : CcsdsEpoch or RawEpoch or None
        REF_FRAME_EPOCH, for frames of date (in TIME_SYSTEM).
    time_system : str
        TIME_SYSTEM of every date of the data (UTC, TAI, TT, GPS, TDB, TCB, ...).
    """

    _TITLE = "metadata"
    _XML = "metadata"
    comments: list = comments_field()
    object_name: str | None = text("OBJECT_NAME", required=True)
    object_id: str | None = text("OBJECT_ID", required=True)
    center_name: str | None = registered("CENTER_NAME", "center", required=True)
    ref_frame: str | None = registered("REF_FRAME", "frame", required=True)
    ref_frame_epoch: object = date("REF_FRAME_EPOCH")
    time_system: str | None = text("TIME_SYSTEM", required=True)


@dataclass(eq=False, kw_only=True)
class StateVector(Block):
    """State vector at EPOCH (502.0-B-3 table 3-3).

    Attributes: ``epoch`` (EPOCH, in TIME_SYSTEM), ``position`` (X, Y, Z; km, shape (3,)),
    ``velocity`` (X_DOT, Y_DOT, Z_DOT; km/s, shape (3,)), in REF_FRAME.
    """

    _TITLE = "state vector"
    _XML = "stateVector"
    comments: list = comments_field()
    epoch: object = date("EPOCH", required=True)
    position: object = components(("X", "Y", "Z"), "km", required=True)
    velocity: object = components(("X_DOT", "Y_DOT", "Z_DOT"), "km/s", required=True)


@dataclass(eq=False, kw_only=True)
class KeplerianElements(Block):
    """Osculating Keplerian elements (502.0-B-3 table 3-3): all or none.

    Attributes: ``semi_major_axis`` (km), ``eccentricity``, ``inclination``,
    ``ra_of_asc_node``, ``arg_of_pericenter`` (deg), exactly one of ``true_anomaly`` or
    ``mean_anomaly`` (deg), ``gm`` (km**3/s**2).
    """

    _TITLE = "Keplerian elements"
    _XML = "keplerianElements"
    comments: list = comments_field()
    semi_major_axis: float | None = real("SEMI_MAJOR_AXIS", "km")
    eccentricity: float | None = real("ECCENTRICITY")
    inclination: float | None = real("INCLINATION", "deg")
    ra_of_asc_node: float | None = real("RA_OF_ASC_NODE", "deg")
    arg_of_pericenter: float | None = real("ARG_OF_PERICENTER", "deg")
    true_anomaly: float | None = real("TRUE_ANOMALY", "deg")
    mean_anomaly: float | None = real("MEAN_ANOMALY", "deg")
    gm: float | None = real("GM", "km**3/s**2")

    def check(self, loc):
        names = ("semi_major_axis", "eccentricity", "inclination", "ra_of_asc_node",
                 "arg_of_pericenter", "gm")
        missing = [n.upper() for n in names if getattr(self, n) is None]
        if missing:
            raise loc.error(f"the Keplerian elements are given all or none (502.0-B-3 table "
                            f"3-3); missing {', '.join(missing)}", field=missing[0])
        if (self.true_anomaly is None) == (self.mean_anomaly is None):
            raise loc.error("the Keplerian elements need exactly one of TRUE_ANOMALY or "
                            "MEAN_ANOMALY", field="TRUE_ANOMALY")


@dataclass(eq=False, kw_only=True)
class Maneuver(Block):
    """One maneuver (502.0-B-3 table 3-3, §3.2.4.7-8).

    Attributes
    ----------
    man_epoch_ignition : CcsdsEpoch or RawEpoch
        MAN_EPOCH_IGNITION (TIME_SYSTEM); each maneuver starts with it.
    man_duration : float or None
        MAN_DURATION, s (0 for an impulsive maneuver).
    man_delta_mass : float or None
        MAN_DELTA_MASS, kg, not positive.
    man_ref_frame : str or None
        MAN_REF_FRAME of the velocity increment (RTN, TNW, EME2000, ...).
    man_dv : numpy.ndarray, shape (3,)
        MAN_DV_1..3, km/s (NaN for a component not given).
    """

    _TITLE = "maneuver"
    _XML = "maneuverParameters"
    comments: list = comments_field()
    man_epoch_ignition: object = date("MAN_EPOCH_IGNITION", required=True)
    man_duration: float | None = real("MAN_DURATION", "s")
    man_delta_mass: float | None = real("MAN_DELTA_MASS", "kg")
    man_ref_frame: str | None = registered("MAN_REF_FRAME", "local")
    man_dv: object = components(("MAN_DV_1", "MAN_DV_2", "MAN_DV_3"), "km/s")

    def check(self, loc):
        if self.man_duration is not None and self.man_duration < 0:
            raise loc.error(f"MAN_DURATION {self.man_duration} s is negative", field="MAN_DURATION")
        if self.man_delta_mass is not None and self.man_delta_mass > 0:
            raise loc.error(f"MAN_DELTA_MASS {self.man_delta_mass} kg is positive; a maneuver "
                            "can only lose mass (502.0-B-3 §3.2.4.7)", field="MAN_DELTA_MASS")


@dataclass(eq=False, kw_only=True)
class OPMData(Block):
    """OPM data: the logical blocks of 502.0-B-3 table 3-3.

    ``comments`` are comments of the XML ``<data>`` element itself (KVN has no such
    place: they are written before the state vector's comments).
    """

    _TITLE = "data"
    comments: list = comments_field()
    state_vector: StateVector = None
    keplerian_elements: KeplerianElements | None = None
    spacecraft_parameters: SpacecraftParameters | None = None
    covariance: Covariance | None = None
    maneuvers: list = field(default_factory=list)
    user_defined: UserDefined | None = None

    @classmethod
    def keywords(cls):
        return {}


_BLOCKS = [("metadata", OPMMetadata), ("stateVector", StateVector),
           ("keplerianElements", KeplerianElements),
           ("spacecraftParameters", SpacecraftParameters), ("covarianceMatrix", Covariance),
           ("maneuverParameters", Maneuver), ("userDefinedParameters", UserDefined)]


@register
@dataclass(eq=False)
class OPM(SingleSegment):
    """Orbit Parameter Message (CCSDS 502.0-B-3 §3).

    Attributes
    ----------
    header : Header
    metadata : OPMMetadata
    data : OPMData

    Read with :meth:`from_kvn`, :meth:`from_xml`, :meth:`read` (or
    :func:`cosmoplan.ccsds.read`); write with :meth:`to_kvn`, :meth:`to_xml`,
    :meth:`write`. Every error is an :class:`~cosmoplan.errors.InputError` naming the
    file, line (or XML element), keyword and problem.
    """

    header: Header
    metadata: OPMMetadata
    data: OPMData

    NAME = "OPM"
    VERSIONS = (1, 2, 3)
    _MD = OPMMetadata
    _DATA = OPMData
    _FIELDS = (("state_vector", "stateVector", StateVector, True, False),
               ("keplerian_elements", "keplerianElements", KeplerianElements, False, False),
               ("spacecraft_parameters", "spacecraftParameters", SpacecraftParameters, False,
                False),
               ("covariance", "covarianceMatrix", Covariance, False, False),
               ("maneuvers", "maneuverParameters", Maneuver, False, True),
               ("user_defined", "userDefinedParameters", UserDefined, False, False))
    _LAYOUT = Layout("OPM", "CCSDS_OPM_VERS", Header, _BLOCKS,
                     repeat={"maneuverParameters": "MAN_EPOCH_IGNITION"},
                     titles={k: c._TITLE for k, c in _BLOCKS})

    # ---------------------------------------------------------------- bridges
    def state(self, to_frame=None):
        """The state vector as an OPMState: :func:`cosmoplan.ccsds.bridges.opm_state`."""
        from .bridges import opm_state

        return opm_state(self, to_frame)

    def burns(self, inertial=False):
        """The maneuvers as OPMBurn objects: :func:`cosmoplan.ccsds.bridges.opm_burns`."""
        from .bridges import opm_burns

        return opm_burns(self, inertial)
