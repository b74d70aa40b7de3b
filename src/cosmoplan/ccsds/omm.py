"""Orbit Mean-Elements Message (OMM): CCSDS 502.0-B-3 §4 (KVN) and §8 / 505.0-B-2 (XML).

Mean Keplerian elements of one object at an epoch under a named mean element theory
(``SGP/SGP4``, ``SGP4``, ``SGP4-XP``, ``DSST``, ...), with optional spacecraft
parameters, TLE-related parameters (catalog number, B*, mean motion derivatives),
covariance and user-defined parameters. Values keep the standard's units (km, deg,
rev/day, 1/ER ...); dates are in TIME_SYSTEM, the frame is REF_FRAME (TEME for TLE-based
OMMs, 502.0-B-3 §4.2.4.6). Versions 2.0 and 3.0.

The TLE conventions (MEAN_ELEMENT_THEORY = SGP/SGP4 implies TEME, UTC, MEAN_MOTION) are
checked by the OMM -> SGP4 bridge, not here: the message layer accepts any theory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._blocks import Block, comments_field, date, integer, real, registered, text
from ._common import Covariance, Header, SpacecraftParameters, UserDefined
from ._kvn import Layout
from ._message import SingleSegment, register

__all__ = ["OMM", "OMMMetadata", "OMMData", "MeanElements", "TLEParameters"]


@dataclass(eq=False, kw_only=True)
class OMMMetadata(Block):
    """OMM metadata (502.0-B-3 table 4-2).

    Attributes: ``object_name``, ``object_id``, ``center_name``, ``ref_frame``,
    ``ref_frame_epoch`` (optional date), ``time_system``, ``mean_element_theory``
    (MEAN_ELEMENT_THEORY, e.g. ``SGP/SGP4``, ``SGP4-XP``, ``DSST``).
    """

    _TITLE = "metadata"
    _XML = "metadata"
    comments: list = comments_field()
    object_name: str | None = text("OBJECT_NAME", required=True)
    object_id: str | None = text("OBJECT_ID", required=True, allow_empty=True)
    center_name: str | None = registered("CENTER_NAME", "center", required=True)
    ref_frame: str | None = registered("REF_FRAME", "frame", required=True)
    ref_frame_epoch: object = date("REF_FRAME_EPOCH")
    time_system: str | None = text("TIME_SYSTEM", required=True)
    mean_element_theory: str | None = text("MEAN_ELEMENT_THEORY", required=True)


@dataclass(eq=False, kw_only=True)
class MeanElements(Block):
    """Mean Keplerian elements (502.0-B-3 table 4-3).

    Attributes
    ----------
    epoch : CcsdsEpoch or RawEpoch
        EPOCH (TIME_SYSTEM).
    semi_major_axis : float or None
        SEMI_MAJOR_AXIS, km; exactly one of it and ``mean_motion`` is given.
    mean_motion : float or None
        MEAN_MOTION, rev/day (the TLE convention).
    eccentricity : float
    inclination, ra_of_asc_node, arg_of_pericenter, mean_anomaly : float
        deg.
    gm : float or None
        GM, km**3/s**2.
    """

    _TITLE = "mean elements"
    _XML = "meanElements"
    comments: list = comments_field()
    epoch: object = date("EPOCH", required=True)
    semi_major_axis: float | None = real("SEMI_MAJOR_AXIS", "km")
    mean_motion: float | None = real("MEAN_MOTION", "rev/day")
    eccentricity: float | None = real("ECCENTRICITY", required=True)
    inclination: float | None = real("INCLINATION", "deg", required=True)
    ra_of_asc_node: float | None = real("RA_OF_ASC_NODE", "deg", required=True)
    arg_of_pericenter: float | None = real("ARG_OF_PERICENTER", "deg", required=True)
    mean_anomaly: float | None = real("MEAN_ANOMALY", "deg", required=True)
    gm: float | None = real("GM", "km**3/s**2")

    def check(self, loc):
        if (self.semi_major_axis is None) == (self.mean_motion is None):
            raise loc.error("the mean elements need exactly one of SEMI_MAJOR_AXIS or "
                            "MEAN_MOTION (502.0-B-3 table 4-3)", field="MEAN_MOTION")


@dataclass(eq=False, kw_only=True)
class TLEParameters(Block):
    """TLE-related parameters (502.0-B-3 table 4-3, §4.2.4.7).

    Attributes
    ----------
    ephemeris_type : int or None
        EPHEMERIS_TYPE (0 SGP, 2 SGP4, 3 PPT3, 4 SGP4-XP, 6 special perturbations).
    classification_type : str or None
        CLASSIFICATION_TYPE (U, S, ...).
    norad_cat_id : int or None
        NORAD_CAT_ID, up to nine digits (beyond the TLE's five).
    element_set_no, rev_at_epoch : int or None
    bstar : float or None
        BSTAR, 1/ER (SGP4); exclusive with ``bterm`` (BTERM, m**2/kg, SGP4-XP).
    mean_motion_dot : float or None
        MEAN_MOTION_DOT, rev/day**2.
    mean_motion_ddot : float or None
        MEAN_MOTION_DDOT, rev/day**3; exclusive with ``agom`` (AGOM, m**2/kg, SGP4-XP).
    """

    _TITLE = "TLE parameters"
    _XML = "tleParameters"
    comments: list = comments_field()
    ephemeris_type: int | None = integer("EPHEMERIS_TYPE")
    classification_type: str | None = text("CLASSIFICATION_TYPE")
    norad_cat_id: int | None = integer("NORAD_CAT_ID")
    element_set_no: int | None = integer("ELEMENT_SET_NO")
    rev_at_epoch: int | None = integer("REV_AT_EPOCH")
    bstar: float | None = real("BSTAR", "1/ER")
    bterm: float | None = real("BTERM", "m**2/kg")
    mean_motion_dot: float | None = real("MEAN_MOTION_DOT", "rev/day**2")
    mean_motion_ddot: float | None = real("MEAN_MOTION_DDOT", "rev/day**3")
    agom: float | None = real("AGOM", "m**2/kg")

    def check(self, loc):
        for name in ("ephemeris_type", "norad_cat_id", "element_set_no", "rev_at_epoch"):
            value = getattr(self, name)
            if isinstance(value, (int, np.integer)) and value < 0:
                raise loc.error(f"{name.upper()} = {value} is negative; it is a count or a "
                                "catalog number (502.0-B-3 table 4-3)", field=name.upper(),
                                value=value)
        for a, b in (("bstar", "bterm"), ("mean_motion_ddot", "agom")):
            if getattr(self, a) is not None and getattr(self, b) is not None:
                raise loc.error(f"{a.upper()} and {b.upper()} are alternatives (502.0-B-3 table "
                                "4-3); give one", field=b.upper())


@dataclass(eq=False, kw_only=True)
class OMMData(Block):
    """OMM data: the logical blocks of 502.0-B-3 table 4-3 (``comments``: XML <data>)."""

    _TITLE = "data"
    comments: list = comments_field()
    mean_elements: MeanElements = None
    spacecraft_parameters: SpacecraftParameters | None = None
    tle_parameters: TLEParameters | None = None
    covariance: Covariance | None = None
    user_defined: UserDefined | None = None

    @classmethod
    def keywords(cls):
        return {}


_BLOCKS = [("metadata", OMMMetadata), ("meanElements", MeanElements),
           ("spacecraftParameters", SpacecraftParameters), ("tleParameters", TLEParameters),
           ("covarianceMatrix", Covariance), ("userDefinedParameters", UserDefined)]


@register
@dataclass(eq=False)
class OMM(SingleSegment):
    """Orbit Mean-Elements Message (CCSDS 502.0-B-3 §4).

    Attributes: ``header`` (:class:`Header`), ``metadata`` (:class:`OMMMetadata`),
    ``data`` (:class:`OMMData`). Read and write as :class:`~cosmoplan.ccsds.OPM`.
    """

    header: Header
    metadata: OMMMetadata
    data: OMMData

    NAME = "OMM"
    VERSIONS = (2, 3)
    _MD = OMMMetadata
    _DATA = OMMData
    _FIELDS = (("mean_elements", "meanElements", MeanElements, True, False),
               ("spacecraft_parameters", "spacecraftParameters", SpacecraftParameters, False,
                False),
               ("tle_parameters", "tleParameters", TLEParameters, False, False),
               ("covariance", "covarianceMatrix", Covariance, False, False),
               ("user_defined", "userDefinedParameters", UserDefined, False, False))
    _LAYOUT = Layout("OMM", "CCSDS_OMM_VERS", Header, _BLOCKS,
                     titles={k: c._TITLE for k, c in _BLOCKS})

    # ---------------------------------------------------------------- SGP4 bridge
    def propagate(self, epochs, frame="TEME", *, max_age_days=14.0):
        """SGP4 Trajectory of an SGP4 OMM: :func:`cosmoplan.ccsds.bridges.omm_propagate`."""
        from .bridges import omm_propagate

        return omm_propagate(self, epochs, frame, max_age_days=max_age_days)

    def satrec(self):
        """python-sgp4 ``Satrec``: :func:`cosmoplan.ccsds.bridges.omm_to_satrec`."""
        from .bridges import omm_to_satrec

        return omm_to_satrec(self)

    def to_tle(self):
        """:class:`cosmoplan.tle.TLE` of an SGP4 OMM: :func:`cosmoplan.ccsds.bridges.omm_to_tle`."""
        from .bridges import omm_to_tle

        return omm_to_tle(self)

    @classmethod
    def from_tle(cls, tle, originator="cosmoplan", **kwargs):
        """OMM v3.0 of a TLE: :func:`cosmoplan.ccsds.bridges.omm_from_tle`."""
        from .bridges import omm_from_tle

        return omm_from_tle(tle, originator, **kwargs)
