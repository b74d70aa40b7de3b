"""KVN (keyword = value notation) reading and writing shared by the four messages.

Syntax (CCSDS 502.0-B-3 §7.3-7.8, 508.0-B-1 §6.3): one ``KEYWORD = value [units]`` or
``COMMENT text`` per line, keywords in upper case, blank lines anywhere, lines ended by
CR, LF, CR/LF or LF/CR. Comments may only open a block (header after the version line,
metadata, each logical block of the data); a comment between the keywords of a block is
an error (502.0-B-3 §7.8.7). A comment is kept with the block it opens, so that writing
puts it back in the same place.

Leniencies, as in Orekit and other readers: keyword order inside a block is free (blocks
themselves must come in the standard's order), TAB counts as a blank, and non-ASCII
printable characters are accepted in values (CDMExample1 has a U+2212 minus sign).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import InputError
from ._blocks import FLOAT, INT, VECTOR, Loc, RawBlock, RawEntry

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_KV = re.compile(r"([A-Z0-9_]+)[ \t]*=(.*)", re.ASCII | re.DOTALL)
_UNIT = re.compile(r"(.*?)[ \t]+\[([^\[\]]*)\]", re.DOTALL)


def article(name):
    """'a CDM', 'an OPM' (the article as the letters are read)."""
    return f"{'an' if name[:1] in 'AEFHILMNORSX' else 'a'} {name}"


def decode(data, source):
    """Text of a message given as bytes (UTF-8, BOM allowed) or str."""
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = bytes(data).count(b"\n", 0, exc.start) + 1
        raise InputError(f"byte {exc.start} is not UTF-8 text ({exc.reason}); CCSDS messages "
                         "are ASCII text (502.0-B-3 §7.3.4)", source=source, line=line) from None


def split_lines(text, source):
    """Lines of ``text`` (CR, LF, CR/LF, LF/CR endings); refuses control characters."""
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"control character {bad.group()!r} in the message (CCSDS 502.0-B-3 "
                         "§7.3.4: printable characters only)", source=source, line=line)
    if "\n" in text:
        lines = text.split("\n")
        if "\r" in text:
            lines = [ln.strip("\r") for ln in lines]
            if any("\r" in ln for ln in lines):
                raise InputError("carriage return inside a line", source=source,
                                 line=next(i for i, ln in enumerate(lines, 1) if "\r" in ln))
        return lines
    return text.split("\r")


@dataclass
class Token:
    """One non-blank KVN line: a COMMENT, a KEY = value, or a bare word."""

    kind: str  # "comment", "kv", "word"
    key: str
    value: str
    line: int


def tokenize(lines, source, start=0, stop=None):
    """Tokens of the non-blank lines ``lines[start:stop]`` (line numbers from 1)."""
    out = []
    stop = len(lines) if stop is None else stop
    for i in range(start, stop):
        s = lines[i].strip()
        if not s:
            continue
        if s.startswith("COMMENT") and (len(s) == 7 or s[7] in " \t"):
            out.append(Token("comment", "COMMENT", s[7:].strip(), i + 1))
            continue
        m = _KV.fullmatch(s)
        if m is not None:
            out.append(Token("kv", m.group(1), m.group(2).strip(), i + 1))
        elif re.fullmatch(r"[A-Z0-9_]+", s):
            out.append(Token("word", s, "", i + 1))
        else:
            raise InputError(f"{s[:60]!r} is neither 'KEYWORD = value' (keywords in upper "
                             "case, 502.0-B-3 §7.4.4) nor a COMMENT line", source=source,
                             line=i + 1, value=s)
    return out


def split_unit(value):
    """(value, units) from 'value [units]'; units None when there are none."""
    m = _UNIT.fullmatch(value)
    if m is None:
        return value, None
    return m.group(1).strip(), m.group(2)


def entry(tok, key_spec, source):
    """RawEntry of a token, splitting units from numeric values."""
    value, unit = tok.value, None
    if key_spec is not None and key_spec.kind in (FLOAT, INT, VECTOR):
        value, unit = split_unit(value)
    return RawEntry(tok.key, value, unit, Loc(source, tok.line))


# ----------------------------------------------------------------------------- layouts
@dataclass
class Layout:
    """Which keyword opens which block, and the order of blocks (OPM, OMM, CDM).

    ``header``: header block class; ``preamble``: blocks before the first segment (CDM
    relative metadata/data); ``blocks``: (kind, class) of one segment in order;
    ``repeat``: kind -> keyword that opens each new instance (OPM maneuvers);
    ``segment_key``: keyword opening a new segment (CDM ``OBJECT``).
    """

    message: str
    version_key: str
    header: type
    blocks: list
    preamble: list = field(default_factory=list)
    repeat: dict = field(default_factory=dict)
    segment_key: str | None = None
    titles: dict = field(default_factory=dict)
    openers: tuple = ()

    def __post_init__(self):
        self.kind_of = {}
        self.key_of = {}
        self.kind_keys = {}
        for kind, cls in self.preamble + self.blocks:
            for kw, (_, _, key) in cls.keywords().items():
                self.kind_of.setdefault(kw, kind)
                self.key_of.setdefault(kw, key)
                self.kind_keys.setdefault(kind, set()).add(kw)
        self.header_keys = {kw: key for kw, (_, _, key) in self.header.keywords().items()}
        self.order = [k for k, _ in self.blocks]
        self.preamble_kinds = [k for k, _ in self.preamble]
        self.user_kind = next((k for k, c in self.blocks if getattr(c, "_USER", False)), None)

    def title(self, kind):
        return self.titles.get(kind, kind)


@dataclass
class RawMessage:
    """A message's raw blocks, from KVN or XML, before typing."""

    source: str | None
    xml: bool
    version: str
    version_loc: Loc
    header: RawBlock
    preamble: list
    segments: list
    end: Loc


