"""The hidden identity of a form, carried three ways so any one survivor is enough.

Carriers: (1) a hidden sheet 表单标识 with the identity and the guarded cells' expected
content; (2) a custom document property; (3) a defined name holding a string constant.
LibreOffice keeps all three in .xlsx, .xls and .ods ("very hidden" would come back as
plain hidden, so the sheet is plainly hidden from the start). The fingerprint is a hash
of every cell the unit must not change, so tampering is detectable even when the hidden
sheet itself is lost.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import quote, unquote

from .layout import Sheet, Workbook, col_letter

IDENTITY_SHEET = "表单标识"
IDENTITY_PROPERTY = "xltools_identity"
IDENTITY_NAME = "xltools_identity"
MAGIC = "xltools1"
FORM_VERSION = 1
KIND_LABELS = {"report": "季度报表", "town": "镇街指标表", "workplan": "办理方案"}
GUARD_HEADER = ["工作表", "单元格", "内容"]
NAME_MAX_CHARS = 255  # longest string constant Excel (and .xls) accepts in a formula
GUARD_START_ROW = 10  # 0-based row where the guarded-cell table starts on the hidden sheet


@dataclass(frozen=True)
class FormIdentity:
    """Who a form belongs to: plan, kind, unit, period, version and fingerprint."""

    plan_id: str
    kind: str
    unit: str
    period: str
    version: int
    fingerprint: str

    def encode(self) -> str:
        """A compact one-line form for properties and names.

        Only the separators and what a formula string or a cell cannot hold are escaped
        (% ; = " and control characters); Chinese stays as it is, so a unit name costs one
        character per character and the text stays under Excel's 255-character limit for a
        string in a formula (the defined name) for any realistic unit name.
        """
        fields = [("plan", self.plan_id), ("kind", self.kind), ("unit", self.unit),
                  ("period", self.period), ("v", str(self.version)), ("fp", self.fingerprint)]
        return ";".join([MAGIC] + [f"{k}={_escape(v)}" for k, v in fields])

    @classmethod
    def decode(cls, text: object) -> "FormIdentity | None":
        """Parse encode()'s output; None when it is not an identity."""
        if not isinstance(text, str):
            return None
        s = text.strip().strip('"')
        parts = s.split(";")
        if not parts or parts[0] != MAGIC:
            return None
        try:
            kv = dict(p.split("=", 1) for p in parts[1:])
            return cls(plan_id=unquote(kv["plan"]), kind=unquote(kv["kind"]),
                       unit=unquote(kv["unit"]), period=unquote(kv["period"]),
                       version=int(float(kv["v"])), fingerprint=unquote(kv["fp"]))
        except (KeyError, ValueError):
            return None


def _escape(value: str) -> str:
    """Percent-escape % ; = " and control characters (UTF-8 bytes); unquote() reverses it."""
    return "".join(quote(ch, safe="") if ch in '%;="' or ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0
                   else ch for ch in value)


def guarded_cells(wb: Workbook) -> list[tuple[str, str, str]]:
    """(sheet, A1, text) for every cell the unit must not change, in sheet/row/col order."""
    out = []
    letters: dict[int, str] = {}  # a1() without spelling the same column again per row
    for sheet in wb.sheets:
        for (r, c) in sorted(k for k, cell in sheet.cells.items() if cell.guard):
            col = letters.get(c) or letters.setdefault(c, col_letter(c))
            out.append((sheet.name, f"{col}{r + 1}", canonical_text(sheet.cells[(r, c)].value)))
    return out


def canonical_text(value: object) -> str:
    """The text form used for fingerprints: numbers without a trailing .0, spaces trimmed."""
    if value.__class__ is str:  # the common case first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def fingerprint(cells: list[tuple[str, str, str]]) -> str:
    """sha256 (first 16 hex digits) over the guarded cells' canonical content."""
    payload = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def embed_identity(wb: Workbook, plan_id: str, kind: str, unit: str, period: str) -> FormIdentity:
    """Compute the fingerprint and add all three carriers to the workbook layout."""
    cells = guarded_cells(wb)
    ident = FormIdentity(plan_id, kind, unit, period, FORM_VERSION, fingerprint(cells))
    _identity_sheet(wb.add_sheet(IDENTITY_SHEET, hidden=True), ident, cells)
    text = ident.encode()
    wb.custom_properties[IDENTITY_PROPERTY] = text
    if len(text) <= NAME_MAX_CHARS:  # Excel refuses a longer string in a formula
        wb.defined_names[IDENTITY_NAME] = '="' + text.replace('"', '""') + '"'
    wb.kind, wb.unit, wb.period = kind, unit, period
    return ident


def _identity_sheet(sheet: Sheet, ident: FormIdentity, cells: list[tuple[str, str, str]]) -> None:
    sheet.write(0, 0, "本表由 xltools 生成,用于识别回收的报表,请勿修改或删除。", "plain")
    rows = [("标识", ident.encode()), ("计划编号", ident.plan_id),
            ("表单类型", ident.kind), ("单位", ident.unit), ("周期", ident.period),
            ("版本", str(ident.version)), ("指纹", ident.fingerprint),
            ("受保护单元格数", str(len(cells)))]
    for i, (k, v) in enumerate(rows, start=1):
        sheet.write(i, 0, k, "plain", kind="string")
        sheet.write(i, 1, v, "plain", kind="string")
    for c, label in enumerate(GUARD_HEADER):
        sheet.write(GUARD_START_ROW, c, label, "plain", kind="string")
    for i, (name, ref, text) in enumerate(cells, start=GUARD_START_ROW + 1):
        sheet.write(i, 0, name, "plain", kind="string")
        sheet.write(i, 1, ref, "plain", kind="string")
        sheet.write(i, 2, text, "plain", kind="string")
    sheet.widths([16, 60, 60])
    sheet.protect = True
    # an empty print area: LibreOffice prints hidden sheets into PDFs and page counts
    sheet.print_area = (0, 9, 0, 9)
