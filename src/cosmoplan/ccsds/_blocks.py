"""Keyword blocks: typed dataclasses whose fields name the CCSDS keywords they hold.

Every logical block of a message (header, metadata, state vector, ...) is a dataclass
deriving from :class:`Block`. Each field's metadata gives the keyword(s), the value kind
(text, integer, real, date, vector, enumeration), the standard's units and whether the
keyword is mandatory. One generic reader turns the raw ``KEY = value [units]`` entries of
a block (from KVN lines or XML elements) into the dataclass, and one generic writer turns
the dataclass back into entries, so KVN and XML share every rule.

Equality (``==``) compares values: numbers exactly (the text of a number round-trips
through Python's shortest ``repr``), arrays element by element (NaN equal to NaN, for
absent components), dates by their text and time system, comments as lists.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from ..errors import InputError
from ._dates import CcsdsEpoch, RawEpoch, parse_date, same_date
from ._registry import check_name, is_strict
from ._units import scale_to

TEXT, INT, FLOAT, DATE, VECTOR, ENUM = "text", "int", "float", "date", "vector", "enum"

_FLOAT_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_INT_RE = re.compile(r"[+-]?\d+", re.ASCII)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
INT32 = (-(2**31), 2**31 - 1)


# ----------------------------------------------------------------------------- locations
class Loc:
    """Where an entry stands: file and line (KVN) or element path (XML), for errors."""

    __slots__ = ("source", "line", "path")

    def __init__(self, source=None, line=None, path=None):
        self.source = source
        self.line = line
        self.path = path

    def error(self, message, *, field=None, value=None):
        if self.path:
            message = f"element {self.path}: {message}"
        return InputError(message, source=self.source, line=self.line, field=field,
                          value=value)

    def child(self, name):
        return Loc(self.source, self.line, f"{self.path}/{name}" if self.path else name)

    def __repr__(self):
        return f"Loc({self.source!r}, line={self.line}, path={self.path!r})"


@dataclass
class RawEntry:
    """One ``KEY = value [units]`` as read (value ``None`` for an XML nil element)."""

    key: str
    value: str | None
    unit: str | None
    loc: Loc


@dataclass
class RawBlock:
    """The comments and entries of one block instance, before typing."""

    kind: str
    loc: Loc
    comments: list = field(default_factory=list)
    entries: list = field(default_factory=list)

    def get(self, key):
        for e in self.entries:
            if e.key == key:
                return e
        return None


@dataclass
class Ctx:
    """What converting a block's values needs: time system, format, message, version."""

    time_system: str = "UTC"
    xml: bool = False
    message: str = ""
    version: str = ""


# ----------------------------------------------------------------------------- keys
@dataclass(frozen=True)
class Key:
    """One keyword: its value kind, the standard's units (None: none allowed), M/O."""

    keyword: str
    kind: str
    unit: str | None = None
    required: bool = False
    choices: tuple = ()
    size: int = 0
    item: str = FLOAT
    utc: bool = False
    registry: str | None = None
    allow_empty: bool = False


def _meta(keys, doc=""):
    return {"ccsds": keys, "doc": doc}


def text(keyword, *, required=False, allow_empty=False, doc=""):
    """A free-text keyword (stored as str, surrounding blanks removed).

    ``allow_empty``: a mandatory keyword whose value may be blank (kept as ``""``), e.g. the
    OMM OBJECT_ID of analyst objects that have no international designator (CelesTrak).
    """
    key = Key(keyword, TEXT, required=required, allow_empty=allow_empty)
    return field(default=None, metadata=_meta((key,), doc))


def registered(keyword, registry, *, required=False, doc=""):
    """A frame or centre name checked against a SANA registry (see :mod:`._registry`).

    ``registry``: 'frame' (celestial frames), 'local' (also RTN, TNW, ...) or 'center'.
    """
    key = Key(keyword, TEXT, required=required, registry=registry)
    return field(default=None, metadata=_meta((key,), doc))


def enum(keyword, choices, *, required=False, doc=""):
    """A keyword with normative values (compared case-insensitively, kept as written)."""
    key = Key(keyword, ENUM, required=required, choices=tuple(c.upper() for c in choices))
    return field(default=None, metadata=_meta((key,), doc))


