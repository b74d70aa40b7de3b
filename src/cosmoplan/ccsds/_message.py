"""Base of the four message classes: reading, writing, equality."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

from .._io import atomic_write_text
from ..errors import InputError
from . import _kvn, _xml
from ._blocks import Loc, values_equal
from ._registry import strict_names


def source_name(source):
    return None if source is None else str(source)


class Message:
    """Common behaviour of :class:`OEM`, :class:`OPM`, :class:`OMM` and :class:`CDM`.

    Equality is value equality of every part (see :mod:`cosmoplan.ccsds`); reading then
    writing then reading gives an equal object, in KVN and in XML.
    """

    NAME = ""
    VERSIONS = ()

    def __eq__(self, other):
        if type(self) is not type(other):
            return NotImplemented
        a, b = self._canonical(), other._canonical()
        return all(values_equal(getattr(a, f.name), getattr(b, f.name))
                   for f in dataclasses.fields(a))

    def _canonical(self):
        """The message as KVN sees it (overridden): comments of a data section that KVN
        cannot tell from the first block's leading comments are merged into that block."""
        return self

    __hash__ = None

    # ---------------------------------------------------------------- reading
    @classmethod
    def from_kvn(cls, text, source=None, *, strict=True):
        """The message in KVN ``text`` (str or bytes); ``source`` names it in errors.

        ``strict``: frame/centre names from the SANA registries and units exactly the
        standard's (default); False accepts other names and scales compatible units.
        """
        source = source_name(source)
        text = _kvn.decode(text, source)
        lines = _kvn.split_lines(text, source)
        with strict_names(strict):
            return cls._from_kvn_lines(lines, source)

    @classmethod
    def _from_kvn_lines(cls, lines, source):
        raw = _kvn.route(lines, cls._LAYOUT, source)
        return cls._from_raw(raw)

    @classmethod
    def from_xml(cls, text, source=None, *, strict=True):
        """The message in NDM/XML ``text`` (str or bytes); ``strict`` as for from_kvn."""
        source = source_name(source)
        text = _kvn.decode(text, source)
        root = _xml.parse(text, source)
        loc = _xml.XmlLoc(source, None, "/" + _xml.local(root.tag))
        try:
            with strict_names(strict):
                return cls._from_xml_root(root, loc)
        except InputError as exc:
            raise _xml.with_line(exc, text) from None

    @classmethod
    def read(cls, path, *, strict=True):
        """Read a message file (KVN or XML, told apart by its first character)."""
        data = _read_bytes(path)
        msg = loads(data, source=str(path), strict=strict)
        if not isinstance(msg, cls):
            raise InputError(f"it holds {_kvn.article(msg.NAME)}, not {_kvn.article(cls.NAME)}",
                             source=str(path))
        return msg

    # ---------------------------------------------------------------- writing
    def to_kvn(self):
        """KVN text of the message (validated first: InputError if the reader would refuse)."""
        return "\n".join(self._kvn_lines()) + "\n"

    def to_xml(self):
        """NDM/XML text of the message (505.0-B-2 element names and structure)."""
        return "\n".join(self._xml_lines()) + "\n"

    def write(self, path, format=None):
        """Write atomically to ``path``; ``format`` 'kvn' or 'xml' (default: from the suffix).

        Returns the path.
        """
        fmt = _format_for(path, format)
        target = check_output_file(path)
        text = self.to_xml() if fmt == "xml" else self.to_kvn()
        write_text_file(target, text)
        return path

    def loc(self, part=""):
        return Loc(f"writing {self.NAME}" + (f" {part}" if part else ""))


def _format_for(path, format):
    if format is None:
        return "xml" if str(path).lower().endswith(".xml") else "kvn"
    fmt = str(format).lower()
    if fmt not in ("kvn", "xml"):
        raise InputError(f"format must be 'kvn' or 'xml', got {format!r}", field="format",
                         value=format)
    return fmt


