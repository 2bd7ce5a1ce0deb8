"""Whose form is this? By the embedded identity, or, when it is gone, by the form's content.

Content match (the unit copied the table into a new workbook): the column header says which
kind of form it is, the 填报单位 cell names the unit (aliases resolve through the plan), the
title must be this plan's title for that form, the subtitle must name a period of the plan,
and the task numbers (town: the indicators) must be exactly that unit's. Only then is the
form accepted, with a warning; otherwise it is rejected with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..forms.registry import all_specs, spec as spec_of
from ..forms.spec import FormSpec
from ..model import Plan, relocate
from ..model.glossary import (FORM_KINDS, FORM_TOWN, FORM_WORKPLAN, FW_COLON, FW_SEMICOLON, a1,
                              form_name, from_a1)
from .expected import ExpectedForm, ExpectedForms
from .extract import SECTION_MARK, find_header, find_unit_cell, unit_cell, unit_text
from .grid import Sink, at, canon, is_blank, label

CARRIER_LABELS = {"sheet": "隐藏工作表“表单标识”", "property": "文档自定义属性", "name": "定义名称", "content": "表格内容"}


@dataclass
class Identified:
    """The form to read against: expected layout, the sheet holding it, and how we know."""

    expected: ExpectedForm
    sheet: str
    by: str
    reference: dict[tuple[int, int], str] | None = None  # guarded texts as received, when the
    # form was generated from another version of the plan
    shift: int = 0  # columns added at the left (a pandas index column): read without them
    # the clerk credited it to a unit whose form it is not (another unit's form, filled in):
    # rows are matched by task number or text only, never by where another task was sent
    foreign: bool = False


def by_identity(reading, sheets: dict[str, list[list]], visible: list[str], forms: ExpectedForms,
                period_id: str, sink: Sink, credit: str | None = None) -> Identified | None:
    """Check the embedded identity against the plan and period; None when rejected or held.

    credit: the unit the clerk settled a held return on (`xltools credit`); its form is read
    whatever the carriers say.
    """
    ident, plan = reading.identity, forms.plan
    if credit is None and reading.conflict:  # carriers disagree: nothing to trust
        return _held(reading, sheets, {}, sink)
    if ident.plan_id != plan.plan_id:
        sink.add("other-plan", value=ident.plan_id, expected=plan.plan_id)
        return None
    if spec_of(ident.kind, ident.version) is None:  # a kind, or a layout, of a newer xltools
        sink.add("unknown-form-kind", value=ident.kind if ident.kind not in FORM_KINDS else
                 f"{form_name(ident.kind, ident.period)}\uff08第 {ident.version} 版\uff09")
        return None
    if ident.kind != FORM_WORKPLAN and ident.period != period_id:
        p, want = plan.period(ident.period), plan.period(period_id)
        sink.add("other-period", value=ident.period, value_name=p.name if p else "其他周期",
                 expected=period_id, expected_name=want.name if want else period_id)
        return None
    unit = _unit_of(plan, ident.kind, credit if credit is not None else ident.unit)
    if unit is None:
        sink.add("unknown-unit-in-identity", value=credit or ident.unit,
                 reason="不是本计划的镇街" if ident.kind == FORM_TOWN else "不在本计划的单位名单中")
        return None
    sink.unit = unit
    ex = forms.get(ident.kind, unit, period_id if ident.kind != FORM_WORKPLAN else "",
                   ident.version)
    if ex is None:
        sink.add("form-not-in-plan", form_name=form_name(ident.kind, period_id))
        return None
    sheet = _form_sheet(ex, sheets, visible, sink)
    if sheet is None:
        return None
    if credit is None:
        if others := _other_names(reading, forms, ex, sheets[sheet], unit):
            return _held(reading, sheets, others, sink)
    else:
        sink.add("credited-by-clerk", sheet=sheet, value=credit)
    if ident.fingerprint == ex.fingerprint:
        return Identified(ex, sheet, reading.source)
    owner = _fingerprint_owner(forms, ex, ident.fingerprint) if credit is not None else None
    if owner is not None and owner != unit:  # its guarded texts are that unit's tasks
        sink.add("credited-other-units-form", sheet=sheet, owner=owner, credited=unit)
        return Identified(ex, sheet, reading.source, foreign=True)
    reference = _reference(ex, reading.guarded) if reading.guarded_ok else None
    reason = "计划在表格下发后有调整,已按单位收到的表格核对受保护内容" if reading.guarded_ok \
        else "隐藏的“表单标识”已缺失或被改动,按当前计划核对受保护内容"
    sink.add("fingerprint-mismatch", sheet=sheet, value=ident.fingerprint, reason=reason)
    return Identified(ex, sheet, reading.source, reference)


FILLED_BY = "填报单位"
FINGERPRINT_LABEL = "表单指纹"


def _other_names(reading, forms: ExpectedForms, ex: ExpectedForm, rows: list[list],
                 unit: str) -> dict[str, str]:
    """What else in the file names a unit other than `unit`: {label: that unit}.

    The visible 填报单位 counts when it names a unit of the plan (other text is a
    guarded-cell change, reported by extract); the fingerprint counts when it is the
    fingerprint of the form another unit was sent.
    """
    pos = find_unit_cell(ex, rows)
    text = unit_text(ex.spec.unit_field, rows, pos) if pos is not None else ""
    fp = reading.identity.fingerprint
    said = {FILLED_BY: _unit_of(forms.plan, ex.kind, "".join(text.split())) if text else None,
            FINGERPRINT_LABEL: _fingerprint_owner(forms, ex, fp) if fp != ex.fingerprint else None}
    return {k: name for k, name in said.items() if name is not None and name != unit}


def _fingerprint_owner(forms: ExpectedForms, ex: ExpectedForm, fp: str) -> str | None:
    """The unit whose form of this kind and period has fingerprint `fp`, if any."""
    plan = forms.plan
    names = [r.unit or r.label for r in plan.town_rows()] if ex.kind == FORM_TOWN else \
        [u.name for u in plan.units]
    return next((name for name in names
                 if (other := forms.get(ex.kind, name, ex.period, ex.spec.version)) is not None
                 and other.fingerprint == fp), None)


def _held(reading, sheets: dict[str, list[list]], others: dict[str, str], sink: Sink) -> None:
    """Hold the return: identity-conflict naming what says which unit; credited to nobody."""
    found = {c: i for c, i in reading.carriers.items() if i is not None}
    whole = len({(i.plan_id, i.kind, i.period) for i in found.values()}) > 1  # not only the unit
    said = {CARRIER_LABELS[c]: f"{i.unit} {i.kind} {i.period}".strip() if whole else i.unit
            for c, i in found.items()}
    said.update(others)
    if FILLED_BY not in said:
        said.update(_visible_unit(sheets))
    sink.unit = ""
    sink.add("identity-conflict", value=FW_SEMICOLON.join(f"{k}{FW_COLON}{v}" for k, v in said.items()))


def _unit_of(plan: Plan, kind: str, name: str) -> str | None:
    """The unit's current name (aliases resolve); towns by their matrix row."""
    u = plan.unit(name)
    if kind != FORM_TOWN:
        return u.name if u is not None else None
    rows = plan.town_rows()
    by_row = next((r.unit or r.label for r in rows if name in (r.unit, r.label)), None)
    if by_row is None and u is not None and any(r.unit == u.name for r in rows):
        return u.name
    return by_row