def route(lines, layout, source):
    """Group the KVN lines of an OPM, OMM or CDM into raw blocks (see :class:`Layout`)."""
    tokens = tokenize(lines, source)
    if not tokens or tokens[0].kind != "kv" or tokens[0].key != layout.version_key:
        first = tokens[0] if tokens else None
        got = f"found {first.key!r}" if first else "the file is empty"
        raise InputError(f"the first line of {article(layout.message)} must be "
                         f"'{layout.version_key} = x.y' (502.0-B-3 §7.3.6); {got}",
                         source=source, line=first.line if first else None,
                         field=layout.version_key)
    vtok = tokens[0]
    header = RawBlock("header", Loc(source, vtok.line))
    header_open = True  # comments allowed right after the version line
    preamble, segments = [], []
    segment = None
    cur = None
    pending = []

    def attach(block, tok):
        if pending:
            block.comments.extend(text for text, _ in pending)
            pending.clear()

    def misplaced(tok):
        ln = pending[0][1]
        pending.clear()
        return InputError(f"COMMENT between the keywords of a block; comments may only open a "
                          f"block (502.0-B-3 §7.8.7), here before {tok.key}", source=source,
                          line=ln, field="COMMENT")

    for tok in tokens[1:]:
        if tok.kind == "comment":
            pending.append((tok.value, tok.line))
            continue
        if tok.kind == "word":
            raise InputError(f"{tok.key} is not a keyword of {article(layout.message)} (a line "
                             "without '=')", source=source, line=tok.line, field=tok.key)
        key = tok.key
        if key == layout.version_key:
            raise InputError(f"{key} appears twice (a second message in the same file?)",
                             source=source, line=tok.line, field=key)
        if key in layout.header_keys:
            if preamble or segments:
                raise InputError(f"header keyword {key} after the header ended",
                                 source=source, line=tok.line, field=key)
            if pending:
                if not header_open:
                    raise misplaced(tok)
                attach(header, tok)
            header_open = False
            header.entries.append(entry(tok, layout.header_keys[key], source))
            continue
        if layout.segment_key is not None and key == layout.segment_key:
            segment = []
            segments.append(segment)
            cur = RawBlock(layout.order[0], Loc(source, tok.line))
            segment.append(cur)
            attach(cur, tok)
            cur.entries.append(entry(tok, None, source))
            continue
        if key.startswith("USER_DEFINED_") and layout.user_kind is not None:
            kind, spec = layout.user_kind, None
        elif cur is not None and key in layout.kind_keys.get(cur.kind, ()):
            kind, spec = cur.kind, layout.key_of.get(key)  # keywords shared by two blocks
        else:
            kind = layout.kind_of.get(key)
            spec = layout.key_of.get(key)
        if kind is None:
            raise InputError(f"{key} is not a keyword of {article(layout.message)}", source=source,
                             line=tok.line, field=key, value=tok.value)
        if kind in layout.preamble_kinds:
            if segments:
                raise InputError(f"{key} belongs to the {layout.title(kind)}, which must come "
                                 f"before the first {layout.segment_key}", source=source,
                                 line=tok.line, field=key)
            if cur is None or cur.kind != kind:
                if any(b.kind == kind for b in preamble):
                    raise InputError(f"{key} belongs to the {layout.title(kind)}, which already "
                                     "ended", source=source, line=tok.line, field=key)
                cur = RawBlock(kind, Loc(source, tok.line))
                preamble.append(cur)
                attach(cur, tok)
            elif pending:
                if all(e.key in layout.openers for e in cur.entries):
                    attach(cur, tok)
                else:
                    raise misplaced(tok)
            cur.entries.append(entry(tok, spec, source))
            continue
        if layout.segment_key is not None and segment is None:
            raise InputError(f"{key} ({layout.title(kind)}) before the first "
                             f"'{layout.segment_key} = ...' line", source=source,
                             line=tok.line, field=key)
        if segment is None:
            segment = []
            segments.append(segment)
        starter = layout.repeat.get(kind)
        same = cur is not None and cur.kind == kind and cur in segment
        if same and starter is not None and (key == starter or cur.get(key) is not None):
            same = False
        if not same:
            used = [b.kind for b in segment]
            if starter is None and kind in used:
                raise InputError(f"{key} belongs to the {layout.title(kind)}, which already "
                                 f"ended; blocks come in the order of the standard's tables "
                                 "(502.0-B-3 §7.4.8)", source=source, line=tok.line, field=key)
            later = [k for k in used if layout.order.index(k) > layout.order.index(kind)]
            if later:
                raise InputError(f"{key} belongs to the {layout.title(kind)}, which must come "
                                 f"before the {layout.title(later[0])} (502.0-B-3 §7.4.8)",
                                 source=source, line=tok.line, field=key)
            if starter is not None and key != starter:
                raise InputError(f"a {layout.title(kind)} must begin with {starter}; found "
                                 f"{key}", source=source, line=tok.line, field=key)
            cur = RawBlock(kind, Loc(source, tok.line))
            segment.append(cur)
            attach(cur, tok)
        elif pending:
            raise misplaced(tok)
        cur.entries.append(entry(tok, spec, source))
    if pending:
        raise InputError("COMMENT after the last keyword: a comment must open the block it "
                         "describes (502.0-B-3 §7.8)", source=source, line=pending[0][1],
                         field="COMMENT")
    end = Loc(source, tokens[-1].line)
    return RawMessage(source, False, vtok.value, Loc(source, vtok.line), header, preamble,
                      segments, end)


# ----------------------------------------------------------------------------- writing
def kv_lines(entries, comments=(), units=True):
    """KVN lines for comments then ``(keyword, text, units)`` entries."""
    out = [f"COMMENT {c}".rstrip() for c in comments]
    for kw, value, unit in entries:
        if units and unit:
            out.append(f"{kw} = {value} [{unit}]")
        else:
            out.append(f"{kw} = {value}".rstrip())
    return out