def check_output_file(path):
    """``path`` as a Path if a message may be written there, else InputError: an existing
    target must be a regular, writable file (never a folder, device or pipe: an atomic
    rename would replace it), and its folder must exist."""
    try:
        p = Path(os.fspath(path))
    except TypeError:
        raise InputError(f"cannot write to {path!r}: not a path", field="path",
                         value=path) from None
    if p.is_dir():
        raise InputError("is a folder; give a file name", source=str(p), field="path")
    if p.exists() or p.is_symlink():
        st = p.stat() if p.exists() else None
        if st is None or not stat.S_ISREG(st.st_mode):
            raise InputError("exists and is not a regular file (a device, pipe or broken "
                             "link); it is left alone", source=str(p), field="path")
        if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise InputError("is read-only; it is left alone", source=str(p), field="path")
    if not p.parent.is_dir():
        raise InputError(f"the folder {p.parent} does not exist", source=str(p), field="path")
    return p


def write_text_file(path, text):
    """Atomic write; an operating-system failure (full disk, permission) is an InputError
    naming the file, and the target is left as it was."""
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(path),
                         field="path") from None


def _read_bytes(path):
    try:
        p = Path(os.fspath(path))
    except TypeError:
        raise InputError(f"cannot read {path!r}: not a path", field="path", value=path) from None
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", source=str(p), field="path") from None
    except IsADirectoryError:
        raise InputError("a folder, not a message file", source=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror}", source=str(p)) from None


_TYPES = {}


def register(cls):
    _TYPES[cls.NAME] = cls
    return cls


def loads(data, source=None, *, strict=True):
    """The message in ``data`` (str or bytes), KVN or XML, OEM/OPM/OMM/CDM by its content.

    ``source`` names the data in errors (a file name). ``strict`` (default True): REF_FRAME,
    CENTER_NAME and local-frame names must be in the SANA registries and units exactly the
    standard's; False accepts names agreed by ICD and scales compatible units (m -> km).
    Raises InputError naming the source, the line (or XML element), keyword and problem.
    """
    with strict_names(strict):
        return _loads(data, source)


def _loads(data, source):
    source = source_name(source)
    if not isinstance(data, (str, bytes, bytearray, memoryview)):
        raise InputError(f"a message is text (str) or bytes, got {type(data).__name__}; "
                         "read a file with ccsds.read(path)", source=source, field="data")
    text = _kvn.decode(data, source)
    head = text.lstrip()
    if head.startswith("<"):
        root = _xml.parse(text, source)
        tag = _xml.local(root.tag)
        cls = _TYPES.get(tag.upper()) if tag.islower() else None
        if cls is None:
            raise InputError(f"root element <{tag}> is not an oem, opm, omm or cdm message",
                             source=source, line=1, field=tag)
        loc = _xml.XmlLoc(source, None, "/" + tag)
        try:
            return cls._from_xml_root(root, loc)
        except InputError as exc:
            raise _xml.with_line(exc, text) from None
    first = head.split("\n", 1)[0].split("=", 1)[0].strip()
    name = first[6:9] if first.startswith("CCSDS_") and first.endswith("_VERS") else ""
    cls = _TYPES.get(name)
    if cls is None:
        what = f"{first[:40]!r}" if first else "an empty file"
        lines3 = [ln.strip() for ln in head.splitlines()[:3]]
        hint = ("; it looks like a two-line element set: 'cosmoplan ccsds convert' turns a TLE "
                "file into an OMM" if any(ln.startswith(("1 ", "2 ")) and len(ln) > 60
                                          for ln in lines3) else "")
        raise InputError(f"not a CCSDS OEM, OPM, OMM or CDM: the first line should be "
                         f"CCSDS_xxx_VERS = x.y, found {what}{hint}", source=source,
                         field=first[:40] or "CCSDS_xxx_VERS",
                         line=text[:len(text) - len(head)].count("\n") + 1)
    lines = _kvn.split_lines(text, source)
    return cls._from_kvn_lines(lines, source)


