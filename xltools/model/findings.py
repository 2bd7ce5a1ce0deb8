"""Findings: problems as data (code, severity, place, parameters); the Chinese message is
rendered from the one catalogue (model/catalogue.py) when shown, never stored."""
from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field, replace
from string import Formatter

from .glossary import FW_COLON, FW_COMMA, official_marks
from .serialize import from_fields

ERROR = "错误"  # blocks the value (or the plan) until fixed
WARNING = "警告"  # informs; the work goes on
INFO = "提示"
SEVERITIES = (ERROR, WARNING, INFO)

TEXT = "text"  # params key of a message rendered before findings were data (old ledgers)
DERIVED = frozenset({"task", "unit", "value", "change"})  # names render() fills in itself


@dataclass(frozen=True)
class Finding:
    """One problem found: what (code and params), how bad, and where; the message is rendered."""

    code: str
    severity: str
    file: str = ""
    sheet: str = ""
    cell: str = ""  # "C7": A1 form, only at the user's edge
    unit: str = ""
    task: str = ""
    ref: str = ""  # internal locator (task number, "row\tcolumn key") for the I/O edge
    line: int | None = None  # a line of a notice file (parse)
    near: str = ""  # a notice's place as its opening words, where lines mean nothing (Word)
    params: dict = field(default_factory=dict)  # "value" and the template's other names

    @property
    def value(self) -> str:
        """The value found (as the clerk should see it), "" when none."""
        return str(self.params.get("value", ""))

    def where(self) -> str:
        """The place as the message says it: file, sheet and cell, or a line of a notice."""
        parts = [p for p in (self.file, self.sheet) if p]
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        place = " ".join(parts) or "计划"
        if self.near:
            return f"{place}{Q1}{self.near}{Q2}处"
        return place if self.line is None else f"{place}第{self.line}行"

    @property
    def text(self) -> str:
        """The message without its place: for tables that print the place in columns."""
        if TEXT in self.params:  # rendered when stored: drop the place it was stored with
            return self.params[TEXT].removeprefix(self.where() + ":")
        return render(self)

    @property
    def message(self) -> str:
        """The whole message: the place, then what was found and what to do."""
        if TEXT in self.params:
            return self.params[TEXT]
        return f"{self.where()}{FW_COLON}{render(self)}"

    def to_dict(self) -> dict:
        """Plain JSON data: code, severity, place, params, the rendered message and its text
        without the place (for tables that print the place in columns of their own)."""
        return {**asdict(self), "value": self.value, "message": self.message, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        """What to_dict wrote; a dict stored before findings were data keeps its text."""
        if "params" not in d:
            d = {**d, "params": {"value": d.get("value") or "", TEXT: d.get("message") or ""}}
        return from_fields(cls, d)


def finding(code: str, *, file: str = "", sheet: str = "", cell: str = "", unit: str = "",
            task: object = "", value: object = "", ref: str = "", line: int | None = None,
            severity: str | None = None, **params: object) -> Finding:
    """A finding of the catalogue; every name its template uses must be given (KeyError)."""
    sev, template = CATALOGUE[code]
    missing = template_names(template) - DERIVED - set(params)
    if missing:
        raise KeyError(f"finding {code} needs {sorted(missing)}")
    kept = {k: v if isinstance(v, (str, int, float)) else str(v) for k, v in params.items()}
    if value not in ("", None):
        kept["value"] = str(value)
    return Finding(code=code, severity=severity or sev, file=file, sheet=sheet, cell=cell,
                   unit=unit, task=str(task), ref=ref, line=line, params=kept)


def template_names(template: str) -> set[str]:
    """The names a template fills in."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def render(f: Finding) -> str:
    """The finding's message without its place, from the catalogue (its own wording with
    the marks official text prints: glossary.official_marks; the values as they are)."""
    template = _MARKED.get(f.code)
    if template is None:
        template = _MARKED[f.code] = official_marks(CATALOGUE[f.code][1])
    values = {"task": f.task, "unit": f.unit, "value": f.value, **f.params}
    for k in OWN_WORDING.intersection(f.params):
        values[k] = official_marks(str(values[k]))
    if "{change}" in template:
        values["change"] = describe_change(str(f.params.get("expected", "")), f.value)
    return template.format(**values)


_MARKED: dict[str, str] = {}  # code -> template, marks made official once
# the params that carry xltools' own wording (a junk file's kind, what was wrong in a zip,
# how a stamp was matched): marked like the templates; every other value is shown as given
OWN_WORDING = frozenset({"reason", "advice", "how", "what", "basis"})
Q1, Q2 = "\u201c", "\u201d"  # the quotation marks of the messages
SHORT_TEXT = 20  # a text this short is quoted whole, before and after: easier than a diff


def describe_change(before: str, after: str) -> str:
    """What was done to a guarded text, as a clerk says it: only the difference
    (末尾添加了“(已完成大部分)”), the whole texts only when most of it changed."""
    if not after:
        return f"原内容{Q1}{before}{Q2}已被清空"
    ops = [op for op in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    changed = sum(max(a1 - a0, b1 - b0) for _, a0, a1, b0, b1 in ops)
    if (len(before) <= SHORT_TEXT or not ops or len(ops) > 3
            or (len(ops) > 1 and changed > 0.5 * len(before))):
        return f"下发时为{Q1}{before}{Q2}{FW_COMMA}现在是{Q1}{after}{Q2}"
    parts = []
    for op, a0, a1, b0, b1 in ops:
        if op == "insert":
            at = "末尾" if a0 == len(before) else "开头" if a0 == 0 else f"{Q1}{before[max(0, a0 - 6):a0]}{Q2}之后"
            parts.append(f"在{at}添加了{Q1}{after[b0:b1]}{Q2}")
        elif op == "delete":
            parts.append(f"删去了{Q1}{before[a0:a1]}{Q2}")
        else:
            parts.append(f"{Q1}{before[a0:a1]}{Q2}改成了{Q1}{after[b0:b1]}{Q2}")
    return FW_COMMA.join(parts)


_RANK = {ERROR: 0, WARNING: 1}


def by_severity(findings: list[Finding]) -> list[Finding]:
    """错误 first, then 警告, then the rest, each in its own order."""
    return sorted(findings, key=lambda f: _RANK.get(f.severity, 2))


def relocate(f: Finding, *, file: str | None = None, sheet: str | None = None,
             cell: str | None = None) -> Finding:
    """The same finding placed in a file/sheet/cell (known only at the I/O edge)."""
    place = {"file": file, "sheet": sheet, "cell": cell}
    return replace(f, **{k: v for k, v in place.items() if v is not None})


class WithFindings:
    """Mixed into what carries `findings`: its errors are those of severity 错误."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]


@dataclass
class Result(WithFindings):
    """A stage's product and the findings made on the way (pyxform style)."""

    value: object = None
    findings: list[Finding] = field(default_factory=list)


from .catalogue import CATALOGUE  # noqa: E402  (the catalogue's data uses the severities above)
