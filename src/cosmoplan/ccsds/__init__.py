"""CCSDS Navigation Data Messages: OEM, OPM, OMM (502.0-B-3) and CDM (508.0-B-1).

Read and write each message in KVN and in XML (505.0-B-2 NDM/XML) into typed objects:
header, metadata, data blocks, covariance, manoeuvres, spacecraft parameters,
user-defined parameters, with comments kept where they stand. Reading checks every keyword,
unit (in brackets) and value and raises :class:`cosmoplan.errors.InputError` naming the file,
the line (or XML element), the keyword and the problem.

>>> from cosmoplan import ccsds
>>> msg = ccsds.read("conjunction.cdm")        # doctest: +SKIP
>>> msg.write("conjunction.xml")              # doctest: +SKIP
"""

from ._dates import CcsdsEpoch, RawEpoch
from ._message import dumps, loads, read, validate, write
from ._trajectory_oem import OEMSegment, format_oem, write_oem
from .bridges import (
    OPMBurn,
    OPMState,
    check_sgp4_omm,
    omm_from_tle,
    omm_propagate,
    omm_to_satrec,
    omm_to_tle,
    opm_burns,
    opm_keplerian_state,
    opm_state,
)
from .cdm import CDM
from .oem import OEM, EphemerisSegment, OEMCovariance, OEMData, OEMMetadata
from .omm import OMM
from .opm import OPM

__all__ = ["CcsdsEpoch", "RawEpoch", "CDM", "OMM", "OPM", "OEMSegment", "dumps", "format_oem",
           "loads", "read", "validate", "write",
           "write_oem", "OPMBurn", "OPMState", "check_sgp4_omm", "omm_from_tle",
           "omm_propagate", "omm_to_satrec", "omm_to_tle", "opm_burns", "opm_keplerian_state",
           "opm_state", "OEM", "EphemerisSegment", "OEMCovariance", "OEMData",
           "OEMMetadata"]
