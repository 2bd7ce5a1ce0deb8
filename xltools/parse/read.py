"""Reading a notice file into text: .txt (encoding detected), .docx, and .doc/.wps via LibreOffice.

The only module of the parser that touches files. A .docx gives its text, with each
table cell as its own block (blank line between cells, the lines of a multi-line cell
together) in document order, and each table as a grid of cells (table1.Grid) that the
table readers use cell by cell, merged cells included.
"""
from __future__ import annotations

import tempfile
from contextlib import suppress
from itertools import accumulate
from pathlib import Path
from typing import Callable

from ..model.errors import data_file_problem, file_open_problem, internals
from ..model.findings import Finding, finding
from ..model.glossary import official_marks
from .docx_numbering import Numbering
from .table1 import Grid, GridCell

CONVERT_SUFFIXES = {".doc", ".wps", ".rtf", ".odt", ".wpt", ".dot"}


def decode_text(data: bytes, source: str = "") -> tuple[str, list[Finding]]:
    """Bytes to text: BOMs first, then UTF-8, UTF-16 without BOM, GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    with suppress(UnicodeDecodeError):
        return data.decode("utf-8"), []
    if utf16 := _guess_utf16(data):
        return data.decode(utf16, errors="replace"), []
    with suppress(UnicodeDecodeError):
        return data.decode("gb18030"), []
    text = data.decode("gb18030", errors="replace")
    return text, [finding("notice-encoding-damaged", file=source, value=text.count("\ufffd"))]


def _guess_utf16(data: bytes) -> str:
    """UTF-16 without BOM: ASCII newlines and digits leave many zero bytes on one side."""
    if len(data) < 4 or len(data) % 2:
        return ""
    even, odd = data[0::2], data[1::2]
    for name, zeros, text in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) > len(zeros) * 0.2 and text.count(0) < len(text) * 0.05:
            return name
    return ""


def docx_content(path: Path | str) -> tuple[str, list[Grid]]:
    """The text of a .docx in document order, each table cell its own block, and each
    top-level table as a grid of cells, every cell with the line its block starts on in
    that text and whether it is merged with the cell above or to the left (a merged cell
    is printed once, at its top-left)."""
    import docx  # python-docx; imported here so text parsing never needs it

    doc = docx.Document(str(path))
    blocks: list[str] = []
    grids: list[list[list[tuple[int, bool, bool]]]] = []  # (block, up, left) of each position
    _container_blocks(doc, blocks, grids, word_numbering(doc))
    # each block's first line: blocks are apart by one blank line
    starts = list(accumulate((b.count("\n") + 2 for b in blocks), initial=1))
    tables = [Grid([_grid_row(row, blocks, starts) for row in rows]) for rows in grids]
    return "\n\n".join(blocks) + "\n", tables


def _grid_row(row: list[tuple[int, bool, bool]], blocks: list[str],
              starts: list[int]) -> list[GridCell]:
    line = next((starts[k] for k, _, _ in row if k >= 0), 0)  # of padding cells: the row's
    return [GridCell(blocks[k], starts[k], up, left) if k >= 0 else GridCell("", line, up, left)
            for k, up, left in row]


def _container_blocks(container, blocks: list[str], grids: list | None = None,
                      numbering: Numbering | None = None) -> None:
    from docx.table import Table

    for item in container.iter_inner_content():
        if isinstance(item, Table):
            _table_blocks(item, blocks, grids, numbering)
        else:
            blocks.append(paragraph_text(item, numbering))


# every run a paragraph shows: inside tracked insertions, content controls, fields and links
# too; not a tracked deletion's, nor those of a text box anchored in one of its runs
_SHOWN_RUNS = ".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom) and not(ancestor::w:r)]"


def paragraph_text(paragraph, numbering: Numbering | None = None) -> str:
    """A paragraph's text as Word shows it with changes accepted, its automatic number
    first. python-docx's Paragraph.text reads only the runs placed directly in the
    paragraph: a unit typed as a tracked insertion (w:ins) or inside a content control was
    silently lost, and so was every number of a list Word numbers itself."""
    p = paragraph._p
    label = numbering.label(p) if numbering is not None else ""
    return label + "".join(r.text for r in p.xpath(_SHOWN_RUNS))


def word_numbering(doc) -> Numbering:
    """The document's lists (numbering.xml) and paragraph styles, for paragraph_text."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = doc.part
    has = any(rel.reltype == RT.NUMBERING for rel in part.rels.values())
    return Numbering(part.part_related_by(RT.NUMBERING).element if has else None, doc.styles.element)


