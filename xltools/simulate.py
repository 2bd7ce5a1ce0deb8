"""Simulated returns for the demo and the benchmark: forms filled as units would fill them.

Filled forms are the generated layouts with their input cells set, written by the same
writer, so the identity and fingerprint are the real ones. Some returns carry the
mistakes clerks see every quarter; which ones is chosen deterministically.
"""
from __future__ import annotations

import io
import os
import random
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .sheet.blocks import safe_filename
from .forms.identity import embed_identity
from .sheet.layout import Workbook
from .forms.registry import current
from .generate.report_form import report_form
from .generate.town_form import town_form
from .model import Period, Plan
from .xlsx.writer import workbook_bytes

STATUSES = ["序时推进", "序时推进", "序时推进", "已完成", "滞后", "未启动"]
WORDS = ["已召开专题会议部署", "完成年度方案编制", "项目完成前期手续", "推进资金拨付",
         "开展督导检查3次", "完成阶段性目标", "建立工作台账", "对接省级部门"]
PROBLEMS = ["无", "资金到位较慢", "用地指标紧张", "部门协调难度大", "无"]
MISTAKES = ("progress-text", "bad-status", "no-reporter", "edited-text", "formula-text")
# the mistakes typed into a field of the first task row: mistake -> (field, what is typed)
TYPED = {"progress-text": ("完成进度", "基本完成"), "bad-status": ("状态", "进行中"),
         "formula-text": ("存在问题", "=HYPERLINK(\"http://example.invalid\",\"点击\")")}


@dataclass
class Simulated:
    """What was written into the inbox, for the demo's closing message and for tests."""

    inbox: Path
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    mistakes: dict[str, str] = field(default_factory=dict)  # unit -> mistake
    resubmitted: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)


def fill_report(plan: Plan, unit_name: str, period: Period, rnd: random.Random,
                mistake: str = "") -> Workbook:
    """A report form with every fill-in cell set; `mistake` injects one typical error."""
    unit = plan.unit(unit_name)
    wb, fmap = report_form(plan, unit, period)
    sh, quarter = _begin(wb, plan, "report", unit.name, period, rnd, mistake != "no-reporter")
    spec = current("report")
    FIELD_COLS = spec.fill_in()  # noqa: N806 - the column of each field, as a constant reads
    for i, r in enumerate(range(fmap.first_task_row, fmap.last_task_row + 1)):
        status = rnd.choice(STATUSES)
        progress = 100 if status == "已完成" else (0 if status == "未启动" else
                                                 min(95, 25 * quarter - rnd.randint(0, 15)))
        sh.cells[(r, FIELD_COLS["完成情况"])].value = ",".join(rnd.sample(WORDS, 2)) + "。"
        sh.cells[(r, FIELD_COLS["完成进度"])].value = progress
        sh.cells[(r, FIELD_COLS["状态"])].value = status
        sh.cells[(r, FIELD_COLS["存在问题"])].value = rnd.choice(PROBLEMS)
        sh.cells[(r, FIELD_COLS["下一步计划"])].value = "按计划推进," + rnd.choice(WORDS) + "。"
        if i == 0 and mistake in TYPED:
            sh.cells[(r, FIELD_COLS[TYPED[mistake][0]])].value = TYPED[mistake][1]
        if i == 0 and mistake == "edited-text":
            cell = sh.cells[(r, spec.col(spec.label_key))]
            cell.value = str(cell.value) + "(已完成大部分)"
    tsh, col = wb.sheet(fmap.target_sheet), spec.target_col("累计完成")
    rows = {(task, index): r for task, index, r in fmap.target_rows}
    # a draw for each target of its tasks, asked for or not (report v4 asks a 配合 unit for
    # none): the demo's figures stay as they were
    for task, _ in plan.unit_tasks(unit):
        for index, target in enumerate(task.targets):
            x = target.value * min(1.0, 0.25 * quarter) * rnd.uniform(0.7, 1.1)
            if (task.number, index) in rows:
                tsh.cells[(rows[task.number, index], col)].value = round(x, 2)
    return wb


def fill_town(plan: Plan, row_label: str, period: Period, rnd: random.Random) -> Workbook:
    """A town indicator form with every actual filled in."""
    row = next(r for r in plan.town_rows() if r.label == row_label)
    wb, lines = town_form(plan, row, period)
    sh, quarter = _begin(wb, plan, "town", row.unit or row.label, period, rnd)
    for line in lines:
        if line.target is None:
            continue
        # rates are reported as rates; amounts as running totals through the year
        share = 1.0 if line.measure == "%" else 0.25 * quarter
        sh.cells[(line.row, current("town").col("累计完成"))].value = round(line.target * share * rnd.uniform(0.8, 1.1), 2)
    return wb