def _reference(ex: ExpectedForm, guarded: list[tuple[str, str, str]]) -> dict[tuple[int, int], str]:
    pos = {a1(r, c): (r, c) for (r, c) in ex.guarded}
    return {pos[cell]: text for sheet, cell, text in guarded if sheet == ex.sheet and cell in pos}


def second_sheet(found: Identified, reading, sheets: dict[str, list[list]], visible: list[str],
                 sink: Sink) -> tuple[str, dict | None] | None:
    """The sheet of the form's second table (report v2: 量化指标) and its guarded texts as
    received; None (with sheet-missing) when it is gone."""
    part = found.expected.targets
    sheet = _form_sheet(part, sheets, [n for n in visible if n != found.sheet], sink, visible)
    if sheet is None:
        return None
    return sheet, _reference(part, reading.guarded) if found.reference is not None else None


def looks_like(ex: ExpectedForm, rows: list[list]) -> bool:
    return find_unit_cell(ex, rows) is not None and \
        find_header(rows, ex.spec.headers, ex.header_row) is not None


def _form_sheet(ex: ExpectedForm, sheets: dict[str, list[list]], visible: list[str],
                sink: Sink, shown: list[str] | None = None) -> str | None:
    """The sheet of `ex`: by its name, else the first of `visible` that looks like it; shown:
    the sheets a sheet-missing names (default `visible`)."""
    if ex.sheet in sheets:
        return ex.sheet
    for name in visible:
        if name in sheets and looks_like(ex, sheets[name]):
            sink.add("sheet-renamed", sheet=name, value=name, expected=ex.sheet)
            return name
    sink.add("sheet-missing", value="、".join(visible if shown is None else shown) or "无",
             expected=ex.sheet)
    return None