def _table_blocks(table, blocks: list[str], grids: list | None = None,
                  numbering: Numbering | None = None) -> None:
    # A merged cell is the same <w:tc> at every grid position it covers: emit it once,
    # at its first (top-left) position, as Word's own "save as text" does. Rows that
    # start late or end early (w:gridBefore / w:gridAfter) are padded with empty cells,
    # so every row has a cell for each column of the grid and no column shifts.
    seen: dict = {}  # the <w:tc> elements themselves → their block: id() of proxies is reused
    rows: list[list[tuple[int, bool, bool]]] = []
    above: list = []
    for row in table.rows:
        cells = [None] * row.grid_cols_before + list(row.cells) + [None] * row.grid_cols_after
        ids = [cell_identity(c) if c is not None else None for c in cells]
        pos: list[tuple[int, bool, bool]] = []
        for c, (cell, tc) in enumerate(zip(cells, ids)):
            if cell is None:
                pos.append((-1, False, False))  # no block: takes the row's line below
                continue
            up = c < len(above) and above[c] is tc
            left = c > 0 and ids[c - 1] is tc
            if tc not in seen:
                inner: list[str] = []
                _container_blocks(cell, inner, numbering=numbering)
                seen[tc] = len(blocks)
                # a cell of several paragraphs is one block of several lines
                blocks.append("\n".join(b for b in inner if b.strip()))
            pos.append((seen[tc], up, left))
        above = ids
        rows.append(pos)
    if grids is not None:
        grids.append(rows)


def cell_identity(cell) -> object:
    """The <w:tc> element behind a python-docx cell: the same object at every grid
    position a merged cell covers (python-docx offers no public identity for that)."""
    return cell._tc


# What turns a .doc/.wps into a .docx: (source, work folder) -> the .docx, or None when the
# conversion failed. The caller supplies it (api: LibreOffice, xltools.office), so that parse
# itself runs no program; without one such a notice gets notice-needs-libreoffice.
Converter = Callable[[Path, Path], "Path | None"]


def read_notice_full(path: Path | str, convert: Converter | None = None
                     ) -> tuple[str | None, list[Grid], list[Finding]]:
    """The notice's text, its tables as grids (.docx and converted files; [] for text
    files, whose tables are flattened in the text), and findings."""
    p = Path(path)
    source = p.name

    def unreadable(reason: str, value: str = source) -> tuple[None, list[Grid], list[Finding]]:
        return None, [], [finding("notice-unreadable", file=source, value=value, reason=reason)]

    if not p.is_file():
        return unreadable("文件不存在", str(p))
    suffix = p.suffix.lower()
    try:
        if suffix == ".docx":
            return (*docx_content(p), [])
        if suffix in CONVERT_SUFFIXES:
            if convert is None:
                return None, [], [finding("notice-needs-libreoffice", file=source, value=suffix)]
            with tempfile.TemporaryDirectory(prefix="xltools-parse-") as tmp:
                if (out := convert(p, Path(tmp))) is None:
                    return unreadable("LibreOffice 未能转换该文件,可能未安装 LibreOffice Writer 组件")
                return (*docx_content(out), [])
        data = p.read_bytes()
    except OSError as exc:  # (a notice open in Word: Windows refuses to share it)
        return unreadable(file_open_problem(exc))
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes a finding
        return unreadable(official_marks("文件已损坏,或不是有效的 Word 文档" if suffix == ".docx"
                                         else "文件已损坏或无法打开") + internals(exc))
    if data[:2] == b"PK" or data[:4] == b"\xd0\xcf\x11\xe0":
        return unreadable("这是 Office 文件,请使用 .docx/.doc/.wps 扩展名")
    text, findings = decode_text(data, source)
    return text, [], findings


def read_register(path: Path | str):
    """The clerk's unit list from .yaml/.yml/.json; (None, [finding]) when it cannot be read."""
    import json

    import yaml

    from ..model.serialize import plan_from_dict

    p = Path(path)

    def unreadable(reason: str):
        return None, [finding("register-unreadable", file=p.name, value=p.name, reason=reason)]
    try:
        text = p.read_text(encoding="utf-8-sig")
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - a bad register is reported, the notice still parsed
        return unreadable(data_file_problem(exc))
    if not isinstance(data, dict):
        return unreadable(official_marks("内容不是单位名单(应含 units、groups)"))
    try:
        return plan_from_dict(data), []
    except Exception as exc:  # noqa: BLE001 - as above
        return unreadable("内容无法识别为单位名单" + internals(exc))