def validate(path, *, strict=True, max_errors=50):
    """Check a message file and collect its errors: ``(message or None, [InputError, ...])``.

    The first error found is what :func:`read` raises. In KVN, checking then goes on: the
    line an error names is repaired in memory (an unknown keyword or a data line set aside,
    wrong units removed, a bad value replaced by a neutral valid one) and the text read
    again, so the errors of the other lines are found too, each with its own line and
    keyword, up to ``max_errors``, returned in line order. It stops at an error that
    cannot be tied to one line (a missing mandatory keyword, a structural problem) and after
    the first error of an XML file: what follows would be guesswork.
    """
    data = _read_bytes(path)
    source = str(path)
    try:
        return loads(data, source=source, strict=strict), []
    except InputError as first:
        errors = [first]
    try:
        text = _kvn.decode(data, source)
    except InputError:
        return None, errors
    if text.lstrip().startswith("<") or len(text) > 5_000_000:
        return None, errors
    lines = text.splitlines()
    fixed = set()

    def attempt(candidate_lines):
        try:
            loads("\n".join(candidate_lines) + "\n", source=source, strict=strict)
            return None
        except InputError as exc:
            return exc

    while len(errors) < max_errors:
        err = errors[-1]
        k = (err.line or 0) - 1
        if not 0 <= k < len(lines) or k in fixed:
            break
        nxt = None
        for repaired in _repairs(lines[k], err):
            trial = lines[:k] + [repaired] + lines[k + 1:]
            nxt = attempt(trial)
            if nxt is None or nxt.line != err.line:
                lines = trial
                break
        else:
            break
        fixed.add(k)
        if nxt is None:
            break
        if nxt.line is not None and nxt.line - 1 in fixed:
            break
        errors.append(nxt)
    return None, sorted(errors, key=lambda e: e.line or 0)


_NEUTRAL = ("0", "1", "2000-01-01T00:00:00", "EARTH", "EME2000", "RTN", "UTC", "HERMITE",
            "SGP4", "NO", "UNKNOWN", "1.0")


def _repairs(line, err):
    """Versions of a bad KVN ``line`` that remove the problem ``err`` names, best first."""
    stripped = line.strip()
    key, eq, value = stripped.partition("=")
    key = key.strip()
    if not eq or key != err.field:  # a data line, a stray word, an unknown structure
        yield ""
        return
    if "is not a keyword" in str(err):
        yield ""
        return
    if "[" in value and ("units" in str(err)):
        yield f"{key} = {value.split('[', 1)[0].strip()}"
    for v in _NEUTRAL:
        yield f"{key} = {v}"


def read(path, *, strict=True):
    """Read an OEM, OPM, OMM or CDM file, in KVN or XML (``strict`` as for :func:`loads`)."""
    return loads(_read_bytes(path), source=str(path), strict=strict)


def dumps(message, format="kvn"):
    """Text of ``message`` in 'kvn' or 'xml'."""
    if not isinstance(message, Message):
        raise InputError(f"dumps needs an OEM, OPM, OMM or CDM, got {type(message).__name__}",
                         field="message")
    return message.to_xml() if _format_for("", format) == "xml" else message.to_kvn()


def write(message, path, format=None):
    """Write ``message`` atomically to ``path`` ('kvn' or 'xml'; default from the suffix)."""
    if not isinstance(message, Message):
        raise InputError(f"write needs an OEM, OPM, OMM or CDM, got {type(message).__name__}",
                         field="message")
    return message.write(path, format)


# ----------------------------------------------------------------------------- helpers
def xml_block(tag, comments, entries, indent):
    """Lines of ``<tag>`` holding COMMENT elements then keyword elements."""
    pad = " " * indent
    return ([f"{pad}<{tag}>"] + _xml.xml_entries(entries, comments, indent + 2)
            + [f"{pad}</{tag}>"])


def block_lines(block, ctx, loc, fmt, tag=None, indent=0, extra_comments=()):
    """KVN or XML lines of one typed block (comments first, then its keywords)."""
    from ._blocks import check_comments

    check_comments(block.comments, loc)
    comments = list(extra_comments) + list(block.comments)
    entries = block.entries(ctx, loc)
    if fmt == "kvn":
        return _kvn.kv_lines(entries, comments)
    return xml_block(tag or block._XML, comments, entries, indent)


def expect(value, cls, what, loc):
    """``value`` is a ``cls`` (a message part), else InputError."""
    if not isinstance(value, cls):
        raise loc.error(f"{what} must be a {cls.__name__}, got {type(value).__name__}",
                        field=what)
    return value