def _begin(wb: Workbook, plan: Plan, kind: str, unit: str, period: Period, rnd: random.Random,
           reporter: bool = True) -> tuple:
    """A form's identity embedded and its 填报人, 联系电话, 填报日期 filled (the input cell right
    of each label); its sheet, and the quarter its figures run to (4: the year's)."""
    embed_identity(wb, plan.plan_id, kind, unit, period.id)
    sh = wb.sheets[0]
    values = {"填报人:": "王" + rnd.choice("明华强丽军") if reporter else None,
              "联系电话:": f"1387160{rnd.randint(1000, 9999)}", "填报日期:": period.deadline}
    for (r, c), cell in list(sh.cells.items()):
        if cell.value in values and values[cell.value] is not None:
            sh.cells[(r, c + 1)].value = values[cell.value]
    return sh, int(period.id[-1]) if period.id[-1].isdigit() else 4


def simulate_returns(plan: Plan, period_id: str, inbox: str | os.PathLike, seed: int = 2019,
                     mistakes: bool = True) -> Simulated:
    """Write a realistic inbox: most units clean, a few typical mistakes, one unit missing,
    one resubmission, one duplicate, one late return, a zip attachment and e-mail junk."""
    rnd = random.Random(seed)
    period = plan.period(period_id)
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    sim = Simulated(inbox)
    units = [u.name for u in plan.units_with_tasks()]
    deadline = datetime.fromisoformat(period.deadline) if period.deadline else datetime.now()
    on_time = deadline - timedelta(days=3)
    towns = {r.unit or r.label for r in plan.town_rows()}
    if mistakes and len(units) > 8:
        sim.missing = [next(u for u in reversed(units) if u not in towns)]
        sim.mistakes = dict(zip(units[1:], MISTAKES))
        sim.resubmitted = [units[1]]
        sim.duplicated = [units[7]]
        sim.late = [units[8]]
    for i, unit in enumerate(units):
        if unit in sim.missing:
            continue
        folder = inbox / ("乡镇街道" if unit in towns else "部门") / safe_filename(f"{i + 1:02d}_{unit}", "")
        when = deadline + timedelta(days=2) if unit in sim.late else on_time + timedelta(minutes=i)
        name = safe_filename(f"{unit}{period.name}报表") if i % 3 else f"新建 Microsoft Excel 工作表 ({i}).xlsx"
        data = workbook_bytes(fill_report(plan, unit, period, rnd, sim.mistakes.get(unit, "")))
        sim.files.append(write_received(folder / name, data, when))
        if unit in sim.resubmitted:  # the corrected version, sent a day later
            fixed = workbook_bytes(fill_report(plan, unit, period, random.Random(seed + i)))
            sim.files.append(write_received(folder / safe_filename(f"{unit}(修改后)"), fixed, when + timedelta(days=1)))
        if unit in sim.duplicated:  # the same attachment saved twice from two e-mails
            sim.files.append(write_received(inbox / "重复发送" / name, data, when + timedelta(hours=2)))
    for row in plan.town_rows():
        data = workbook_bytes(fill_town(plan, row.label, period, rnd))
        sim.files.append(write_received(inbox / "乡镇街道" / safe_filename(f"{row.label}指标"), data, on_time))
    if sim.files:
        sim.files.append(_zip(inbox / "OA下载" / "附件打包.zip", sim.files[-2:], on_time))
    write_received(inbox / "部门" / "~$临时文件.xlsx", b"\x00" * 165, on_time)
    write_received(inbox / "Thumbs.db", b"\x00" * 64, on_time)
    return sim


def write_received(path: Path, data: bytes, when: datetime | str) -> Path:
    """Write a file as an e-mail client saves an attachment: its mtime is when it came."""
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    ts = when.timestamp()
    os.utime(path, (ts, ts))
    return path


def _zip(path: Path, members: list[Path], when: datetime) -> Path:
    """A zip attachment holding copies of some returns (as OA systems bundle them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for m in members:
            z.writestr(zipfile.ZipInfo(m.name, when.timetuple()[:6]), m.read_bytes())
    return write_received(path, buf.getvalue(), when)
