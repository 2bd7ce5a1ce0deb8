"""The data each page shows, as JSON-ready dicts built on xltools.api (no logic of its own)."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import zipfile
from collections import Counter
from datetime import datetime
from io import BytesIO
from pathlib import Path

from .. import api
from ..collect.ledger import Ledger
from ..forms.owed import owed_forms
from ..mail.settings import MailError, password
from ..model import ERROR
from ..model.plan import TASK_KIND_LABELS, Group
from ..model.glossary import FORM_REPORT, FW_COMMA, FW_LPAREN, FW_RPAREN, form_name, official_marks
from ..model.rates import is_missing
from ..model.returns import ACCEPTED, REJECTED, STATUS_LABELS
from ..planfile import require_plan
from ..report.feedback import UNKNOWN_UNIT
from ..xlsx.pdf import available as pdf_available  # whether PDFs can be made (LibreOffice)
from .cache import cached
from .workspace import OUTPUTS, Campaign, NotFound, Refused, Workspace

MANIFEST = ".xltools-desk.json"  # what the desk's last generate wrote (unit, period of each)
SHARED = "\u5171\u7528"  # 共用: the zip folder of files that belong to no one unit
REPORTED, MISSING, LATE, ERRORS, HELD, EXEMPT = "已报", "未报", "逾期", "有错误", "待确认", "免报"
LOCAL_USER = "本机"  # who acted, when the desk has no accounts (loopback only)
ACTIONS = {"credit": "确认归属", "set-received": "设定收到时间", "exempt": "免报"}
FEEDBACK = "\u53cd\u9988"  # 反馈: collect's feedback copies, DIR/反馈/<unit>/…
PLAN_UPLOADS, PLAN_BACKUPS = "\u8ba1\u5212\u4e0a\u4f20", "\u8ba1\u5212\u5907\u4efd"  # 计划上传, 计划备份
UNIT_FIELDS = ("leader", "contact", "phone", "email")  # what the plan page edits of a unit


def plan_of(c: Campaign):
    """The campaign's plan (read again only when the file changed; pages never edit it);
    PlanFileError (a Chinese message) when it cannot be read."""
    st = c.plan_path.stat()
    key = (st.st_mtime_ns, st.st_size)
    if c.cache.get("plan", (None,))[0] != key:
        c.cache["plan"] = (key, require_plan(c.plan_path).value)
    return c.cache["plan"][1]


def period_of(c: Campaign, period_id: str):
    """The campaign's plan and the period of that id; NotFound when the plan has none."""
    plan = plan_of(c)
    if (period := plan.period(period_id)) is None:
        raise NotFound(period_id)
    return plan, period


def _head(c: Campaign, period) -> dict:
    """What every page of a period begins with."""
    return {"name": c.name, "period": period.id, "period_name": period.name,
            "report_name": form_name(FORM_REPORT, period.id)}


def _files(c: Campaign, folder: Path, pattern: str = "*") -> list[str]:
    """The files (not hidden) of a folder of the campaign that match, as URL paths ([] when
    there is no such folder)."""
    return [c.rel(p) for p in sorted(folder.glob(pattern)) if p.is_file() and not p.name.startswith(".")]


def campaigns(ws: Workspace) -> dict:
    """The workspace's campaigns with their title and size."""
    rows = []
    for c in ws.campaigns():
        try:
            plan = plan_of(c)
            rows.append({"name": c.name, "title": plan.title, "year": plan.year,
                         "tasks": len(plan.tasks), "units": len(plan.units),
                         "periods": [p.id for p in plan.periods], "error": ""})
        except api.PlanFileError as exc:  # one broken plan does not hide the others
            rows.append({"name": c.name, "title": "", "year": "", "tasks": 0, "units": 0,
                         "periods": [], "error": str(exc)})
    # name_max: the longest plan name, said beside the field (never cut by a maxlength)
    return {"workspace": str(ws.root), "campaigns": rows, "name_max": ws.name_max()}


@cached
def plan_view(c: Campaign) -> dict:
    """计划: tasks, units, groups, periods and the findings of `xltools check`."""
    plan = plan_of(c)
    return {
        "name": c.name, "title": plan.title, "year": plan.year, "doc_number": plan.doc_number,
        "tasks": [{"number": t.number, "kind": TASK_KIND_LABELS.get(t.kind, t.kind),
                   "text": t.text, "lead_units": t.lead_units,
                   "responsible_units": t.responsible_units, "deadline": t.deadline,
                   "leader": t.lead_leader,
                   "targets": [f"{g.label} {g.value:g}{g.measure}" for g in t.targets]}
                  for t in plan.tasks],
        "units": [dataclasses.asdict(u) for u in plan.units],  # name, kind, aliases, leader, contacts
        "groups": [dataclasses.asdict(g) for g in plan.groups],  # name, members, aliases
        "periods": [{"id": p.id, "name": p.name, "deadline": p.deadline} for p in plan.periods],
        "findings": [f.to_dict() for f in api.check(c.plan_path)],
    }


