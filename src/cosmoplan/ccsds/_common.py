"""Blocks shared by several messages: headers, spacecraft parameters, covariance matrices,
user-defined parameters.

Units are the standard's, as written in the message (km, km/s, deg, m**2, ...), and are
given for every field; frames and time systems are the message's (REF_FRAME,
COV_REF_FRAME, TIME_SYSTEM).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ._blocks import (
    FLOAT,
    TEXT,
    Block,
    Key,
    check_text,
    check_unit,
    comments_field,
    date,
    parse_float,
    real,
    registered,
    text,
)
from ._registry import check_name

__all__ = ["Header", "CDMHeader", "SpacecraftParameters", "Covariance", "UserDefined",
           "TriangularMatrix"]

_VERSION_RE = re.compile(r"\d{1,4}\.\d{1,4}", re.ASCII)


def _clip(value, n=40):
    text = repr(value)
    return text if len(text) <= n else text[:n] + "..."


def check_version(version, allowed, message, loc):
    """``version`` is 'x.y' text with a major version the message supports."""
    if not isinstance(version, str) or not _VERSION_RE.fullmatch(version):
        raise loc.error(f"the {message} version must be 'x.y' text (502.0-B-3 §7.9.1), got "
                        f"{_clip(version)}", field=f"CCSDS_{message}_VERS", value=version)
    major = int(version.split(".")[0])
    if major not in allowed:
        raise loc.error(f"{message} version {version} is not supported (supported: "
                        f"{', '.join(f'{m}.x' for m in sorted(allowed))})",
                        field=f"CCSDS_{message}_VERS", value=version)
    return major


@dataclass(eq=False, kw_only=True)
class Header(Block):
    """ODM header (OPM, OMM, OEM): CCSDS 502.0-B-3 tables 3-1, 4-1, 5-2.

    Attributes
    ----------
    version : str
        Format version ``'x.y'`` (CCSDS_xxx_VERS; XML ``version`` attribute).
    comments : list of str
        COMMENT lines right after the version line.
    classification : str or None
        CLASSIFICATION, free text (ODM version 3.0 and later only).
    creation_date : CcsdsEpoch
        CREATION_DATE, always UTC (502.0-B-3 §7.5.11).
    originator : str
        ORIGINATOR (SANA organisation abbreviation).
    message_id : str or None
        MESSAGE_ID (ODM version 3.0 and later only).
    """

    _TITLE = "header"
    version: str = None
    comments: list = comments_field()
    classification: str | None = text("CLASSIFICATION")
    creation_date: object = date("CREATION_DATE", required=True, utc=True)
    originator: str | None = text("ORIGINATOR", required=True)
    message_id: str | None = text("MESSAGE_ID")

    def check(self, loc):
        if not isinstance(self.version, str) or not _VERSION_RE.fullmatch(self.version):
            raise loc.error(f"the version must be 'x.y' text, got {_clip(self.version)}",
                            field="version", value=self.version)
        if int(self.version.split(".")[0]) < 3:
            for name, kw in (("classification", "CLASSIFICATION"), ("message_id", "MESSAGE_ID")):
                if getattr(self, name) is not None:
                    raise loc.error(f"{kw} exists from version 3.0 of the ODM (502.0-B-3 "
                                    f"table 3-1); this message is version {self.version}",
                                    field=kw)


@dataclass(eq=False, kw_only=True)
class CDMHeader(Block):
    """CDM header: CCSDS 508.0-B-1 table 3-1 (CLASSIFICATION from CDM 2.0 drafts).

    Attributes
    ----------
    version : str
        CCSDS_CDM_VERS, ``'x.y'``.
    comments : list of str
    creation_date : CcsdsEpoch
        CREATION_DATE (UTC).
    originator : str
    message_for : str or None
        MESSAGE_FOR: spacecraft the message is for.
    message_id : str
        MESSAGE_ID (mandatory in the CDM).
    classification : str or None
    """

    _TITLE = "header"
    version: str = None
    comments: list = comments_field()
    creation_date: object = date("CREATION_DATE", required=True, utc=True)
    originator: str | None = text("ORIGINATOR", required=True)
    message_for: str | None = text("MESSAGE_FOR")
    message_id: str | None = text("MESSAGE_ID", required=True)
    classification: str | None = text("CLASSIFICATION")

    def check(self, loc):
        if not isinstance(self.version, str) or not _VERSION_RE.fullmatch(self.version):
            raise loc.error(f"the version must be 'x.y' text, got {_clip(self.version)}",
                            field="version", value=self.version)


@dataclass(eq=False, kw_only=True)
class SpacecraftParameters(Block):
    """Spacecraft parameters of an OPM or OMM (502.0-B-3 tables 3-3, 4-3).

    Attributes: ``mass`` (MASS, kg), ``solar_rad_area`` (SOLAR_RAD_AREA, m**2),
    ``solar_rad_coeff`` (SOLAR_RAD_COEFF, C_R), ``drag_area`` (DRAG_AREA, m**2),
    ``drag_coeff`` (DRAG_COEFF, C_D); any may be None.
    """

    _TITLE = "spacecraft parameters"
    _XML = "spacecraftParameters"
    comments: list = comments_field()
    mass: float | None = real("MASS", "kg")
    solar_rad_area: float | None = real("SOLAR_RAD_AREA", "m**2")
    solar_rad_coeff: float | None = real("SOLAR_RAD_COEFF")
    drag_area: float | None = real("DRAG_AREA", "m**2")
    drag_coeff: float | None = real("DRAG_COEFF")

    def check(self, loc):
        for name, kw, strict in (("mass", "MASS", True), ("solar_rad_area", "SOLAR_RAD_AREA",
                                 False), ("drag_area", "DRAG_AREA", False)):
            v = getattr(self, name)
            if isinstance(v, (int, float, np.floating)) and (v < 0 or (strict and v == 0)):
                raise loc.error(f"{kw} = {v} {'kg' if name == 'mass' else 'm**2'} must be "
                                f"{'positive' if strict else 'zero or positive'}", field=kw,
                                value=v)


@dataclass(eq=False, kw_only=True)
class UserDefined(Block):
    """User-defined parameters ``USER_DEFINED_<NAME> = value`` (502.0-B-3 §3.2.4.12).

    ``parameters`` maps NAME (upper case, digits, underscores) to the value text, in the
    order of the message. In XML they are ``<USER_DEFINED parameter="NAME">``.
    """

    _TITLE = "user-defined parameters"
    _XML = "userDefinedParameters"
    _USER = True
    comments: list = comments_field()
    parameters: dict = field(default_factory=dict)

    @classmethod
    def keywords(cls):
        return {}

    @classmethod
    def from_raw(cls, raw, ctx, **extra):
        params = {}
        for e in raw.entries:
            name = e.key[len("USER_DEFINED_"):] if e.key.startswith("USER_DEFINED_") else ""
            if not re.fullmatch(r"[A-Z0-9_]+", name):
                raise e.loc.error(f"{e.key} is not a USER_DEFINED_<NAME> keyword", field=e.key)
            if name in params:
                raise e.loc.error(f"{e.key} appears twice", field=e.key)
            if e.unit is not None and e.unit.strip():
                raise e.loc.error(f"{e.key}: user-defined parameters carry no units",
                                  field=e.key, value=e.unit)
            params[name] = (e.value or "").strip()
        return cls(comments=list(raw.comments), parameters=params, **extra)

    def entries(self, ctx, loc):
        if not isinstance(self.parameters, dict):
            raise loc.error("parameters must be a dict of NAME -> text", field="USER_DEFINED")
        out = []
        for name, value in self.parameters.items():
            if not isinstance(name, str) or not re.fullmatch(r"[A-Z0-9_]+", name):
                raise loc.error(f"user-defined parameter name {name!r} must be upper-case "
                                "letters, digits and underscores", field="USER_DEFINED",
                                value=name)
            try:
                if value != "":
                    check_text(value)
            except ValueError as exc:
                raise loc.error(f"USER_DEFINED_{name}: {exc}", field="USER_DEFINED_" + name,
                                value=value) from None
            out.append(("USER_DEFINED_" + name, value, None))
        return out


class TriangularMatrix:
    """Keywords of a lower-triangular covariance: names, sizes, units per element.

    ``rows``/``cols``: keyword parts per index (``CX``, ``X`` ...); ``kinds``: physical
    kind per index, for units; ``unit(ki, kj)``; ``required``: rows that must be given;
    ``sep``: between row and column name.
    """

    def __init__(self, rows, cols, kinds, unit, required):
        self.rows, self.cols, self.kinds, self.required = rows, cols, kinds, required
        self.keys = []  # (keyword, i, j, unit)
        for i in range(len(rows)):
            for j in range(i + 1):
                self.keys.append((f"{rows[i]}_{cols[j]}", i, j, unit(kinds[i], kinds[j])))
        self.index = {kw: (i, j, u) for kw, i, j, u in self.keys}

    def read(self, values, loc, title):
        """Symmetric matrix from {keyword: float}; rows all-or-none and contiguous."""
        n = len(self.rows)
        row_of = {}
        for kw in values:
            row_of.setdefault(self.index[kw][0], []).append(kw)
        size = 0
        for i in range(n):
            row_keys = [kw for kw, r, _, _ in self.keys if r == i]
            have = row_of.get(i, [])
            if not have:
                if i < self.required:
                    raise loc.error(f"the {title} lacks row {i + 1} ({row_keys[0]} ... "
                                    f"{row_keys[-1]}); rows 1 to {self.required} are mandatory",
                                    field=row_keys[0])
                later = [k for k in range(i + 1, n) if k in row_of]
                if later:
                    raise loc.error(f"the {title} gives row {later[0] + 1} without row {i + 1} "
                                    "(each extra row needs all earlier ones, 508.0-B-1 §5.2.8)",
                                    field=row_keys[0])
                break
            if len(have) != len(row_keys):
                missing = [kw for kw in row_keys if kw not in values]
                raise loc.error(f"the {title} row {i + 1} is incomplete: missing "
                                f"{', '.join(missing)} (a row is given in full or not at all)",
                                field=missing[0])
            size = i + 1
        m = np.zeros((size, size))
        for kw, v in values.items():
            i, j, _ = self.index[kw]
            m[i, j] = m[j, i] = v
        return m

    def write(self, matrix, loc, title):
        """(keyword, text, units) of the lower triangle of a symmetric matrix."""
        m = np.asarray(matrix, dtype=float)
        n = len(self.rows)
        if m.ndim != 2 or m.shape[0] != m.shape[1] or not self.required <= m.shape[0] <= n:
            raise loc.error(f"the {title} matrix must be square, {self.required}x"
                            f"{self.required} to {n}x{n}; got shape {m.shape}", field="matrix")
        if not np.all(np.isfinite(m)):
            raise loc.error(f"the {title} matrix has non-finite entries", field="matrix")
        if not np.array_equal(m, m.T):
            raise loc.error(f"the {title} matrix must be exactly symmetric (only its lower "
                            "triangle is written)", field="matrix")
        return [(kw, repr(float(m[i, j])), u) for kw, i, j, u in self.keys
                if i < m.shape[0]]


def _odm_unit(a, b):
    return {("p", "p"): "km**2", ("v", "p"): "km**2/s", ("p", "v"): "km**2/s",
            ("v", "v"): "km**2/s**2"}[(a, b)]


ODM_COVARIANCE = TriangularMatrix(["CX", "CY", "CZ", "CX_DOT", "CY_DOT", "CZ_DOT"],
                                  ["X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT"],
                                  ["p", "p", "p", "v", "v", "v"], _odm_unit, 6)


@dataclass(eq=False, kw_only=True)
class Covariance(Block):
    """Position/velocity covariance of an OPM or OMM (502.0-B-3 tables 3-3, 4-3).

    Attributes
    ----------
    cov_ref_frame : str or None
        COV_REF_FRAME; None means the metadata's REF_FRAME.
    matrix : numpy.ndarray, shape (6, 6)
        Symmetric; position km, velocity km/s (units km**2, km**2/s, km**2/s**2). The file
        holds the lower triangle CX_X ... CZ_DOT_Z_DOT.
    """

    _TITLE = "covariance matrix"
    _XML = "covarianceMatrix"
    _MATRIX = ODM_COVARIANCE
    comments: list = comments_field()
    cov_ref_frame: str | None = registered("COV_REF_FRAME", "local")
    matrix: np.ndarray = None

    @classmethod
    def keywords(cls):
        return matrix_keywords(cls, "COV_REF_FRAME", "cov_ref_frame")

    @classmethod
    def from_raw(cls, raw, ctx, **extra):
        values, frame = read_matrix_entries(cls, raw, ctx)
        m = cls._MATRIX.read(values, raw.loc, cls._TITLE)
        return cls(comments=list(raw.comments), cov_ref_frame=frame, matrix=m, **extra)

    def entries(self, ctx, loc):
        out = []
        if self.cov_ref_frame is not None:
            try:
                out.append(("COV_REF_FRAME", check_text(self.cov_ref_frame), None))
            except ValueError as exc:
                raise loc.error(f"COV_REF_FRAME: {exc}", field="COV_REF_FRAME") from None
        if self.matrix is None:
            raise loc.error(f"the {self._TITLE} has no matrix", field="matrix")
        return out + self._MATRIX.write(self.matrix, loc, self._TITLE)


_MATRIX_KEYS = {}


def matrix_keywords(cls, frame_key=None, frame_field=None):
    """Keyword table of a covariance block: its frame keyword plus the matrix's."""
    if cls not in _MATRIX_KEYS:
        out = {}
        if frame_key:
            out[frame_key] = (frame_field, None, Key(frame_key, TEXT, registry="local"))
        for kw, _, _, u in cls._MATRIX.keys:
            out[kw] = ("matrix", None, Key(kw, FLOAT, u))
        _MATRIX_KEYS[cls] = out
    return _MATRIX_KEYS[cls]


def read_matrix_entries(cls, raw, ctx, frame_key="COV_REF_FRAME"):
    """{matrix keyword: float} and the frame text of a covariance RawBlock."""
    keys = cls.keywords()
    values = {}
    frame = None
    for e in raw.entries:
        if e.key not in keys:
            raise e.loc.error(f"{e.key} is not a keyword of the {cls._TITLE}", field=e.key)
        if e.key in values or (e.key == frame_key and frame is not None):
            raise e.loc.error(f"{e.key} appears twice in the {cls._TITLE}", field=e.key)
        value = (e.value or "").strip()
        if e.key == frame_key:
            if value:
                registry = keys[frame_key][2].registry if frame_key in keys else None
                if registry:
                    try:
                        check_name(value, registry)
                    except ValueError as exc:
                        raise e.loc.error(f"{e.key}: {exc}", field=e.key, value=value) from None
                frame = value
            continue
        if not value:
            continue
        key = keys[e.key][2]
        scale = check_unit(key, e.unit, e.loc, ctx)
        try:
            values[e.key] = parse_float(value) * scale
        except ValueError as exc:
            raise e.loc.error(f"{e.key}: {exc}", field=e.key, value=value) from None
    return values, frame
