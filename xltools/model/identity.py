"""A form's identity as data: who a form belongs to, how that is written and hashed.

Pure: no workbook objects. `xltools.forms.identity` embeds it in a layout; `xltools.xlsx.identity`
reads it back from a file.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import quote, unquote

IDENTITY_SHEET = "表单标识"
IDENTITY_PROPERTY = "xltools_identity"
IDENTITY_NAME = "xltools_identity"
MAGIC = "xltools1"
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
        parts = text.strip().strip('"').split(";") if isinstance(text, str) else []
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
