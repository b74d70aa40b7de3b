"""One-screen summaries of messages, for ``cosmoplan ccsds check``."""

from __future__ import annotations

import numpy as np

__all__ = ["summary"]


def _text(value):
    if value is None:
        return "-"
    return getattr(value, "text", None) or str(value)


def _header_rows(msg):
    h = msg.header
    rows = [("message", f"{msg.NAME} version {h.version}"),
            ("originator", _text(getattr(h, "originator", None))),
            ("created (UTC)", _text(getattr(h, "creation_date", None)))]
    if getattr(h, "message_id", None):
        rows.append(("message id", h.message_id))
    return rows


def _odm_rows(msg):
    md = msg.metadata
    rows = [("object", f"{md.object_name} ({md.object_id or 'no OBJECT_ID'})"),
            ("frame", f"{md.ref_frame} centred on {md.center_name}, time system "
                      f"{md.time_system}")]
    data = msg.data
    if msg.NAME == "OMM":
        me = data.mean_elements
        rows.append(("theory", md.mean_element_theory))
        rows.append(("epoch", _text(me.epoch)))
        size = (f"mean motion {me.mean_motion} rev/day" if me.mean_motion is not None
                else f"a = {me.semi_major_axis} km")
        rows.append(("mean elements", f"{size}, e = {me.eccentricity}, i = {me.inclination} deg,"
                                      f" RAAN = {me.ra_of_asc_node} deg"))
        tle = getattr(data, "tle_parameters", None)
        if tle is not None and tle.norad_cat_id is not None:
            rows.append(("catalog number", str(tle.norad_cat_id)))
    else:
        sv = data.state_vector
        rows.append(("epoch", _text(sv.epoch)))
        r = float(np.linalg.norm(sv.position))
        v = float(np.linalg.norm(sv.velocity))
        rows.append(("state", f"|r| = {r:.3f} km, |v| = {v:.6f} km/s"))
        rows.append(("maneuvers", str(len(data.maneuvers or []))))
    rows.append(("covariance", "yes" if getattr(data, "covariance", None) is not None else "no"))
    return rows


def _oem_rows(msg):
    rows = []
    for k, seg in enumerate(msg.segments, 1):
        md = seg.metadata
        n = len(seg.epochs) if hasattr(seg, "epochs") else len(seg.data.epochs)
        rows.append((f"segment {k}", f"{md.object_name} ({md.object_id}), {md.ref_frame} / "
                                     f"{md.center_name} / {md.time_system}"))
        span = f"{_text(md.start_time)} .. {_text(md.stop_time)}, {n} states"
        rows.append(("", span))
        if md.useable_start_time is not None or md.useable_stop_time is not None:
            rows.append(("", f"useable {_text(md.useable_start_time)} .. "
                             f"{_text(md.useable_stop_time)}"))
        if md.interpolation:
            deg = (f" degree {md.interpolation_degree}" if md.interpolation_degree is not None
                   else " (degree not stated)")
            rows.append(("", f"interpolation {md.interpolation}{deg}"))
        cov = getattr(seg, "covariances", None) or []
        if cov:
            rows.append(("", f"{len(cov)} covariance matri{'x' if len(cov) == 1 else 'ces'}"))
    return rows


def _cdm_rows(msg):
    rel = msg.relative
    rows = [("TCA (UTC)", _text(rel.tca)), ("miss distance", f"{rel.miss_distance} m")]
    if rel.collision_probability is not None:
        rows.append(("Pc (in the message)",
                     f"{rel.collision_probability:.6g} "
                     f"({rel.collision_probability_method or 'method not stated'})"))
    for k, obj in enumerate((msg.object1, msg.object2), 1):
        md = obj.metadata
        rows.append((f"object {k}", f"{md.object_name} ({md.object_designator}, "
                                    f"{md.catalog_name}), frame {md.ref_frame}"))
    return rows


def summary(msg):
    """(label, text) rows describing ``msg`` (an OEM, OPM, OMM or CDM)."""
    rows = _header_rows(msg)
    if msg.NAME == "CDM":
        rows += _cdm_rows(msg)
    elif msg.NAME == "OEM":
        rows += _oem_rows(msg)
    else:
        rows += _odm_rows(msg)
    return rows