def integer(keyword, *, required=False, doc=""):
    """An integer keyword (CCSDS 502.0-B-3 §7.5.4: 32-bit range)."""
    return field(default=None, metadata=_meta((Key(keyword, INT, required=required),), doc))


def real(keyword, unit=None, *, required=False, doc=""):
    """A real-valued keyword in the standard's ``unit`` (None for dimensionless)."""
    return field(default=None,
                 metadata=_meta((Key(keyword, FLOAT, unit, required=required),), doc))


def date(keyword, *, required=False, utc=False, doc=""):
    """A date keyword, in the message's TIME_SYSTEM (or always UTC)."""
    return field(default=None,
                 metadata=_meta((Key(keyword, DATE, required=required, utc=utc),), doc))


def vector(keyword, unit=None, *, size=0, item=FLOAT, required=False, doc=""):
    """A keyword whose value is blank-separated numbers (a tuple in Python)."""
    key = Key(keyword, VECTOR, unit, required=required, size=size, item=item)
    return field(default=None, metadata=_meta((key,), doc))


def components(keywords, unit=None, *, required=False, doc=""):
    """One NumPy array field from several keywords (NaN where a keyword is absent)."""
    keys = tuple(Key(k, FLOAT, unit, required=required) for k in keywords)
    return field(default=None, metadata=_meta(keys, doc))


def comments_field():
    return field(default_factory=list, metadata={"doc": "COMMENT lines at the block's start"})


# ----------------------------------------------------------------------------- equality
def values_equal(a, b):
    """Value equality used by every message object (see the module docstring)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (CcsdsEpoch, RawEpoch)) or isinstance(b, (CcsdsEpoch, RawEpoch)):
        return same_date(a, b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, Block) or isinstance(b, Block):
        return type(a) is type(b) and a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


class Block:
    """Base of every part of a message: value equality, keyword tables, conversions."""

    _TITLE = "block"
    _XML = None

    def __eq__(self, other):
        if type(self) is not type(other):
            return NotImplemented
        return all(values_equal(getattr(self, f.name), getattr(other, f.name))
                   for f in dataclasses.fields(self))

    __hash__ = None

    # ---------------------------------------------------------------- keyword tables
    @classmethod
    def keywords(cls):
        """Keyword -> (field name, component index or None, Key), in writing order."""
        return _keymap(cls)

    def check(self, loc):
        """Rules that tie several keywords together (overridden); raises InputError."""

    # ---------------------------------------------------------------- reading
    @classmethod
    def from_raw(cls, raw, ctx, **extra):
        """The typed block from raw entries; InputError names file, line/element, keyword."""
        keymap = cls.keywords()
        values = {}
        seen = {}
        entries = raw.entries
        ts_entry = next((e for e in entries if e.key == "TIME_SYSTEM"), None)
        if ts_entry is not None and ts_entry.value:
            ctx = dataclasses.replace(ctx, time_system=ts_entry.value.strip().upper())
        for e in entries:
            spec = keymap.get(e.key)
            if spec is None:
                raise e.loc.error(f"{e.key} is not a keyword of the {cls._TITLE}", field=e.key,
                                  value=e.value)
            if e.key in seen:
                first = seen[e.key]
                where = f" (first at line {first.line})" if first.line else ""
                raise e.loc.error(f"{e.key} appears twice in the {cls._TITLE}{where}",
                                  field=e.key)
            seen[e.key] = e.loc
            name, index, key = spec
            value = None if e.value is None else e.value.strip()
            if not value:
                if key.allow_empty:
                    values[name] = ""
                    continue
                if key.required:
                    raise e.loc.error(f"{e.key} is mandatory but its value is empty "
                                      "(CCSDS 502.0-B-3 §7.5.1, 508.0-B-1 §6.2.3.1)",
                                      field=e.key)
                continue
            scale = check_unit(key, e.unit, e.loc, ctx)
            try:
                converted = convert(value, key, ctx)
            except ValueError as exc:
                raise e.loc.error(f"{e.key}: {exc}", field=e.key, value=value) from None
            if scale != 1.0:
                converted = (converted * scale if key.kind == FLOAT
                             else tuple(v * scale for v in converted))
            if index is None:
                values[name] = converted
            else:
                arr = values.get(name)
                if arr is None:
                    arr = values[name] = np.full(_width(cls, name), np.nan)
                arr[index] = converted
        for kw, (_name, _index, key) in keymap.items():
            if key.required and kw not in seen:
                raise raw.loc.error(
                    f"mandatory keyword {kw} missing from the {cls._TITLE}", field=kw)
        obj = cls(comments=list(raw.comments), **values, **extra)
        obj.check(raw.loc)
        return obj

    # ---------------------------------------------------------------- writing
    def entries(self, ctx, loc):
        """(keyword, text, units) of every value set, in the standard's order."""
        self.check(loc)
        out = []
        for kw, (name, index, key) in self.keywords().items():
            value = getattr(self, name)
            if value is None:
                if key.required:
                    raise loc.error(f"mandatory keyword {kw} ({name}) is not set", field=kw)
                continue
            if index is not None:
                arr = np.asarray(value)
                if arr.dtype.kind not in "iuf":
                    raise loc.error(f"{name} must be real numbers, got {arr.dtype} values",
                                    field=kw, value=value)
                arr = arr.astype(float)
                if arr.shape != (_width(type(self), name),):
                    raise loc.error(f"{name} must have {_width(type(self), name)} components, "
                                    f"got shape {arr.shape}", field=kw)
                value = float(arr[index])
                if math.isnan(value):
                    if key.required:
                        raise loc.error(f"mandatory keyword {kw} ({name}[{index}]) is NaN",
                                        field=kw)
                    continue
            try:
                out.append((kw, value_text(value, key, ctx), key.unit))
            except ValueError as exc:
                raise loc.error(f"{kw}: {exc}", field=kw, value=value) from None
        return out