def _visible_unit(sheets: dict[str, list[list]]) -> dict[str, str]:
    """{填报单位: text} as typed on the first sheet that looks like one of our forms."""
    for rows in sheets.values():
        found = _detect_spec(rows) if rows else None
        name = _unit_name(found[0], rows, found[1]) if found else None
        if name:
            return {FILLED_BY: name}
    return {}


# --- content match ---------------------------------------------------------------------------

def by_content(sheets: dict[str, list[list]], visible: list[str], forms: ExpectedForms,
               period_id: str, sink: Sink) -> Identified | None:
    """Identify a form that lost its identity; None (with not-identified) when not certain."""
    reasons = []
    for name in visible:
        rows = sheets.get(name)
        if not rows:
            continue
        if _index_column(rows):  # written back by pandas with its default index=True
            got = _match_content([r[1:] for r in rows], forms, period_id, sink, name)
            if isinstance(got, Identified):
                got.shift = 1
                sink.add("index-column-added", sheet=name)
                return got
        got = _match_content(rows, forms, period_id, sink, name)
        if isinstance(got, Identified):
            return got
        if got == "rejected":
            return None
        reasons.append(got)
    reason = reasons[0] if reasons else "文件中没有包含内容的工作表"
    sink.add("not-identified", reason=reason)
    return None


def _index_column(rows: list[list]) -> bool:
    """Column A is a row index (blank at the top, then 0, 1, 2...) as pandas writes it."""
    if len(rows) < 4 or not is_blank(at(rows, 0, 0)):
        return False
    nums = [v for i in range(1, len(rows)) if not is_blank(v := at(rows, i, 0))]
    return len(nums) >= 3 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                  and v == i for i, v in enumerate(nums))


def shift_cells(fr, findings: list, n: int) -> list:
    """Put back the n columns read without (Identified.shift): every cell a finding or a
    value names is where it is in the returned file; the findings so moved."""
    def right(cell: str) -> str:
        rc = from_a1(cell or "")
        return cell if rc is None else a1(rc[0], rc[1] + n)
    moved = [relocate(f, cell=right(f.cell)) for f in findings]
    fr.header_cells = {k: right(v) for k, v in fr.header_cells.items()}
    for item in [*fr.tasks, *fr.targets, *fr.town]:
        item.cells = {k: right(v) for k, v in item.cells.items()}
    return moved


