"""NDM/XML (CCSDS 505.0-B-2) reading and writing shared by the four messages.

Reading uses the standard library's ``xml.etree.ElementTree`` (expat). There is no
defusedxml dependency, so the guard against entity expansion ("billion laughs") and
external entities is done here: any document type declaration (``<!DOCTYPE``) or entity
declaration (``<!ENTITY``) is refused before parsing. NDM/XML instances never need one:
505.0-B-2 validates them by ``xsi:noNamespaceSchemaLocation``, and without a DTD the only
entities are the five predefined ones and character references, which expand to one
character each. The text must be UTF-8 (505.0-B-2 requires ``encoding="UTF-8"``).

Elements may be unqualified (``<opm>``) or qualified with the NDM namespace
(``<ndm:opm xmlns:ndm="urn:ccsds:schema:ndmxml">``); the namespace is ignored. Errors
give the element path (``/opm/body/segment/data/stateVector/X``) and its line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from ..errors import InputError
from ._blocks import Loc, RawBlock, RawEntry

_DECL = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_CHAR_REF = re.compile(r"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")
_ENCODING = re.compile(r"""<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']""")
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def local(tag):
    """Tag or attribute name without its namespace."""
    return tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag


def parse(text, source):
    """Root element of an XML message, refusing DTDs and entity declarations."""
    bad = _DECL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError("XML document type and entity declarations are refused (they enable "
                         "entity-expansion and external-entity attacks, and NDM/XML does not "
                         "use them)", source=source, line=line)
    enc = _ENCODING.search(text[:200])
    if enc is not None and enc.group(1).strip().lower().replace("_", "-") not in (
            "utf-8", "utf8", "us-ascii", "ascii"):
        raise InputError(f"XML encoding {enc.group(1)!r}: NDM/XML messages are UTF-8 "
                         "(505.0-B-2)", source=source, line=1)
    for ref in _CHAR_REF.finditer(text) if "&#" in text else ():
        code = ref.group(1)
        code = int(code[1:], 16) if code[:1] in "xX" else int(code)
        if code < 32 or code == 127:
            raise InputError(f"character reference {ref.group()} is a control character; "
                             "CCSDS values and comments are printable text (502.0-B-3 "
                             "§7.3.4), so no writer could write it back",
                             source=source, line=text.count("\n", 0, ref.start()) + 1,
                             field=ref.group())
    text, runs = cut_state_vectors(text)
    parser = ET.XMLParser()
    try:
        parser.feed(text)
        root = parser.close()
        if runs:
            for el in root.iter(VECTOR_RUN):
                el.attrib["_rows"] = runs[int(el.attrib["run"])]
        return root
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        msg = str(exc).split(": line")[0]
        raise InputError(f"malformed XML: {msg}", source=source, line=line) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # pragma: no cover - expat limits
        raise InputError(f"malformed XML: {exc}", source=source) from None


# ----------------------------------------------------------------------------- OEM fast path
# An OEM in XML is mostly <stateVector> elements of seven (or ten) plain values. Building an
# ElementTree of 800,000 elements for 100,000 states takes seconds, so runs of plain state
# vectors (no attributes, comments, entities or CDATA inside; only blanks between them) are
# cut out of the text with one regular expression and replaced by one placeholder element
# per run that keeps the line count; the OEM reader takes the run's values from it. Anything
# unusual (units attributes, a comment inside) stays in the text and is read element by
# element, with the same checks and error messages.
VECTOR_RUN = "cosmoplanStateVectorRun"
_FIELD = r"\s*<{0}>([^<&]*)</{0}>"
_STATE_VECTOR = re.compile(
    r"<stateVector>" + "".join(_FIELD.format(t) for t in
                               ("EPOCH", "X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT"))
    + r"(?:" + "".join(_FIELD.format(t) for t in ("X_DDOT", "Y_DDOT", "Z_DDOT")) + r")?"
    + r"\s*</stateVector>")
