"""CCSDS Navigation Data Messages (CCSDS 502.0-B-3). For now: writing OEM in KVN."""

from .oem import OEMSegment, format_oem, write_oem

__all__ = ["OEMSegment", "format_oem", "write_oem"]
