"""Reminders (催报): who has not reported, or reported with 错误, and how to reach them.

From the ledger's accepted returns and receipts of a period: one entry per unit and form
it owes (季度报表 for units with tasks, 镇街指标表 for towns) that has no accepted return
(未报送) or whose accepted return still has 错误 findings (有错误待修改). Written as a
催报通知 (a Jinja2 text template the clerk can edit: xltools/templates/催报通知.txt.j2 or their own
file) and a contact list workbook.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

from ..sheet.blocks import date_cn, safe_filename
from ..sheet.layout import Workbook
from ..templating import render
from ..merge.common import NOT_REPORTED, accepted_returns
from ..model.periods import parse_time
from ..forms.owed import owed_forms
from ..merge.receipts import ReceiptRow, refused_files
from ..model.glossary import form_name, official_marks
from ..model.findings import ERROR
from ..model.plan import Period, Plan
from ..model.returns import FormReturn
from .tables import Col, filtered, note, rows_table, start_sheet

TEMPLATE = "催报通知.txt.j2"
HAS_ERRORS = "有错误待修改"
COLUMNS = [Col("序号", 5, "body_center", "number"), Col("单位", 16), Col("应报表单", 10, "body_center"),
           Col("责任领导", 8, "body_center"), Col("联系人", 8, "body_center"), Col("联系电话", 14, "body_center"),
           Col("电子邮箱", 20), Col("未报原因", 16, "body_center"), Col("备注", 24)]


@dataclass
class RemindEntry:
    """One unit and one form it still owes (or must correct)."""

    unit: str
    kind: str  # report / town
    form: str  # 季度报表 / 镇街指标表
    reason: str  # 未报送 / 有错误待修改(n 条)
    errors: int = 0
    leader: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    note: str = ""

    @property
    def missing(self) -> bool:
        return self.reason == NOT_REPORTED


def remind_entries(plan: Plan, period: Period, current: list[FormReturn],
                   receipts: list[ReceiptRow] | None = None) -> list[RemindEntry]:
    """Units (register order) that have not reported the period, then those with 错误."""
    look = plan.lookups()
    best = accepted_returns(plan, period.id, current, look)
    refused = refused_files(look, receipts)
    missing, wrong = [], []
    for name, kind in owed_forms(plan):
        u = look.unit(name)
        contact = dict(leader=u.leader, contact=u.contact, phone=u.phone, email=u.email) if u else {}
        fr = best.get((name, kind))
        label = form_name(kind, period.id)
        if fr is None:
            n = refused(name, kind)
            note = official_marks(f"已收到 {n} 个文件,均被退回(见校验报告和反馈意见)") if n else ""
            missing.append(RemindEntry(name, kind, label, NOT_REPORTED, note=note, **contact))
            continue
        errors = sum(1 for f in fr.findings if f.severity == ERROR)
        if errors:
            when = parse_time(fr.received.received_at)
            note = official_marks(f"{when:%m月%d日}报送的报表有错误,已反馈修改意见" if when
                                  else "报表有错误,已反馈修改意见")
            wrong.append(RemindEntry(name, kind, label, official_marks(f"{HAS_ERRORS}({errors} 条)"), errors,
                                     note=note, **contact))
    return missing + wrong


def per_unit(entries: list[RemindEntry]) -> list[RemindEntry]:
    """One entry a unit (a town owing its 季度报表 and its 镇街指标表 is one unit to remind),
    its forms, errors and notes together, in the order first met."""
    out: dict[str, RemindEntry] = {}
    for e in entries:  # (the first entry as it is, the forms, errors and notes of all)
        got = out.setdefault(e.unit, replace(e, form="", errors=0, note=""))
        got.form = f"{got.form}、{e.form}" if got.form else e.form
        got.errors += e.errors
        got.note = "\uff1b".join(n for n in (got.note, e.note) if n)
    return list(out.values())


def by_reason(entries: list[RemindEntry]) -> tuple[list[RemindEntry], list[RemindEntry]]:
    """(the units that have not reported, those with 错误 to correct), one entry a unit."""
    return per_unit([e for e in entries if e.missing]), per_unit([e for e in entries if not e.missing])


# -- the notice ---------------------------------------------------------------------------

def render_notice(plan: Plan, period: Period, entries: list[RemindEntry], today: date,
                  template: str | os.PathLike | None = None) -> str:
    """The 催报通知 text from xltools/templates/催报通知.txt.j2, or from the clerk's own `template`."""
    deadline = date.fromisoformat(period.deadline) if period.deadline else None
    missing, with_errors = by_reason(entries)
    return render(TEMPLATE, template, dict(
        plan=plan, period=period, issuer=plan.issuer or "督办室", period_title=plan.period_title(period),
        deadline=date_cn(period.deadline) if period.deadline else "规定时间",
        today=date_cn(today.isoformat()), overdue=bool(deadline and today > deadline),
        days_left=(deadline - today).days if deadline else 0,
        entries=entries, missing=missing, with_errors=with_errors))


def notice_filename(period: Period) -> str:
    return safe_filename(f"催报通知_{period.name}", ext=".txt")


# -- the contact list -----------------------------------------------------------------------

def contact_workbook(plan: Plan, period: Period, entries: list[RemindEntry], today: date) -> Workbook:
    """催报名单: one row per unit and form owed, with leader, contact, phone and e-mail."""
    wb = Workbook(filename=safe_filename(f"催报名单_{period.name}"),
                  title=f"{plan.period_title(period)}催报名单", subject="催报名单",
                  company=plan.issuer, period=period.id, kind="remind")
    n_missing, n_wrong = map(len, by_reason(entries))
    sh, first = start_sheet(wb, "催报名单", COLUMNS, f"{plan.period_title(period)}催报名单",
                            f"(截至{date_cn(today.isoformat())};报送截止日期:{date_cn(period.deadline)};"
                            f"未报送 {n_missing} 个单位,有错误待修改 {n_wrong} 个单位)", frozen_cols=2)
    records = [(i, e.unit, e.form, e.leader, e.contact, e.phone, e.email, e.reason, e.note, e)
               for i, e in enumerate(entries, start=1)]
    row = rows_table(sh, first, COLUMNS, records,
                     lambda rec, j: "body_alert" if j == 7 and rec[-1].missing else None)
    row = filtered(sh, first, row, len(COLUMNS), "各单位均已按要求报送,无需催报。")
    note(sh, row + 1, len(COLUMNS), "联系人、联系电话和电子邮箱取自计划文件的“单位”表;缺少的可用 "
         "xltools units 计划文件 set 单位 --contact … --phone … --email … 补填。")
    return wb


@dataclass
class RemindResult:
    """What remind found and wrote."""

    period: Period
    entries: list[RemindEntry] = field(default_factory=list)
    text: str = ""
    notice: Path | None = None
    contacts: Path | None = None
    today: date | None = None

    @property
    def missing_units(self) -> list[str]:
        """The units with a form not reported (each once: a town may owe two)."""
        return [e.unit for e in by_reason(self.entries)[0]]

    @property
    def error_units(self) -> list[str]:
        return [e.unit for e in by_reason(self.entries)[1]]

    def to_json(self) -> dict:
        return {"period": self.period.id, "today": self.today.isoformat() if self.today else None,
                "entries": [asdict(e) for e in self.entries], "missing_units": self.missing_units,
                "error_units": self.error_units, "notice": str(self.notice) if self.notice else None,
                "contacts": str(self.contacts) if self.contacts else None}