def xml_odm_raw(root, loc, name, data_blocks, max_segments=1, repeatable=()):
    """RawMessage of an ODM-shaped XML message (header, body/segment/metadata+data).

    ``data_blocks``: tag -> (flatten tags, user flag) of the blocks allowed in <data>.
    """

    version, header, body = _xml.header_and_body(root, loc, name)
    segments = []
    for tag, el, cloc in _xml.children(*body):
        if tag != "segment":
            raise cloc.error(f"unexpected element <{tag}> in <body> (expected <segment>)",
                             field=tag)
        if len(segments) >= max_segments:
            raise cloc.error(f"{_kvn.article(name.upper())} has {max_segments} segment"
                             f"{'s' if max_segments > 1 else ''} at most", field="segment")
        segments.append(xml_segment(el, cloc, data_blocks, repeatable))
    if not segments:
        raise body[1].error("<body> has no <segment>", field="segment")
    return _kvn.RawMessage(loc.source, True, version, loc, header, [], segments, loc)


def xml_segment(el, loc, data_blocks, repeatable=()):
    """Raw blocks of one <segment>: metadata, then the blocks of <data>."""
    from ._blocks import RawBlock

    md_el, data = _xml.metadata_and_data(el, loc)
    metadata = _xml.block(md_el[0], "metadata", md_el[1])
    blocks = [metadata]
    comments = RawBlock("data", data[1])
    seen = set()
    for tag, c, cloc in _xml.children(*data):
        if tag == "COMMENT":
            comments.comments.append((c.text or "").strip())
        elif tag in data_blocks:
            if tag in seen and tag not in repeatable:
                raise cloc.error(f"a second <{tag}> in <data>", field=tag)
            seen.add(tag)
            flatten, user = data_blocks[tag]
            blocks.append(_xml.block(c, tag, cloc, flatten, user))
        else:
            raise cloc.error(f"unexpected element <{tag}> in <data> (allowed: "
                             f"{', '.join(data_blocks)})", field=tag)
    if comments.comments:
        blocks.insert(1, comments)
    return blocks


def merge_data_comments(data, attrs):
    """``data`` with its own comments moved in front of the first present block's (the KVN
    reading of a data section: 502.0-B-3 §7.8 places both at the same spot)."""
    if not isinstance(data.comments, list) or not data.comments:
        return data
    for attr in attrs:
        value = getattr(data, attr, None)
        if isinstance(value, (list, tuple)):
            if not value:
                continue
            first = value[0]
            if not isinstance(getattr(first, "comments", None), list):
                return data
            moved = dataclasses.replace(first, comments=data.comments + first.comments)
            return dataclasses.replace(data, comments=[], **{attr: [moved, *value[1:]]})
        if value is not None:
            if not isinstance(getattr(value, "comments", None), list):
                return data
            moved = dataclasses.replace(value, comments=data.comments + value.comments)
            return dataclasses.replace(data, comments=[], **{attr: moved})
    return data


def by_kind(blocks):
    out = {}
    for b in blocks:
        out.setdefault(b.kind, []).append(b)
    return out