def members_check(c: Campaign, text: str) -> dict:
    """The names typed, each once: those the plan does not know (加入成员 registers them as
    new units) and the groups among them (加入成员 refuses a group as a member)."""
    plan = plan_of(c)
    hits = {n: plan.resolve(n) for n in api.typed_names(plan, text)}
    return {"unknown": [n for n, hit in hits.items() if hit is None],
            "groups": [n for n, hit in hits.items() if isinstance(hit, Group)]}


def replace_plan(c: Campaign, source: Path) -> str:
    """Put an uploaded plan in place of the campaign's, once it reads as a plan of the same
    campaign; the old plan is kept in 计划备份/. What was done, in Chinese."""
    # saved as plan.xlsx and read back: what is judged is what will be used (a plan.xlsx
    # normalises the ids a YAML or JSON may write otherwise; an empty plan reads as none)
    tmp = c.dir / ".plan-upload.xlsx"
    try:
        api.convert(source, tmp)  # PlanFileError (a Chinese message) when it is not a usable plan
        new, old = require_plan(tmp).value, plan_of(c)
        if c.ledger.exists() and new.plan_id != old.plan_id:
            raise api.PlanFileError(
                f"上传的“{source.name}”不是本计划{FW_LPAREN}计划标识“{new.plan_id}”与“{old.plan_id}”"
                f"不同{FW_RPAREN}{FW_COMMA}未替换。请上传从本页下载后修改的 plan.xlsx。")
        backup = c.dir / PLAN_BACKUPS / f"plan-{datetime.now():%Y%m%d-%H%M%S}.xlsx"
        backup.parent.mkdir(exist_ok=True)
        shutil.copy2(c.plan_path, backup)
        os.replace(tmp, c.plan_path)
    finally:
        tmp.unlink(missing_ok=True)  # (nothing left once it became the plan)
    return f"已换用上传的计划文件“{source.name}”{FW_COMMA}原计划已备份为“{c.rel(backup)}”。"


def parse_view(result, saved: Path | None) -> dict:
    """The parse report: items by kind, units, groups, every anomaly with its line."""
    plan = result.plan
    tasks, units, groups = (plan.tasks, plan.units, plan.groups) if plan else ([], [], [])
    return {"ok": plan is not None, "saved": bool(saved), "items": len(tasks),
            "kinds": {TASK_KIND_LABELS.get(k, k): n for k, n in Counter(t.kind for t in tasks).items()},
            "units": len(units), "empty_groups": [g.name for g in groups if not g.members],
            "lines": result.report_lines(),
            "findings": [f.to_dict() for f in result.findings]}


# -- 下发 ----------------------------------------------------------------------------------