@cache
def _keymap(cls):
    out = {}
    for f in dataclasses.fields(cls):
        keys = f.metadata.get("ccsds")
        if not keys:
            continue
        if len(keys) == 1:
            out[keys[0].keyword] = (f.name, None, keys[0])
        else:
            for i, k in enumerate(keys):
                out[k.keyword] = (f.name, i, k)
    return out


@cache
def _width(cls, name):
    for f in dataclasses.fields(cls):
        if f.name == name:
            return len(f.metadata["ccsds"])
    raise KeyError(name)  # pragma: no cover


# ----------------------------------------------------------------------------- values
def check_unit(key, unit, loc, ctx):
    """Units in brackets (KVN) or the ``units`` attribute (XML) against the standard's.

    Returns the factor that scales the value to the standard's units: 1.0 when the units are
    the standard's (or absent); with ``strict=False`` reading, the factor of compatible
    units (``[m]`` for km: 0.001; see :mod:`._units`). Anything else is an InputError.
    """
    if unit is None:
        return 1.0
    unit = unit.strip()
    if not unit and ctx.xml:
        return 1.0
    if key.unit is None:
        raise loc.error(f"{key.keyword} takes no units, found [{unit}] (CCSDS 502.0-B-3 "
                        "§7.7.1.3: '[n/a]' and units of dimensionless values are not written)",
                        field=key.keyword, value=unit)
    if unit == key.unit or (ctx.xml and unit.lower() == key.unit.lower()):
        return 1.0
    try:
        factor = scale_to(unit, key.unit)
    except ValueError:
        factor = None
    if factor is not None and not is_strict():
        return factor
    hint = (f"; strict=False (--lenient) would read it scaled by {factor:.10g}"
            if factor is not None else "")
    raise loc.error(f"{key.keyword} has units [{unit}], the standard's units are "
                    f"[{key.unit}] (CCSDS 502.0-B-3 §7.7.1.1, 508.0-B-1 §6.2.4.1: units must "
                    f"match exactly){hint}", field=key.keyword, value=unit)


def parse_float(text):
    if not _FLOAT_RE.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is outside the range of a double")
    if value == 0.0 and any(c in "123456789" for c in re.split("[eE]", text)[0]):
        raise ValueError(f"{text!r} is too small for a double (it would read as 0)")
    return value


def parse_int(text):
    if not _INT_RE.fullmatch(text):
        raise ValueError(f"{text!r} is not an integer")
    if len(text.lstrip("+-").lstrip("0")) > 10:
        raise ValueError(f"{text[:20]!r}... is outside the 32-bit integer range "
                         "(CCSDS 502.0-B-3 §7.5.4)")
    value = int(text)
    if not INT32[0] <= value <= INT32[1]:
        raise ValueError(f"{text!r} is outside the 32-bit integer range "
                         "(CCSDS 502.0-B-3 §7.5.4)")
    return value


