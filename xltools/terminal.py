"""The closing summaries `generate` and `collect` print: a short Rich table of what was
done, then where the outputs are. The CLI decides whether to print at all (--quiet,
--json) and owns the consoles (no automatic highlighting); this module lays the text out."""
from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console
from rich.table import Column, Table

from .model.glossary import FW_COLON, form_name, official_marks, official_text as say
from .sheet.blocks import shortened

KIND_NAMES = {"annex1": "附件1 任务分解", "annex2": "附件2 责任单位任务表",
              "annex3": "附件3 镇街目标", "sending_list": "发送清单", "other": "其他"}
STATUS_NAMES = {"accepted": "已接收的文件", "rejected": "已退回的文件", "duplicate": "重复的文件",
                "superseded": "已被替代的文件", "ignored": "已忽略的文件"}
NOTES = {k: official_marks(v) for k, v in {
    "duplicate": "与已收到的文件内容相同,不重复计入", "ignored": "临时文件、缩略图等,非报表",
    "superseded": "同一单位后来又报了新版本", "rejected": "无法识别或不属于本期,见校验报告"}.items()}
ALWAYS = ("accepted", "rejected", "duplicate")  # shown even when 0
NAMES_SHOWN = 8


def _names(names: list[str]) -> str:
    shown = "、".join(names[:NAMES_SHOWN])
    return shown + (f" 等 {len(names)} 个" if len(names) > NAMES_SHOWN else "")


def _rel(path: Path, base: Path) -> str:
    try:
        return os.path.relpath(path, base)
    except ValueError:
        return str(path)


def generate_summary(console: Console, report) -> None:
    """Forms written, by kind, and where they are."""
    table = Table("类别", Column("文件数", justify="right"), "示例", title="生成结果", title_justify="left")
    kinds: dict[str, list] = {}  # by the name users see: a half year's forms are 半年报表
    for f in report.files:
        kinds.setdefault(KIND_NAMES.get(f.kind) or form_name(f.kind, f.period), []).append(f)
    for label, files in kinds.items():
        table.add_row(label, str(len(files)), _rel(files[0].path, report.out_dir))
    table.add_section()
    table.add_row("合计", str(len(report.files)), "")
    console.print(table)
    console.print(say("输出文件夹:{out}(用时 {s:.2f} 秒)", out=report.out_dir, s=report.seconds))
    pdf_summary(console, report.pdf)


def collect_summary(console: Console, report) -> None:
    """Files accepted / rejected / duplicates, units missing and late, the outputs."""
    table = Table("项目", Column("数量", justify="right"), "说明",
                  title=f"{report.period.name} 回收情况", title_justify="left")
    counts = report.counts
    for status in (*ALWAYS, *[s for s in counts if s not in ALWAYS]):  # (counted: n >= 1)
        n = counts.get(status, 0)
        table.add_row(STATUS_NAMES.get(status, status), str(n), NOTES.get(status, "") if n else "",
                      style="red" if status == "rejected" and n else None)
    table.add_section()
    table.add_row("未报送单位", str(len(report.missing_units)), _names(report.missing_units),
                  style="red" if report.missing_units else None)
    table.add_row("逾期报送单位", str(len(report.late_units)), _names(report.late_units),
                  style="yellow" if report.late_units else None)
    n = report.findings  # the period's one count, as the 校验报告, 汇总表 and HTML print it
    errors, warnings, notices = n.get("errors", 0), n.get("warnings", 0), n.get("notices", 0)
    table.add_row("错误 / 警告 / 提示", f"{errors} / {warnings} / {notices}",
                  "详见校验报告或汇总报告" if errors or warnings or notices else "",
                  style="red" if errors else None)
    console.print(table)
    labels = {"汇总表": "汇总表", "校验报": "校验报告"}
    for p in report.outputs:
        console.print(f"{labels.get(p.name[:3], '输出')}{FW_COLON}{p}")
    if report.html:
        console.print(say("汇总报告(网页,可打印):{path}", path=report.html))
    if report.feedback:  # copies marked for correction, to send back to the units
        console.print(say("退回修改意见(发给各单位):{n} 个文件,在 {where}", n=len(report.feedback),
                          where=Path(report.out_dir) / "反馈"))
        if short := sum(1 for p in report.feedback if any(shortened(part) for part in Path(p).parts)):
            console.print(say("[yellow]提示:[/yellow]其中 {n} 个文件或文件夹的名称过长,已缩短"
                              "(末尾带 6 位编号),以免超出 Windows 的路径长度上限。", n=short))
    pdf_summary(console, report.pdf)
    console.print(say("台账:{db}(用时 {s:.2f} 秒)", db=report.db_path, s=report.seconds))


def pdf_summary(console: Console, res) -> None:
    """What --pdf made; nothing when it was not asked for."""
    if res is None or res.message or not res.pdfs:  # not asked for, said by pdf_problems, or none
        return
    folders = sorted({str(p.parent) for p in res.pdfs})
    where = folders[0] if len(folders) == 1 else say("{n} 个文件夹(与各 Excel 文件同目录)", n=len(folders))
    console.print(say("PDF:{n} 个,在 {where}(用时 {s:.1f} 秒)", n=len(res.pdfs), where=where, s=res.seconds))


def pdf_problems(console: Console, res) -> bool:
    """Print why PDFs are missing (to stderr); True when there was a problem."""
    if res is None:
        return False
    if res.message:
        console.print(say("[yellow]提示:[/yellow]{m}", m=res.message))
        return True
    for note in res.notes:  # a PDF skipped for a missing program: not a failure
        console.print(say("[yellow]提示:[/yellow]{m}", m=note))
    for path, why in res.failed[:20]:
        console.print(say("[yellow]提示:[/yellow]“{name}”未能生成 PDF:{why}", name=path.name, why=why))
    if len(res.failed) > 20:
        console.print(f"……另有 {len(res.failed) - 20} 个文件未能生成 PDF。")
    return bool(res.failed)