def write_manifest(c: Campaign, report: "api.GenerateReport", pdfs=()) -> None:
    """Remember each generated file's unit and period (and its PDF's), for the listing and
    the zip: beside what earlier generates (of other periods) remembered."""
    rows = [dataclasses.asdict(f) | {"path": c.rel(f.path)} for f in report.files]
    by_stem = {Path(f.path).with_suffix(""): f for f in report.files}
    rows += [{"path": c.rel(p), "kind": "pdf", "unit": f.unit, "period": f.period}
             for p in pdfs if (f := by_stem.get(Path(p).with_suffix(""))) is not None]
    new = {r["path"] for r in rows}
    rows = [r for r in _manifest(c) if r["path"] not in new] + rows
    (c.forms_dir / MANIFEST).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def _manifest(c: Campaign) -> list[dict]:
    try:
        return json.loads((c.forms_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


def issued(c: Campaign) -> list[dict]:
    """The generated files still on disk (those the desk generated, then any other)."""
    rows = [r for r in _manifest(c) if (c.dir / r["path"]).is_file()]
    known = {r["path"] for r in rows}
    # forms written by the CLI into the same folder (none when there is no such folder)
    top = c.rel(c.forms_dir)  # plain strings: thousands of files
    others = [f"{top}/{Path(folder).relative_to(c.forms_dir).as_posix()}/{n}".replace("/./", "/")
              for folder, _, names in os.walk(c.forms_dir) for n in names if not n.startswith(".")]
    return rows + [{"path": rel, "kind": "other", "unit": "", "period": ""}
                   for rel in sorted(others) if rel not in known]


def issue_view(c: Campaign) -> dict:
    """下发: the periods, the generated files, and the mail actions the page may offer."""
    return {"name": c.name, "periods": [{"id": p.id, "name": p.name} for p in plan_of(c).periods],
            "files": issued(c), "pdf": pdf_available(), "mail": mail_view(c)}


def issue_zip(c: Campaign, period_id: str) -> bytes:
    """One zip: a folder per unit (its forms of the period and its 办理方案), the shared
    files (附件, 发送清单) in 共用/."""
    _, period = period_of(c, period_id)
    files = issued(c)
    if not any(r["period"] == period.id for r in files):
        raise Refused(official_marks(f"{period.name}的报表还没有生成:请先在本页选择该周期并生成"
                                     "报表,再下载。"))
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for r in files:
            if not r["period"] or r["period"] == period.id:  # its own files and the shared ones
                z.write(c.dir / r["path"], f"{r['unit'] or SHARED}/{Path(r['path']).name}")
    return buf.getvalue()


# -- 回收 ----------------------------------------------------------------------------------

def _recorded(c: Campaign, plan, period, read=Ledger.receipts) -> list:
    """read(ledger, plan id, period id) of the campaign's ledger: the period's receipts (or
    its history); [] before the first collect."""
    if not c.ledger.exists():
        return []
    with Ledger(c.ledger) as ledger:
        return read(ledger, plan.plan_id, period.id)


@cached
def board(c: Campaign, period_id: str) -> dict:
    """回收: each unit owing a form as 已报 / 未报 / 逾期 / 有错误, with the time received;
    files whose unit is in doubt as 待确认."""
    plan, period = period_of(c, period_id)
    receipts = _recorded(c, plan, period)
    status = api.status(c.plan_path, period.id) if c.ledger.exists() else None
    reported = {u.unit: u for u in status.reported} if status else {}
    missing, late, exempt = ((set(status.missing_units), set(status.late_units), status.exempt)
                             if status else (set(), set(), {}))
    errors = {r.unit for r in receipts if r.status == ACCEPTED
              and any(f.severity == ERROR for f in r.findings)}
    owing = list(dict.fromkeys(name for name, _ in owed_forms(plan)))
    rows = []
    for name in owing:
        got = reported.get(name)
        state = (ERRORS if name in errors else LATE if name in late else
                 REPORTED if got and name not in missing else EXEMPT if name in exempt else MISSING)
        rows.append({"unit": name, "status": state,
                     "received_at": got.last_received_at if got else "",
                     "submissions": got.submissions if got else 0})
    held = [{"display": r.display, "sha256": r.sha256, "received_at": r.received_at}
            for r in receipts if r.status == REJECTED
            and any(f.code == "identity-conflict" for f in r.findings)]
    # files no unit could be named for (unreadable, not a form, another plan's): said here,
    # else a clerk who uploaded them sees no trace of them on the desk
    unread = [{"display": r.display, "received_at": r.received_at,
               "reason": next((f.text for f in r.findings if f.severity == ERROR), "")}
              for r in receipts if r.status == REJECTED and not r.unit
              and not any(f.code == "identity-conflict" for f in r.findings)]
    counts = Counter(r["status"] for r in rows)
    return _head(c, period) | {
        "deadline": period.deadline, "units": rows, "held": held, "unread": unread,
        "unread_feedback": [f for f in _files(c, c.outputs(period) / FEEDBACK / UNKNOWN_UNIT)
                            if any(Path(u["display"]).stem in Path(f).stem for u in unread)],
        "counts": {k: counts.get(k, 0) for k in (REPORTED, LATE, ERRORS, MISSING, EXEMPT)}
        | {HELD: len(held)}, "owing": owing, "pdf": pdf_available()}


@cached
def unit_view(c: Campaign, period_id: str, unit: str) -> dict:
    """A unit's page: its files with their findings (sheet and cell) and the returned table
    with the problem cells marked, its feedback copies, the clerk's decisions on it."""
    from ..collect.settle import exempt_units
    from .table import returned_tables
    plan, period = period_of(c, period_id)
    if plan.unit(unit) is None and unit not in {r.unit or r.label for r in plan.town_rows()}:
        raise NotFound(unit)
    mine = [r for r in _recorded(c, plan, period) if r.unit == unit]
    files = [{"display": r.display, "status": r.status,
              "status_label": STATUS_LABELS.get(r.status, r.status), "form": r.form,
              "received_at": r.received_at, "late": r.late, "sha256": r.sha256,
              "findings": [f.to_dict() for f in r.findings],
              "tables": returned_tables(r.archived, [f.to_dict() for f in r.findings]) if i < 3 else []}
             # what counts first (the accepted return), then the latest first; tables of 3
             for i, r in enumerate(sorted(reversed(mine), key=lambda r: r.status != ACCEPTED))]
    feedback = _files(c, c.outputs(period) / FEEDBACK / unit)
    shas = {r.sha256 for r in mine}
    history = _recorded(c, plan, period, Ledger.history)
    ours = [{"at": h.at, "who": h.who, "action": h.action, "sha256": h.sha256, **h.detail,
             "action_label": ACTIONS.get(h.action, h.action)} for h in history
            if h.detail.get("unit") == unit or h.sha256 in shas]
    # exempt: None when not exempt; "" or a reason when exempt
    return _head(c, period) | {"unit": unit, "files": files, "feedback": feedback, "history": ours,
                               "collected": c.ledger.exists(), "exempt": exempt_units(history).get(unit)}


# -- 汇总 ----------------------------------------------------------------------------------

def summary_view(c: Campaign, period_id: str) -> dict:
    """汇总: the period's counts as the 汇总表 prints them, the lagging tasks, downloads."""
    _, period = period_of(c, period_id)
    downloads = _files(c, c.outputs(period))
    report = next((p for p in downloads if p.endswith(".html")), "")
    years = _files(c, c.dir / OUTPUTS, "\u5e74\u5ea6\u6c47\u603b*.xlsx")  # 年度汇总
    return _summary(c, period_id) | {"downloads": downloads, "report": report, "years": years}


def is_own_report(c: Campaign, path: Path) -> bool:
    """The HTML report collect wrote for a period (汇总/<周期>/汇总报告_….html): the one file
    the desk shows in the browser rather than downloads."""
    try:
        rel = path.resolve().relative_to((c.dir / OUTPUTS).resolve())
    except ValueError:
        return False
    return (len(rel.parts) == 2 and path.suffix == ".html"
            and path.name.startswith("\u6c47\u603b\u62a5\u544a"))  # 汇总报告


@cached
def _summary(c: Campaign, period_id: str) -> dict:
    plan, period = period_of(c, period_id)
    if not c.ledger.exists():
        return _head(c, period) | {"collected": False, "counts": {}, "overall": {}, "lagging": [],
                                   "lagging_tasks": 0, "board": {}}
    s = api.period_summary(plan, period, c.ledger, c.outputs(period).absolute())
    # every value as text, as the page shows it: 19 not 19.0, a missing 完成进度 as ""
    lag = [{k: "" if is_missing(v) else f"{v:g}" if isinstance(v, float) else str(v)
            for k, v in r.items()} for r in s.lagging.records()]
    return _head(c, period) | {
        "collected": True, "counts": s.counts, "overall": s.overall_counts(), "lagging": lag,
        "lagging_tasks": len(set(s.lagging["序号"])), "board": board(c, period_id)["counts"]}


# -- 催报 ----------------------------------------------------------------------------------

def remind_view(c: Campaign, period_id: str) -> dict:
    """催报: the units to remind with their contacts, and the 催报通知 text (nothing written)."""
    _, period = period_of(c, period_id)
    written = _files(c, c.outputs(period), "\u50ac\u62a5*")  # the 催报通知 and 催报名单 written
    return _remind(c, period_id) | {"downloads": written}


@cached
def _remind(c: Campaign, period_id: str) -> dict:
    from ..report.remind import notice_filename
    _, period = period_of(c, period_id)
    base = _head(c, period) | {"filename": notice_filename(period)}
    if not c.ledger.exists():
        return base | {"collected": False, "entries": [], "text": ""}
    res = api.remind(c.plan_path, period.id, c.ledger, write=False)
    return base | {"collected": True, "entries": [dataclasses.asdict(e) for e in res.entries],
                   "text": res.text}


# -- 邮件 (issue 19) --------------------------------------------------------------------------

def mail_view(c: Campaign) -> dict:
    """Which mail actions the pages offer: smtp (发送邮件, 邮件催报) and imap (收取邮件) when
    xltools.toml sets their server; problem: why none can run (an unreadable settings file,
    or a login user with no password to be had without a prompt)."""
    try:
        s = api.mail_settings(c.plan_path)
        # (with the keyring command the keyring is asked on the click, not for every page)
        if s.user and (s.smtp_host or s.imap_host) and shutil.which("keyring") is None:
            password(s, prompt=False)  # $XLTOOLS_MAIL_PASSWORD, else MailError: how to set one
    except MailError as exc:
        return {"smtp": False, "imap": False, "problem": str(exc)}
    return {"smtp": bool(s.smtp_host), "imap": bool(s.imap_host), "problem": ""}


def last_fetch(c: Campaign) -> dict | None:
    """What the campaign's last 收取邮件 job brought (None when the last job was another)."""
    return c.job.to_json() if c.job is not None and c.job.label == FETCH_LABEL else None


FETCH_LABEL = "\u6536\u53d6\u90ae\u4ef6"  # 收取邮件: the job's label
