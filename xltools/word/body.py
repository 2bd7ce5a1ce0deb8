"""The editable part of a document: a Jinja2 text template rendered into paragraphs.

The rendered text is read line by line: "# " starts a first-level heading (黑体), "## " a
second-level one (楷体_GB2312), "@表 名称" places the named table, any other non-blank
line is a body paragraph. A clerk edits the wording; the numbers come from xltools.
"""
from __future__ import annotations

from collections.abc import Callable

from docx.enum.text import WD_ALIGN_PARAGRAPH

from ..model.errors import TemplateError
from .gbt9704 import H1_FONT, H2_FONT, paragraph

H1, H2, TABLE = "# ", "## ", "@表 "


def write_blocks(doc, text: str, tables: dict[str, Callable] | None = None) -> None:
    """Paragraphs, headings and tables of a rendered template, in order."""
    tables = tables or {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(TABLE):
            name = line[len(TABLE):].strip()
            if name not in tables:
                known = "、".join(tables) or "无"
                raise TemplateError(f"模板中的表格“{name}”不存在(可用的表格:{known})。")
            tables[name](doc)
        elif line.startswith(H2):
            paragraph(doc, line[len(H2):].strip(), H2_FONT)
        elif line.startswith(H1):
            paragraph(doc, line[len(H1):].strip(), H1_FONT)
        else:  # (3号 仿宋_GB2312, two characters' indent, justified)
            paragraph(doc, line, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