def convert(value, key, ctx):
    """Text -> Python value for ``key``; ValueError with the reason."""
    kind = key.kind
    if kind == TEXT:
        if key.registry:
            check_name(value, key.registry)
        return value
    if kind == FLOAT:
        return parse_float(value)
    if kind == INT:
        return parse_int(value)
    if kind == DATE:
        return parse_date(value, "UTC" if key.utc else ctx.time_system)
    if kind == ENUM:
        if value.upper() not in key.choices:
            raise ValueError(f"{value!r} is not one of {', '.join(key.choices)}")
        return value
    if kind == VECTOR:
        parts = value.split()
        parse = parse_int if key.item == INT else parse_float
        items = tuple(parse(p) for p in parts)
        if key.size and len(items) != key.size:
            raise ValueError(f"expected {key.size} numbers, found {len(items)}")
        if not items:
            raise ValueError("no numbers")
        return items
    raise AssertionError(kind)  # pragma: no cover


def check_text(value, what="value"):
    """A text value that reads back identically: str, non-empty, no surrounding blanks."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, got {type(value).__name__}")
    if not value or value != value.strip():
        raise ValueError(f"{what} {value!r} must be non-empty without leading or trailing "
                         "blanks (they are not kept by KVN)")
    if _CONTROL_RE.search(value):
        raise ValueError(f"{what} {value!r} contains control characters (line breaks, tabs); "
                         "CCSDS 502.0-B-3 §7.3.4 allows printable characters only")
    return value


def _num_text(v):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ValueError(f"{v!r} is not a number")
    try:
        v = float(v)
    except OverflowError:
        raise ValueError(f"{str(v)[:30]}... is outside the range of a double") from None
    if not math.isfinite(v):
        raise ValueError(f"{v!r} is not finite")
    return repr(v)


def _int_text(v):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise ValueError(f"{v!r} is not an integer")
    v = int(v)
    if not INT32[0] <= v <= INT32[1]:
        raise ValueError(f"{v} is outside the 32-bit integer range")
    return str(v)


def value_text(value, key, ctx):
    """Python value -> text as written; ValueError if the reader would refuse it."""
    kind = key.kind
    if kind == TEXT:
        if key.allow_empty and value == "":
            return ""
        # registry names are checked when reading (strict); the writer writes what it holds,
        # so a message read leniently (names agreed by ICD) can be written back
        return check_text(value)
    if kind == ENUM:
        check_text(value)
        if value.upper() not in key.choices:
            raise ValueError(f"{value!r} is not one of {', '.join(key.choices)}")
        return value
    if kind == FLOAT:
        return _num_text(value)
    if kind == INT:
        return _int_text(value)
    if kind == DATE:
        if not isinstance(value, (CcsdsEpoch, RawEpoch)) or np.ndim(value.text) != 0:
            raise ValueError(f"a date must be a scalar CcsdsEpoch or RawEpoch, got {value!r}; "
                             "build one with CcsdsEpoch.from_epoch(epoch, time_system)")
        ts = "UTC" if key.utc else ctx.time_system.upper()
        if value.time_system != ts:
            raise ValueError(f"the date {value.text!r} is in {value.time_system} but this "
                             f"block's dates are in {ts}")
        return str(value.text)
    if kind == VECTOR:
        try:
            items = list(value)
        except TypeError:
            raise ValueError(f"{value!r} is not a sequence of numbers") from None
        if not items or (key.size and len(items) != key.size):
            raise ValueError(f"expected {key.size or 'at least 1'} numbers, got {len(items)}")
        conv = _int_text if key.item == INT else _num_text
        return " ".join(conv(v) for v in items)
    raise AssertionError(kind)  # pragma: no cover


def check_comments(comments, loc):
    """Comments are a list of one-line texts (surrounding blanks are not kept)."""
    if not isinstance(comments, (list, tuple)):
        raise loc.error(f"comments must be a list of str, got {type(comments).__name__}",
                        field="COMMENT")
    for c in comments:
        if not isinstance(c, str) or c != c.strip() or _CONTROL_RE.search(c):
            raise loc.error(f"comment {c!r} must be one line of text without leading or "
                            "trailing blanks", field="COMMENT", value=c)
