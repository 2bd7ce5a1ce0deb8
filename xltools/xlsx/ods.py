"""The .ods fallback reader (pandas' odf engine on odfpy), for files python-calamine fails on;
and which cells of an .ods hold a percentage (percent_cells).

python-calamine refuses a content.xml with whitespace between cells (Gnumeric's indented
.ods: "Expecting 'table-cell', found 'Text(...)'"), so a whole return would be lost. This
reader gives the same rows as calamine would: "" for empty, numbers int when whole, dates as
date/datetime, a cell's paragraphs joined with a line break (pandas joins them with nothing).

odfpy parses with the standard SAX parser: it runs only on a zip that bounds.check_zip
passed, which refuses any XML part declaring a DTD or entity (what XML attacks need).
Sheet visibility comes from content.xml's table styles (table:display="false"), read
through defusedxml. Like calamine for .ods, nothing bounds a sheet's size before it is read:
run it in a worker process (examine_pool) for untrusted files.
"""
from __future__ import annotations

import functools
import io
import zipfile
from datetime import datetime
from typing import Iterator

import defusedxml.ElementTree as SafeET

_T = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_S = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_O = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_N = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"


@functools.cache
def _reader():
    """pandas' reader with line breaks kept between a cell's paragraphs (pandas is imported
    only when an .ods needs this fallback: every examine worker would pay for it otherwise)."""
    from odf.text import P
    from pandas.io.excel._odfreader import ODFReader

    class Reader(ODFReader):
        def _get_cell_string_value(self, cell) -> str:
            if cell.qname not in ((_T, "table-cell"), (_T, "covered-table-cell")):
                return super()._get_cell_string_value(cell)
            para = P().qname  # office:annotation children are not the cell's text
            return "\n".join(super(Reader, self)._get_cell_string_value(p) for p in cell.childNodes
                             if getattr(p, "qname", None) == para)
    return Reader


def read(data: bytes, zf: zipfile.ZipFile) -> tuple[list[tuple[str, str]], dict[str, list[list]]]:
    """(sheets with visibility, rows by sheet name) of an .ods; raises when unreadable."""
    visible = _visibility(zf)
    reader = _reader()(io.BytesIO(data))
    sheets, rows = [], {}
    for name in reader.sheet_names:
        sheets.append((name, visible.get(name, "visible")))
        raw = reader.get_sheet_data(reader.get_sheet_by_name(name), None)
        width = max((len(r) for r in raw), default=0)
        rows[name] = [[_value(v) for v in r] + [""] * (width - len(r)) for r in raw]
    return sheets, rows


def _value(v: object) -> object:
    if isinstance(v, datetime):  # pandas.Timestamp is a datetime
        v = v.to_pydatetime() if hasattr(v, "to_pydatetime") else v
        return v.date() if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0) else v
    return "" if isinstance(v, float) and v != v else v  # (NaN: an empty cell)


