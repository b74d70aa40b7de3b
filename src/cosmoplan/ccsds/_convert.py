"""``cosmoplan ccsds convert``: KVN <-> XML for any message, TLE <-> OMM."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError

__all__ = ["convert"]

_FORMATS = ("kvn", "xml", "tle")


def _format(target, to):
    if to is not None:
        fmt = str(to).lower()
        if fmt not in _FORMATS:
            raise InputError(f"--to must be kvn, xml or tle, got {to!r}", field="to", value=to)
        return fmt
    suffix = Path(target).suffix.lower()
    return {".xml": "xml", ".tle": "tle", ".3le": "tle", ".txt": "kvn"}.get(suffix, "kvn")


def _looks_like_tle(data):
    lines = [ln.strip() for ln in data.splitlines() if ln.strip()]
    return any(ln.startswith("1 ") for ln in lines[:3]) and any(
        ln.startswith("2 ") for ln in lines[:4])


def _describe(tles, ks):
    shown = ", ".join(f"{k + 1}: {tles[k].name or '?'} ({tles[k].satnum}) epoch "
                      f"{tles[k].epoch.iso(0)}" for k in ks[:10])
    return shown + (", ..." if len(ks) > 10 else "")


def _pick_tle(tles, name, index, source):
    """The element set chosen by ``index`` (1-based) and/or ``name`` (name or number)."""
    ks = list(range(len(tles)))
    if name is not None:
        key = name.strip().upper()
        ks = [k for k in ks if (tles[k].name or "").strip().upper() == key
              or str(tles[k].satnum) == key]
        if not ks:
            raise InputError(f"no element set named or numbered {name!r}", source=str(source),
                             field="name", value=name)
    if index is not None:
        if not 1 <= index <= len(tles):
            raise InputError(f"--index {index} is outside 1..{len(tles)}", source=str(source),
                             field="index", value=index)
        if index - 1 not in ks:
            raise InputError(f"element set {index} is not named {name!r}", source=str(source),
                             field="index", value=index)
        return tles[index - 1]
    if len(ks) > 1:
        raise InputError(f"{len(ks)} element sets match; an OMM describes one: choose it with "
                         f"--index (sets {_describe(tles, ks)})", source=str(source),
                         field="index")
    return tles[ks[0]]


def convert(source, target, *, to=None, name=None, index=None, strict=True):
    """Convert ``source`` into ``target``; returns (target, description).

    A TLE file becomes an OMM (KVN or XML); an OMM with MEAN_ELEMENT_THEORY SGP4 becomes a
    TLE (``.tle`` or ``to='tle'``); any OEM/OPM/OMM/CDM is rewritten in KVN or XML. The
    output is written atomically (complete or not at all); reading the input is complete
    before anything is written. Raises InputError for unreadable input, an output that
    would overwrite the input, or a conversion that does not exist (a CDM to a TLE).
    """
    from ..tle import read_tles, write_tles
    from . import loads
    from ._message import check_output_file, write_text_file

    try:
        src = Path(os.fspath(source))
    except TypeError:
        raise InputError(f"cannot read {source!r}: not a path", field="source",
                         value=source) from None
    dst = check_output_file(target)
    fmt = _format(dst, to)
    try:
        same = dst.exists() and src.exists() and os.path.samefile(src, dst)
    except OSError:
        same = False
    if same:
        raise InputError(f"the output {dst} is the input file; choose another name",
                         field="target", value=str(dst))
    try:
        raw = src.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", source=str(src)) from None
    except IsADirectoryError:
        raise InputError("a folder, not a message file", source=str(src)) from None
    except OSError as exc:
        raise InputError(f"cannot read {src}: {exc.strerror}", source=str(src)) from None
    text = raw.decode("utf-8", errors="replace")
    if _looks_like_tle(text):
        from .bridges import omm_from_tle

        if fmt == "tle":
            raise InputError(f"{src} is already a TLE file", source=str(src))
        tle = _pick_tle(read_tles(src), name, index, src)
        omm = omm_from_tle(tle)
        write_text_file(dst, omm.to_xml() if fmt == "xml" else omm.to_kvn())
        return dst, f"OMM in {fmt.upper()} from the TLE of {tle.satnum}"
    if name is not None or index is not None:
        raise InputError("--name and --index choose an element set of a TLE file; "
                         f"{src} is not one", source=str(src),
                         field="index" if index is not None else "name")
    msg = loads(raw, source=str(src), strict=strict)
    if fmt == "tle":
        if msg.NAME != "OMM":
            raise InputError(f"only an OMM converts to a TLE; {src} is an {msg.NAME}",
                             source=str(src))
        try:
            tle = msg.to_tle()
        except InputError as exc:
            raise InputError(f"cannot write it as a TLE: {exc}", source=str(src),
                             field=exc.field, value=exc.value) from None
        write_tles([tle], dst, three_line=True)
        return dst, "TLE from the OMM"
    write_text_file(dst, msg.to_xml() if fmt == "xml" else msg.to_kvn())
    return dst, f"{msg.NAME} in {fmt.upper()}"