_FIRST_TAG = re.compile(r"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def cut_state_vectors(text):
    """(text with runs of plain OEM state vectors replaced by placeholders, runs).

    Only for an ``<oem>`` root; each run is a list of (EPOCH, X, ..., Z_DOT[, X_DDOT, ...])
    text tuples (None for absent accelerations)."""
    if "<stateVector>" not in text or VECTOR_RUN in text:
        return text, []
    start = 0
    while True:  # the root element's name, after the prolog and any comments
        m = _FIRST_TAG.search(text, start)
        if m is None:
            return text, []
        before = text.rfind("<!--", start, m.start())
        if before != -1 and text.find("-->", before) > m.start():
            start = text.find("-->", before) + 3
            continue
        break
    if m.group(1) != "oem":
        return text, []
    pieces, runs = [], []
    pos = 0
    run, run_start, run_end = [], None, None
    for sv in _STATE_VECTOR.finditer(text):
        if run and text[run_end:sv.start()].strip() == "":
            run.append(sv.groups())
            run_end = sv.end()
            continue
        if run:
            pieces += [text[pos:run_start], _placeholder(len(runs), text, run_start, run_end)]
            runs.append(run)
            pos = run_end
        run, run_start, run_end = [sv.groups()], sv.start(), sv.end()
    if run:
        pieces += [text[pos:run_start], _placeholder(len(runs), text, run_start, run_end)]
        runs.append(run)
        pos = run_end
    pieces.append(text[pos:])
    return "".join(pieces), runs


def _placeholder(k, text, a, b):
    return f'<{VECTOR_RUN} run="{k}">' + "\n" * text.count("\n", a, b) + f"</{VECTOR_RUN}>"


def header_and_body(root, loc, name):
    """(version, raw header block, (body element, its loc)) of an NDM/XML message root
    ``<name>``: exactly one <header> then one <body>, else InputError."""
    version = check_root(root, name, loc)
    header = body = None
    for tag, el, cloc in children(root, loc):
        if tag == "header" and header is None:
            header = block(el, "header", cloc)
        elif tag == "body" and body is None:
            body = (el, cloc)
        else:
            raise cloc.error(f"unexpected element <{tag}> in <{name}> (expected one <header> "
                             "and one <body>)", field=tag)
    if header is None or body is None:
        raise loc.error(f"<{name}> needs a <header> and a <body>",
                        field="header" if header is None else "body")
    return version, header, body


def metadata_and_data(el, loc):
    """((metadata element, loc), (data element, loc)) of a <segment>: one <metadata> then
    one <data>, else InputError."""
    metadata = data = None
    for tag, c, cloc in children(el, loc):
        if tag == "metadata" and metadata is None:
            metadata = (c, cloc)
        elif tag == "data" and data is None and metadata is not None:
            data = (c, cloc)
        else:
            raise cloc.error(f"unexpected element <{tag}> in <segment> (expected one "
                             "<metadata> then one <data>)", field=tag)
    if metadata is None or data is None:
        raise loc.error("a <segment> needs a <metadata> and a <data>",
                        field="metadata" if metadata is None else "data")
    return metadata, data


def line_of(text, path):
    """Line where the element at ``path`` (e.g. '/opm/body/segment[1]/data') starts."""
    want = [p for p in path.strip("/").split("/") if p]
    stack = []  # (name with index, child counters)
    counters = [{}]
    found = []
    p = expat.ParserCreate()

    def start(name, attrs):
        name = name.rsplit(":", 1)[-1]
        c = counters[-1]
        c[name] = c.get(name, 0) + 1
        stack.append((name, c[name]))
        counters.append({})
        if not found and len(stack) == len(want):
            ok = True
            for (n, k), w in zip(stack, want):
                wn, _, wi = w.partition("[")
                if n != wn or (wi and int(wi.rstrip("]")) != k):
                    ok = False
                    break
            if ok:
                found.append(p.CurrentLineNumber)

    def end(name):
        stack.pop()
        counters.pop()

    p.StartElementHandler = start
    p.EndElementHandler = end
    try:
        p.Parse(text, True)
    except expat.ExpatError:
        pass
    return found[0] if found else None


def with_line(exc, text):
    """Add the line of the element named in an InputError's path (if it has none)."""
    path = getattr(exc, "xml_path", None)
    if exc.line is not None or not path:
        return exc
    line = line_of(text, path)
    if line is None:
        return exc
    msg = str(exc)
    prefix = f"{exc.source}: " if exc.source is not None else ""
    if msg.startswith(prefix):
        msg = msg[len(prefix):]
    new = InputError(msg, source=exc.source, line=line, field=exc.field, value=exc.value)
    new.xml_path = path
    return new


class XmlLoc(Loc):
    """A Loc whose errors carry the element path (so the reader can add the line)."""

    __slots__ = ()

    def error(self, message, *, field=None, value=None):
        exc = super().error(message, field=field, value=value)
        exc.xml_path = self.path
        return exc

    def child(self, name):
        return XmlLoc(self.source, self.line, f"{self.path}/{name}")


def children(el, loc):
    """(local tag, element, loc) of each child, paths indexed where a tag repeats."""
    tags = [local(c.tag) if isinstance(c.tag, str) else None for c in el]
    counts = {}
    for t in tags:
        counts[t] = counts.get(t, 0) + 1
    seen = {}
    out = []
    for t, c in zip(tags, el):
        if t is None:  # comments / processing instructions are not kept by the parser
            continue
        seen[t] = seen.get(t, 0) + 1
        name = f"{t}[{seen[t]}]" if counts[t] > 1 else t
        out.append((t, c, loc.child(name)))
    return out


def is_nil(el):
    for k, v in el.attrib.items():
        if local(k) == "nil" and v.strip().lower() in ("true", "1"):
            return True
    return False


def units_of(el):
    for k, v in el.attrib.items():
        if local(k) == "units":
            return v
    return None


def block(el, kind, loc, flatten=(), user=False):
    """RawBlock of an element whose children are COMMENTs and keyword elements."""
    raw = RawBlock(kind, loc)
    _fill(raw, el, loc, flatten, user)
    return raw


def _fill(raw, el, loc, flatten, user):
    for tag, c, cloc in children(el, loc):
        if tag == "COMMENT":
            if len(c):
                raise cloc.error("a COMMENT element holds text only")
            raw.comments.append((c.text or "").strip())
        elif tag in flatten:
            _fill(raw, c, cloc, (), user)
        elif user and tag == "USER_DEFINED":
            name = next((v for k, v in c.attrib.items() if local(k) == "parameter"), None)
            if not name or not name.strip():
                raise cloc.error("USER_DEFINED needs a 'parameter' attribute",
                                 field="USER_DEFINED")
            raw.entries.append(RawEntry("USER_DEFINED_" + name.strip(),
                                        None if is_nil(c) else (c.text or ""), None, cloc))
        else:
            if len(c):
                raise cloc.error(f"unexpected element <{tag}> with child elements inside "
                                 f"<{local(el.tag)}>", field=tag)
            raw.entries.append(RawEntry(tag, None if is_nil(c) else (c.text or ""),
                                        units_of(c), cloc))


def check_root(root, name, loc):
    """Version of a message root ``<name id="CCSDS_NAME_VERS" version="x.y">``."""
    tag = local(root.tag)
    if tag != name:
        raise loc.error(f"the root element is <{tag}>, expected <{name}>"
                        + (" (combined NDM instantiations are not read: extract the message)"
                           if tag == "ndm" else ""), field=name)
    attrs = {local(k): v for k, v in root.attrib.items()}
    vid = f"CCSDS_{name.upper()}_VERS"
    if attrs.get("id", "").strip() != vid:
        raise loc.error(f"the <{name}> element needs id=\"{vid}\" (505.0-B-2)", field="id",
                        value=attrs.get("id"))
    version = attrs.get("version")
    if version is None:
        raise loc.error(f"the <{name}> element needs a version attribute", field="version")
    return version.strip()


# ----------------------------------------------------------------------------- writing
SCHEMAS = {
    "1": "http://sanaregistry.org/r/ndmxml/ndmxml-1.0-master.xsd",
    "2": "https://sanaregistry.org/r/ndmxml_unqualified/ndmxml-2.0.0-master-2.0.xsd",
    "3": "https://sanaregistry.org/r/ndmxml_unqualified/ndmxml-3.0.0-master-3.0.xsd",
}


def root_open(name, version, schema_major=None):
    """The XML declaration and the opening root tag."""
    major = schema_major or version.split(".")[0]
    loc = SCHEMAS.get(major)
    attrs = f' xmlns:xsi="{XSI}"'
    if loc:
        attrs += f'\n     xsi:noNamespaceSchemaLocation="{loc}"'
    return ['<?xml version="1.0" encoding="UTF-8"?>',
            f'<{name}{attrs}\n     id="CCSDS_{name.upper()}_VERS" version={quoteattr(version)}>']


def comment_lines(comments, indent):
    """<COMMENT> elements; an empty comment is written as one blank (an element without
    content is null to some readers: Orekit 13 fails on <COMMENT></COMMENT>)."""
    pad = " " * indent
    return [f"{pad}<COMMENT>{escape(c) or ' '}</COMMENT>" for c in comments]


def xml_entries(entries, comments, indent, units=True):
    """Lines of COMMENT elements then keyword elements (with units attributes)."""
    pad = " " * indent
    out = comment_lines(comments, indent)
    for kw, value, unit in entries:
        if kw.startswith("USER_DEFINED_"):
            out.append(f"{pad}<USER_DEFINED parameter={quoteattr(kw[13:])}>"
                       f"{escape(value)}</USER_DEFINED>")
        elif units and unit:
            out.append(f"{pad}<{kw} units={quoteattr(unit)}>{escape(value)}</{kw}>")
        else:
            out.append(f"{pad}<{kw}>{escape(value)}</{kw}>")
    return out
