"""The clerk's decisions on a recorded return: credit a held one to a unit, set the time a
return was received. Each is one ledger transaction with a row in the ledger's history."""
from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from ..model import Period, Plan
from ..model.errors import InputError, LedgerError
from ..model.glossary import FW_COLON, official_text
from .examine import examine
from .ledger import Ledger
from .records import Decision
from .run import CollectOutcome, FileOutcome, _record, mark_late

CREDIT, RECEIVED = "credit", "set-received"


def credit(db_path: Path, plan: Plan, period: Period, sha: str, unit: str, who: str):
    """Credit a held return (identity-conflict) to `unit`: read again against that unit's
    form and recorded as its return; the FileOutcome. LedgerError when it cannot be done."""
    name = plan.unit(unit)
    with Ledger(db_path) as ledger:
        row = ledger.find_file(sha)
        ret = row.ret
        if not any(f.code == "identity-conflict" for f in ret.findings):
            raise LedgerError(f"文件“{row.display}”不是待确认归属的报表(没有“表单标识矛盾”的错误),"
                              "无需确认归属。")
        if name is None:
            raise LedgerError(f"“{unit}”不在本计划的单位名单中。")
        if not row.archived:
            raise LedgerError(f"文件“{row.display}”未能存档,无法重新读取;请把原件放入收件箱重新运行 collect。")
        original = ret.received
        copy = dataclasses.replace(original, path=str(db_path.parent / row.archived))
        run_id = ledger.begin(plan.plan_id, period.id, [f"credit {row.sha256} {name.name}"])
        previous = ledger.previous_actuals(plan.plan_id, period.id)
        new = examine(copy, plan, period.id, previous, credit=name.name)
        new.received = original
        out = CollectOutcome(period)
        _record(ledger, run_id, new, period, out, replace=True)
        ledger.add_history(who, CREDIT, row.sha256, plan.plan_id, period.id,
                           {"unit": name.name, "display": row.display,
                            "status": out.files[-1].status})
        ledger.commit()
    return out.files[-1]


def set_received(db_path: Path, plan: Plan, period: Period, sha: str, when: str, who: str):
    """Set the time a return was received (the clerk's evidence: a postmark, a call log);
    lateness and which return of a unit counts follow it. The FileOutcome."""
    at = parse_time(when)
    with Ledger(db_path) as ledger:
        full = ledger.find_file(sha).sha256
        ledger.begin(plan.plan_id, period.id, [f"set-received {full} {at}"])
        row = ledger.find_file(full)  # read in the write transaction: a second click waits
        ret, status = row.ret, row.status
        before = ret.received.received_at
        if before == at and ret.received.time_source == "clerk":  # already so: no record
            ledger.rollback()
        else:
            ret.received = dataclasses.replace(ret.received, received_at=at, time_source="clerk")
            mark_late(ret, period)
            status = ledger.set_received(ret, replace_status=row.status)
            ledger.add_history(who, RECEIVED, row.sha256, plan.plan_id, period.id,
                               {"received_at": at, "before": before, "display": row.display,
                                "late": ret.late})
            ledger.commit()
    return FileOutcome(row.display, row.sha256, status, ret.unit, ret.kind,
                       list(ret.findings), seen_before=True)


# the ways a clerk writes a date and time, read as 2019-4-9 16:30: 2019/4/9, 2019.4.9,
# 2019年4月9日 16时30分, full-width digits and colon
_TIME_MARKS = str.maketrans({"/": "-", ".": "-", "T": " ", "年": "-", "月": "-", "日": " ",
                             "时": ":", "分": "", FW_COLON: ":",
                             **{chr(0xFF10 + d): str(d) for d in range(10)}})


def parse_time(text: str) -> str:
    """'2019-04-09 16:30' (or 2019/4/9 16:30, 2019年4月9日 16时30分, or a date alone) as
    ISO; InputError otherwise."""
    t = " ".join(text.translate(_TIME_MARKS).split())
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(t, fmt).isoformat(timespec="seconds")
        except ValueError:
            continue
    raise InputError(official_text("无法识别时间“{text}”,请写成 2019-04-09 16:30 或 2019年4月9日 16:30 的形式。",
                                   text=text))


EXEMPT = "exempt"


def exempt(db_path: Path, plan: Plan, period: Period, unit: str, on: bool, reason: str,
           who: str) -> None:
    """Mark `unit` exempt from the period (免报), or take the mark back; one history row."""
    with Ledger(db_path) as ledger:
        ledger.begin(plan.plan_id, period.id, [f"exempt {unit} {int(on)}"])
        marked = exempt_units(ledger.history(plan.plan_id, period.id))
        already = marked.get(unit) == reason if on else unit not in marked
        if already:  # (a second click): nothing to record
            ledger.rollback()
            return
        ledger.add_history(who, EXEMPT, "", plan.plan_id, period.id,
                           {"unit": unit, "exempt": on, "reason": reason})
        ledger.commit()


def exempt_units(history: list[Decision]) -> dict[str, str]:
    """{unit: reason} of the units exempt now, from a period's history (the last mark wins)."""
    marks = {h.detail["unit"]: (h.detail["exempt"], h.detail.get("reason", "")) for h in history
             if h.action == EXEMPT}
    return {u: reason for u, (on, reason) in marks.items() if on}