class SingleSegment(Message):
    """An ODM with one metadata block and one data section (OPM, OMM).

    Subclasses give ``_MD`` (metadata class), ``_DATA`` (data class) and ``_FIELDS``:
    (data attribute, block kind = XML tag, block class, mandatory, repeatable).
    """

    _MD = None
    _DATA = None
    _FIELDS = ()

    def _canonical(self):
        data = self.data
        if not isinstance(data, self._DATA) or not data.comments:
            return self
        new = merge_data_comments(data, [f[0] for f in self._FIELDS])
        return dataclasses.replace(self, data=new) if new is not data else self

    @classmethod
    def _xml_data(cls):
        return {kind: ((), getattr(c, "_USER", False)) for _, kind, c, _, _ in cls._FIELDS}

    @classmethod
    def _from_raw(cls, raw):
        from ._blocks import Ctx
        from ._common import check_version

        ctx = Ctx(xml=raw.xml, message=cls.NAME, version=raw.version)
        check_version(raw.version, cls.VERSIONS, cls.NAME, raw.version_loc)
        header = cls._LAYOUT.header.from_raw(raw.header, ctx, version=raw.version)
        if len(raw.segments) != 1:
            raise raw.end.error(f"{_kvn.article(cls.NAME)} has one metadata block and one data "
                                "section",
                                field="metadata")
        blocks = by_kind(raw.segments[0])
        if "metadata" not in blocks:
            raise raw.end.error(f"the {cls.NAME} has no metadata", field="OBJECT_NAME")
        md = cls._MD.from_raw(blocks["metadata"][0], ctx)
        ctx.time_system = md.time_system.upper()
        values = {}
        for attr, kind, bcls, required, repeat in cls._FIELDS:
            found = blocks.get(kind, [])
            if repeat:
                values[attr] = [bcls.from_raw(b, ctx) for b in found]
            elif found:
                values[attr] = bcls.from_raw(found[0], ctx)
            elif required:
                keys = list(bcls.keywords())
                raise raw.end.error(f"the {cls.NAME} has no {bcls._TITLE} ({keys[0]} ...), which "
                                    "is mandatory (502.0-B-3)", field=keys[0])
        data_comments = blocks["data"][0].comments if "data" in blocks else []
        return cls(header, md, cls._DATA(comments=list(data_comments), **values))

    @classmethod
    def _from_xml_root(cls, root, loc):
        repeatable = tuple(k for _, k, _, _, r in cls._FIELDS if r)
        return cls._from_raw(xml_odm_raw(root, loc, cls.NAME.lower(), cls._xml_data(),
                                         repeatable=repeatable))

    def _parts(self):
        from ._blocks import Ctx
        from ._common import check_version

        loc = self.loc()
        expect(self.header, self._LAYOUT.header, "header", loc)
        check_version(self.header.version, self.VERSIONS, self.NAME, loc)
        expect(self.metadata, self._MD, "metadata", loc)
        expect(self.data, self._DATA, "data", loc)
        ts = self.metadata.time_system
        ctx = Ctx(message=self.NAME, version=self.header.version,
                  time_system=ts.upper() if isinstance(ts, str) else "")
        parts = []
        for attr, _, bcls, required, repeat in self._FIELDS:
            value = getattr(self.data, attr)
            if repeat:
                if not isinstance(value, (list, tuple)):
                    raise loc.error(f"data.{attr} must be a list of {bcls.__name__}", field=attr)
                for k, v in enumerate(value):
                    parts.append(expect(v, bcls, f"data.{attr}[{k}]", loc))
            elif value is not None:
                parts.append(expect(value, bcls, f"data.{attr}", loc))
            elif required:
                raise loc.error(f"data.{attr} ({bcls._TITLE}) is mandatory", field=attr)
        return ctx, parts

    def _kvn_lines(self):
        ctx, parts = self._parts()
        h = self.header
        lines = [f"{self._LAYOUT.version_key} = {h.version}"]
        lines += block_lines(h, ctx, self.loc("header"), "kvn")
        lines += [""] + block_lines(self.metadata, ctx, self.loc("metadata"), "kvn")
        for k, block in enumerate(parts):
            extra = self.data.comments if k == 0 else ()
            lines += [""] + block_lines(block, ctx, self.loc(block._TITLE), "kvn",
                                        extra_comments=extra)
        return lines

    def _xml_lines(self):

        from ._blocks import check_comments

        ctx, parts = self._parts()
        name = self.NAME.lower()
        lines = _xml.root_open(name, self.header.version)
        lines += block_lines(self.header, ctx, self.loc("header"), "xml", "header", 2)
        lines += ["  <body>", "    <segment>"]
        lines += block_lines(self.metadata, ctx, self.loc("metadata"), "xml", "metadata", 6)
        lines += ["      <data>"]
        check_comments(self.data.comments, self.loc("data"))
        lines += _xml.comment_lines(self.data.comments, 8)
        for block in parts:
            lines += block_lines(block, ctx, self.loc(block._TITLE), "xml", None, 8)
        lines += ["      </data>", "    </segment>", "  </body>", f"</{name}>"]
        return lines