def _visibility(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> visible / hidden, from the table styles of content.xml."""
    hidden_styles, out = set(), {}
    for event, el in _events(zf, "content.xml"):
        if event == "end" and el.tag == f"{{{_S}}}style" and el.get(f"{{{_S}}}family") == "table":
            props = el.find(f"{{{_S}}}table-properties")
            if props is not None and props.get(f"{{{_T}}}display") == "false":
                hidden_styles.add(el.get(f"{{{_S}}}name"))
        elif event == "start" and el.tag == f"{{{_T}}}table":
            style = el.get(f"{{{_T}}}style-name")
            out[el.get(f"{{{_T}}}name", "")] = "hidden" if style in hidden_styles else "visible"
    return out


def _events(zf: zipfile.ZipFile, part: str) -> Iterator[tuple[str, object]]:
    """(event, element) of a part's start and end tags (defusedxml: no DTDs or entities)."""
    with zf.open(part) as f:
        yield from SafeET.iterparse(f, events=("start", "end"), forbid_dtd=True)


def _cells(zf: zipfile.ZipFile) -> Iterator[tuple[str, int, int, object, int]]:
    """(sheet, row, column (0-based), element, columns it repeats over) of every cell of
    content.xml, in order; each row's elements are let go once it ends (memory stays flat)."""
    sheet, row, col = "", 0, 0
    for event, el in _events(zf, "content.xml"):
        tag = el.tag
        if event == "start":
            if tag == f"{{{_T}}}table":
                sheet, row = el.get(f"{{{_T}}}name", ""), 0
            elif tag == f"{{{_T}}}table-row":
                col = 0
        elif tag == f"{{{_T}}}table-row":
            row += int(el.get(f"{{{_T}}}number-rows-repeated") or 1)
            el.clear()
        elif tag in (f"{{{_T}}}table-cell", f"{{{_T}}}covered-table-cell"):
            n = int(el.get(f"{{{_T}}}number-columns-repeated") or 1)
            yield sheet, row, col, el, n
            col += n


def _percent_styles(zf: zipfile.ZipFile) -> set[str]:
    """The cell styles whose number format is a percentage: Gnumeric writes a cell shown as
    80% with office:value-type="float" and such a style (LibreOffice says "percentage")."""
    data_style: dict[str, str | None] = {}  # cell style -> its data style (None: parent's)
    parent: dict[str, str] = {}
    percent = set()  # the number:percentage-style names
    for part in ("styles.xml", "content.xml"):
        if part not in zf.namelist():
            continue
        for event, el in _events(zf, part):
            if event == "start":
                if el.tag == f"{{{_O}}}body":
                    break  # (content.xml: the styles come before the sheets)
                continue
            if el.tag == f"{{{_N}}}percentage-style":
                percent.add(el.get(f"{{{_S}}}name"))
            elif el.tag == f"{{{_S}}}style" and el.get(f"{{{_S}}}family") == "table-cell":
                name = el.get(f"{{{_S}}}name")
                data_style[name] = el.get(f"{{{_S}}}data-style-name")
                if el.get(f"{{{_S}}}parent-style-name"):
                    parent[name] = el.get(f"{{{_S}}}parent-style-name")
                el.clear()

    def shows_percent(name: str, depth: int = 0) -> bool:
        ds = data_style.get(name)
        if ds is None and name in parent and depth < 8:
            return shows_percent(parent[name], depth + 1)
        return ds in percent
    return {name for name in data_style if shows_percent(name)}


def percent_cells(zf: zipfile.ZipFile, sheet: str, out: dict) -> None:
    """out[(row, col)] = whether the cell's office:value-type is percentage, or its style's
    number format is one (content.xml, styles.xml)."""
    max_row = max(r for r, _ in out)
    styles = _percent_styles(zf)
    for name, r, col, el, n in _cells(zf):
        if name != sheet:
            continue
        if r > max_row:
            return
        vtype = el.get(f"{{{_O}}}value-type")
        for c in range(col, col + min(n, 1024)):
            if (r, c) in out:  # (a cell asked for)
                out[(r, c)] = vtype == "percentage" or (
                    vtype == "float" and el.get(f"{{{_T}}}style-name") in styles)


_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def _holds(zf: zipfile.ZipFile, part: str, needles: tuple[bytes, ...], chunk: int = 1 << 20
           ) -> bool:
    """Whether a zip member holds any of these bytes, read a piece at a time (memory stays
    flat)."""
    tail, keep = b"", max(map(len, needles))
    with zf.open(part) as f:
        while piece := f.read(chunk):
            if any(needle in tail + piece for needle in needles):
                return True
            tail = (tail + piece)[-keep:]
    return False
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
MAX_ERRORS = 1000
# what python-calamine's ods reader drops from a text cell (it keeps <text:s/>, the spaces):
# "a<text:tab/>b" came back "ab" (calamine 0.9, src/ods.rs reads no other element of a cell)
_DROPPED = {f"{{{_TEXT}}}tab": "\t", f"{{{_TEXT}}}line-break": "\n"}
_MISREAD = (b'value-type="error"', b"<text:tab", b"<text:line-break")


def misread_cells(zf: zipfile.ZipFile) -> list[tuple[str, tuple[int, int], str, tuple]]:
    """(sheet, (row, col) 1-based, the cell as shown, what python-calamine reads there
    instead) of the cells it misreads: those LibreOffice marks as showing a formula error
    (calcext:value-type="error", read as empty) and the text cells holding a tab or a line
    break inside a paragraph (read without them)."""
    if not _holds(zf, "content.xml", _MISREAD):
        return []
    out, errors = [], 0
    for sheet, row, col, el, n in _cells(zf):
        if el.get(f"{{{_CALCEXT}}}value-type") == "error" and errors < MAX_ERRORS:
            text = "".join(p.text or "" for p in el.iter(f"{{{_TEXT}}}p")).strip()
            if text.startswith("#"):
                out.append((sheet, (row + 1, col + 1), text[:30], ("", None)))
                errors += 1
        if any(True for tag in _DROPPED for _ in el.iter(tag)):
            texts = [_text_of(p, [p.text or ""], [p.text or ""]) for p in el.findall(f"{{{_TEXT}}}p")]
            full, seen = ("\n".join(t[k] for t in texts) for k in (0, 1))
            out += [(sheet, (row + 1, col + 1 + k), full, (seen,)) for k in range(min(n, 1024))]
    return out


def _text_of(el, full: list[str], seen: list[str]) -> tuple[str, str]:
    """An element's text (tabs, line breaks and spaces as typed) and the same as calamine
    reads it (without tabs and line breaks), its children's in order; not a comment's."""
    for child in el:
        if child.tag in _DROPPED:
            full.append(_DROPPED[child.tag])
        elif child.tag == f"{{{_TEXT}}}s":
            spaces = " " * int(child.get(f"{{{_TEXT}}}c") or 1)
            full.append(spaces), seen.append(spaces)
        elif child.tag != f"{{{_O}}}annotation":
            full.append(child.text or ""), seen.append(child.text or "")
            _text_of(child, full, seen)
        full.append(child.tail or ""), seen.append(child.tail or "")
    return "".join(full), "".join(seen)