def _detect_spec(rows: list[list], period_id: str = "") -> tuple[FormSpec, int] | None:
    """The spec whose column header a row shows (as a form of the period prints it; without
    one, a quarter's), and that row: the whole header if one matches, else the first three
    labels (the unit may have moved fill-in columns)."""
    # targets below the tasks or not: a layout that has them there, or on a sheet of their own
    below = any(label(at(rows, i, 0)).startswith(SECTION_MARK) for i in range(len(rows)))
    specs = [(sp, [label(h) for h in sp.for_period(period_id).headers]) for sp in all_specs()
             if not sp.targets or below != bool(sp.target_sheet)]
    firsts = {h[0] for _, h in specs}
    for i in range(min(len(rows), 40)):
        if label(at(rows, i, 0)) not in firsts:
            continue
        found = [label(v) for v in rows[i]]
        for n in (None, 3):
            sp = next((sp for sp, h in specs if found[:len(h[:n])] == h[:n]), None)
            if sp is not None:
                return sp, i
    return None


def _unit_name(sp: FormSpec, rows: list[list], head: int) -> str | None:
    pos = unit_cell(sp.unit_field, rows, None, min(head, len(rows)))
    return unit_text(sp.unit_field, rows, pos) if pos is not None else None


def _match_content(rows, forms: ExpectedForms, period_id: str, sink: Sink, sheet: str):
    found, plan = _detect_spec(rows, period_id), forms.plan
    if found is None:
        return f"工作表“{sheet}”的表头与本系统下发的报表不符"
    sp, head = found
    kind = sp.kind
    name = _unit_name(sp, rows, head)
    if not name:
        return f"工作表“{sheet}”中没有找到“填报单位”"
    unit = _unit_of(plan, kind, name)
    if unit is None:
        return f"填报单位“{name}”不在本计划的单位名单中"
    top = [canon(at(rows, i, 0)) for i in range(min(head, 4))]
    # versions alike but for the title (town v1 and v2): the one whose title the form shows
    alike = [sp, *(o for o in all_specs() if o.kind == kind and o is not sp and
                   o.for_period(period_id).headers == sp.for_period(period_id).headers)]
    shown = [e for e in (forms.get(kind, unit, "" if kind == FORM_WORKPLAN else period_id, o.version)
                         for o in alike) if e is not None]
    if not shown:
        return f"按当前计划,“{unit}”没有{form_name(kind, period_id)}"
    # (versions alike but for the sheet's name, report v3 and v4: the one of this sheet)
    ex = max(shown, key=lambda e: (e.title in top, e.sheet == sheet))
    if ex.title not in top:
        return f"标题“{top[0] if top else ''}”与本计划{ex.form_name}的标题“{ex.title}”不符"
    if kind != FORM_WORKPLAN:
        sub = next((t for t in top if "报送截止日期" in t or "季度" in t), "")
        if ex.subtitle not in top:
            other = next((p for p in plan.periods if p.id != period_id and p.name in sub), None)
            if other is not None:
                want = plan.period(period_id)
                sink.unit = unit
                sink.add("other-period", sheet=sheet, value=other.id, value_name=other.name,
                         expected=period_id, expected_name=want.name if want else period_id)
                return "rejected"
            return f"无法从副标题确认报送周期(副标题为“{sub}”)"
    end = next((i for i in range(head + 1, len(rows))
                if label(at(rows, i, 0)).startswith((ex.end_marker, SECTION_MARK))), len(rows))
    town = kind == FORM_TOWN  # a town form's lines by indicator, other forms' tasks by number
    col = ex.text_col("line") if town else 0
    have = [("".join(canon(at(rows, i, col)).split())) for i in range(head + 1, end)
            if not is_blank(at(rows, i, col))]
    want = ["".join((e.text if town else e.num).split()) for e in ex.rows
            if e.section == ("line" if town else "task")]
    if sorted(have) != sorted(want):
        what = "指标" if town else "任务序号"
        return f"{what}为 {'、'.join(have) or '空'},而“{unit}”的{ex.form_name}应为 {'、'.join(want)}"
    sink.unit = unit
    sink.add("identified-by-content", sheet=sheet, form_name=ex.form_name)
    return Identified(ex, sheet, "content")
