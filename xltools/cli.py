"""The xltools command line: options -> one api function -> Rich output or --json."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from . import api, terminal
from .progress import rich_progress
from .model import ERROR, Finding

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_show_locals=False,  # never print a --password back
                  help="xltools:政府工作报告任务分解、季度报表生成与回收汇总工具。")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

KIND_NAMES = {"annex1": "附件1 任务分解", "annex2": "附件2 责任单位任务表",
              "annex3": "附件3 镇街目标", "report": "季度报表", "town": "镇街指标表",
              "workplan": "办理方案", "sending_list": "发送清单", "other": "其他"}


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]错误:[/red]{message}", highlight=False)
    raise typer.Exit(code)


def _print_findings(findings: list[Finding], limit: int = 50) -> None:
    for f in findings[:limit]:
        colour = "red" if f.severity == ERROR else "yellow"
        err.print(f"[{colour}]{f.severity}[/{colour}] [{f.code}] {f.message}", highlight=False)
    if len(findings) > limit:
        err.print(f"……另有 {len(findings) - limit} 条,请用 --json 查看全部。")


def _report_generate(report: api.GenerateReport, as_json: bool, exit_on_error: bool = True,
                     quiet: bool = False) -> None:
    if as_json:
        print(json.dumps({"out_dir": str(report.out_dir),
                          "files": [{"path": str(f.path), "kind": f.kind, "unit": f.unit,
                                     "period": f.period} for f in report.files],
                          "findings": [f.to_dict() for f in report.findings],
                          **({"pdf": report.pdf.to_json()} if report.pdf is not None else {}),
                          "seconds": round(report.seconds, 3)}, ensure_ascii=False, indent=1))
    elif not quiet:
        terminal.generate_summary(out, report)
        _print_findings(report.findings)
    elif report.errors:  # --quiet: only what stops the work
        _print_findings(report.errors)
    pdf_bad = terminal.pdf_problems(err, report.pdf)
    if (report.errors or pdf_bad) and exit_on_error:
        raise typer.Exit(1)


STATUS_NAMES = {"accepted": "已接收", "rejected": "已退回", "superseded": "已被替代",
                "duplicate": "重复文件", "ignored": "已忽略"}


def _report_collect(report: "api.CollectReport", as_json: bool, exit_on_error: bool = True,
                    quiet: bool = False) -> None:
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    elif not quiet:
        terminal.collect_summary(out, report)
    elif report.exit_code:  # --quiet: one line when something needs the clerk
        errors = sum(1 for f in report.files for x in f.findings if x.severity == ERROR)
        err.print(f"有文件被退回或有错误 {errors} 条,详见:{report.html or report.out_dir}", highlight=False)
    pdf_bad = terminal.pdf_problems(err, report.pdf)
    if exit_on_error and (report.exit_code or pdf_bad):
        raise typer.Exit(report.exit_code or 1)


_STATE = {"debug": False}


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="出现意外错误时显示完整的错误信息(供维护人员排查)")) -> None:
    """xltools:政府工作报告任务分解、季度报表生成与回收汇总工具。"""
    if debug:
        _STATE["debug"] = True
        os.environ["XLTOOLS_DEBUG"] = "1"


@app.command()
def collect(inbox: list[Path] = typer.Argument(..., metavar="INBOX...", help="回收的文件或文件夹(可多个)"),
            plan: Path = typer.Option(..., "--plan", metavar="PLAN", help="计划文件"),
            period: str = typer.Option(..., "--period", metavar="ID", help="报送周期编号,如 2019Q1"),
            output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="输出文件夹(缺省 workbooks/<周期>)"),
            db: Optional[Path] = typer.Option(None, "--db", metavar="LEDGER", help="台账数据库(缺省在计划文件旁)"),
            workers: Optional[int] = typer.Option(None, "--workers", help="并行进程数(缺省 2)"),
            password: Optional[str] = typer.Option(None, "--password", envvar="XLTOOLS_PASSWORD", help="打开设置了密码的报表所用的密码(也可用环境变量 XLTOOLS_PASSWORD)"),
            max_file_mb: float = typer.Option(50, "--max-file-mb", min=0.001, help="单个文件大小上限(MB),超过的只存档不读取"),
            max_unzipped_mb: float = typer.Option(500, "--max-unzipped-mb", min=0.001, help="一个文件或压缩包解压后的大小上限(MB)"),
            max_rows: int = typer.Option(100_000, "--max-rows", min=1, help="每个工作表有内容的行数上限"),
            pdf: bool = typer.Option(False, "--pdf", help="同时用 LibreOffice 把汇总表转为 PDF(需已安装 LibreOffice)"),
            quiet: bool = typer.Option(False, "-q", "--quiet", help="成功时不输出任何内容"),
            as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果")) -> None:
    """回收各单位报来的文件:识别、逐格校验、记入台账,并生成汇总表、校验报告和汇总报告(网页)。"""
    from .collect.ledger import LedgerError
    from .collect.limits import Limits
    from .collect.run import OutputError
    limits = Limits.from_options(max_file_mb, max_unzipped_mb, max_rows)
    try:
        with rich_progress(err, "回收文件", _bar(quiet, as_json)) as progress:
            report = api.collect(inbox, plan, period, output, db, workers, password, limits,
                                 progress=progress)
    except (api.PlanFileError, LedgerError, OutputError) as exc:
        _fail(str(exc))
    if pdf:
        _pdf(report, quiet, as_json)
    _report_collect(report, as_json, quiet=quiet)


@app.command()
def status(plan: Path = typer.Option(..., "--plan", metavar="PLAN", help="计划文件"),
           period: str = typer.Option(..., "--period", metavar="ID", help="报送周期编号"),
           db: Optional[Path] = typer.Option(None, "--db", metavar="LEDGER", help="台账数据库"),
           as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果")) -> None:
    """查看某一周期的报送情况:谁已报、谁未报、谁逾期,各状态文件数。"""
    from .collect.ledger import LedgerError
    try:
        st = api.status(plan, period, db)
    except (api.PlanFileError, LedgerError) as exc:
        _fail(str(exc))
    if as_json:
        print(json.dumps(st.to_json(), ensure_ascii=False, indent=1))
        return
    table = Table(title=f"{st.period.name} 报送情况")
    table.add_column("单位")
    table.add_column("表单")
    table.add_column("最后提交")
    table.add_column("次数", justify="right")
    table.add_column("是否逾期")
    for u in st.reported:
        table.add_row(u["unit"], KIND_NAMES.get(u["form"], u["form"]),
                      u["last_received_at"][:16].replace("T", " "), str(u["submissions"]),
                      "逾期" if u["late"] else "按时")
    out.print(table)
    out.print("各状态文件数:" + ",".join(f"{STATUS_NAMES.get(k, k)} {v}" for k, v in st.counts.items()),
              highlight=False)
    out.print("未报送:" + ("、".join(st.missing_units) or "无"), highlight=False)
    out.print("逾期:" + ("、".join(st.late_units) or "无"), highlight=False)


@app.command()
def generate(plan: Path = typer.Argument(..., metavar="PLAN", help="计划文件(plan.xlsx / .yaml / .json)"),
             output: Path = typer.Option(Path("workbooks"), "-o", "--output", metavar="DIR", help="输出文件夹"),
             period: Optional[list[str]] = typer.Option(None, "--period", metavar="ID", help="报送周期编号,如 2019Q1;可重复;缺省为全部周期"),
             pdf: bool = typer.Option(False, "--pdf", help="同时用 LibreOffice 把每个文件转为 PDF(需已安装 LibreOffice)"),
             quiet: bool = typer.Option(False, "-q", "--quiet", help="成功时不输出任何内容"),
             as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果")) -> None:
    """生成附件1—3、各单位季度报表、镇街指标表、办理方案和发送清单。"""
    try:
        with rich_progress(err, "生成报表", _bar(quiet, as_json)) as progress:
            report = api.generate(plan, output, period or None, progress=progress)
    except api.PlanFileError as exc:
        _fail(str(exc))
    if pdf:
        _pdf(report, quiet, as_json)
    _report_generate(report, as_json, quiet=quiet)


def _bar(quiet: bool, as_json: bool) -> bool:
    """A progress bar on stderr only for a person at a terminal."""
    return err.is_terminal and not quiet and not as_json


def _pdf(report, quiet: bool, as_json: bool) -> None:
    """--pdf: PDFs beside the workbooks, through LibreOffice (report.pdf says how it went)."""
    with rich_progress(err, "转换 PDF", _bar(quiet, as_json)) as progress:
        api.pdf(report, progress=progress)


@app.command()
def demo(output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="输出文件夹(缺省 workbooks/demo)"),
         as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果")) -> None:
    """用自带示例(沙市区 2019 年)走一遍全流程:生成、模拟各单位填报、回收汇总。"""
    try:
        report = api.demo(output)
    except api.PlanFileError as exc:
        _fail(str(exc))
    if as_json:
        print(json.dumps({"generated": len(report.generated.files),
                          "collect": report.collected.to_json()}, ensure_ascii=False, indent=1))
        return
    _report_generate(report.generated, False, exit_on_error=False)
    sim = report.simulated
    out.print(f"\n已模拟 {len(sim.files)} 个回收文件(放在 {sim.inbox}):"
              f"{len(sim.mistakes)} 个单位有典型填报错误,{len(sim.missing)} 个单位未报送,"
              f"{len(sim.resubmitted)} 个单位重报,{len(sim.duplicated)} 个文件重复发送,"
              f"{len(sim.late)} 个单位逾期。", highlight=False)
    _report_collect(report.collected, False, exit_on_error=False)


def _report_check(findings: list[Finding], as_json: bool, all_clear: str) -> None:
    """A check's findings (or `all_clear`); exit 1 when any is an 错误."""
    if as_json:
        print(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=1))
    elif findings:
        _print_findings(findings, limit=500)
    else:
        out.print(all_clear)
    if any(f.severity == ERROR for f in findings):
        raise typer.Exit(1)


@app.command()
def check(plan: Path = typer.Argument(..., metavar="PLAN", help="计划文件"),
          as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果")) -> None:
    """检查计划文件:未知单位、重复序号、空分组、镇街目标合计等。"""
    try:
        findings = api.check(plan)
    except api.PlanFileError as exc:
        _fail(str(exc))
    _report_check(findings, as_json, "计划检查通过,未发现问题。")


@app.command()
def convert(plan: Path = typer.Argument(..., metavar="PLAN", help="计划文件"),
            output: Path = typer.Argument(..., metavar="OUT", help="另存为(.xlsx / .yaml / .json)")) -> None:
    """把计划文件另存为其他格式(Excel 与 YAML/JSON 互转)。"""
    try:
        res = api.convert(plan, output)
    except api.PlanFileError as exc:
        _fail(str(exc))
    out.print(f"已保存:{res.value}", highlight=False)
    _print_findings(res.findings)


@app.command()
def parse(notice: Path = typer.Argument(..., metavar="NOTICE", help="通知文件(.txt / .docx / .doc / .wps)"),
          units: Optional[Path] = typer.Option(None, "--units", help="单位名单(计划文件格式)"),
          base: Optional[Path] = typer.Option(None, "--plan", help="在已有计划的单位和分组基础上解析"),
          output: Optional[Path] = typer.Option(None, "-o", "--output", help="保存计划(.xlsx / .yaml / .json)"),
          as_json: bool = typer.Option(False, "--json", help="把解析结果以 JSON 输出到标准输出")) -> None:
    """解析任务分解通知,生成计划文件和解析报告。"""
    if not notice.is_file():
        _fail(f"找不到通知文件“{notice}”。")
    if output is None and not as_json:
        _fail("请用 -o 指定计划文件的保存位置,或用 --json 输出。")
    try:
        result, saved = api.parse(notice, units, base, output)
    except api.PlanFileError as exc:
        _fail(str(exc))
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        for line in result.report_lines():
            out.print(line, highlight=False)
    if result.plan is None:
        _fail(f"在“{notice.name}”中没有找到可识别的任务条目:请确认这是任务分解通知。", code=2)
    if saved is not None:
        (out if not as_json else err).print(f"计划已保存:{saved}", highlight=False)


@app.command()
def remind(plan: Path = typer.Option(..., "--plan", metavar="PLAN", help="计划文件"),
           period: str = typer.Option(..., "--period", metavar="ID", help="报送周期编号,如 2019Q1"),
           db: Optional[Path] = typer.Option(None, "--db", metavar="LEDGER", help="台账数据库(缺省在计划文件旁)"),
           output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="输出文件夹(缺省 workbooks/<周期>)"),
           template: Optional[Path] = typer.Option(None, "--template", metavar="FILE", help="自己的催报通知模板(Jinja2 文本;缺省 templates/催报通知.txt.j2)"),
           as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果")) -> None:
    """催报:列出未报送或报表有错误待修改的单位,写出催报通知(文本)和催报名单(含联系人、电话、邮箱)。"""
    from .collect.ledger import LedgerError
    try:
        res = api.remind(plan, period, db, output, template)
    except (api.PlanFileError, LedgerError) as exc:
        _fail(str(exc))
    if as_json:
        print(json.dumps(res.to_json(), ensure_ascii=False, indent=1))
        return
    table = Table(title=f"{res.period.name} 催报名单", title_justify="left")
    table.add_column("单位", no_wrap=True)
    for col in ("应报表单", "联系人", "联系电话", "电子邮箱", "未报原因"):
        table.add_column(col, overflow="fold")
    for e in res.entries:
        table.add_row(e.unit, e.form, e.contact, e.phone, e.email, e.reason,
                      style="red" if e.missing else "yellow")
    if res.entries:
        out.print(table)
    out.print(f"未报送 {len(res.missing)} 个,有错误待修改 {len(res.with_errors)} 个。", highlight=False)
    out.print(f"催报通知:{res.notice}", highlight=False)
    out.print(f"催报名单:{res.contacts}", highlight=False)


@app.command()
def year(plan: Path = typer.Option(..., "--plan", metavar="PLAN", help="计划文件"),
         db: Optional[Path] = typer.Option(None, "--db", metavar="LEDGER", help="台账数据库(缺省在计划文件旁)"),
         output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="输出文件夹(缺省 workbooks)"),
         as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果")) -> None:
    """年度汇总:各任务各期状态和进度、各单位报送及时性、量化指标对照全年目标、镇街完成率排名。"""
    from .collect.ledger import LedgerError
    try:
        rep = api.year(plan, db, output)
    except (api.PlanFileError, LedgerError) as exc:
        _fail(str(exc))
    ys = rep.summary
    if as_json:
        print(json.dumps({"path": str(rep.path), "periods": [p.id for p in ys.periods],
                          "reported_periods": ys.reported_periods, "tasks": len(ys.tasks),
                          "units": len(ys.timeliness), "indicators": len(ys.indicators),
                          "towns": ys.towns["镇街"].tolist()}, ensure_ascii=False, indent=1))
        return
    done = "、".join(p.name for p in ys.periods if p.id in ys.reported_periods) or "无"
    out.print(f"已汇总的报送周期:{done}", highlight=False)
    out.print(f"任务 {len(ys.tasks)} 项,报送单位 {len(ys.timeliness)} 个,量化指标 {len(ys.indicators)} 项,"
              f"镇街 {len(ys.towns)} 个。", highlight=False)
    out.print(f"年度汇总:{rep.path}", highlight=False)


units_app = typer.Typer(add_completion=False, rich_markup_mode=None,
                        help="单位名单:查看(list)、检查(check)、登记别名(add-alias)、修改联系方式(set)。"
                             "用法:xltools units PLAN [list|check|add-alias 单位 别名|set 单位 --contact …]")
app.add_typer(units_app, name="units")


@units_app.callback(invoke_without_command=True)
def units(ctx: typer.Context,
          plan: Path = typer.Argument(..., metavar="PLAN", help="计划文件(plan.xlsx / .yaml / .json)")) -> None:
    """单位名单:查看、检查和编辑计划文件中的单位、别名、责任领导和联系方式(不加子命令即 list)。"""
    ctx.obj = {"plan": plan}
    if ctx.invoked_subcommand is None:
        _units_list(plan, False)


def _units_list(plan: Path, as_json: bool) -> None:
    try:
        rows = api.units_list(plan)
    except api.PlanFileError as exc:
        _fail(str(exc))
    if as_json:
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=1))
        return
    table = Table(title=f"单位名单({len(rows)} 个)", title_justify="left")
    table.add_column("单位", no_wrap=True)
    for col in ("类型", "别名", "责任领导", "联系人", "联系电话", "电子邮箱", "任务数", "所属分组"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r.name, r.kind, ";".join(r.aliases), r.leader, r.contact, r.phone, r.email,
                      str(r.tasks), "、".join(r.groups))
    out.print(table)


@units_app.command("list")
def units_list(ctx: typer.Context,
               as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果")) -> None:
    """列出全部单位:名称、类型、别名、责任领导、联系方式、任务数、所属分组。"""
    _units_list(ctx.obj["plan"], as_json)


@units_app.command("check")
def units_check(ctx: typer.Context,
                as_json: bool = typer.Option(False, "--json", help="以 JSON 输出结果")) -> None:
    """检查单位名单:重复的名称或别名、分组中的未知成员、缺少联系方式的单位(逐条指出工作表和单元格)。"""
    try:
        findings = api.units_check(ctx.obj["plan"])
    except api.PlanFileError as exc:
        _fail(str(exc))
    _report_check(findings, as_json, "单位名单检查通过,未发现问题。")


@units_app.command("add-alias")
def units_add_alias(ctx: typer.Context,
                    name: str = typer.Argument(..., metavar="NAME", help="单位名称(或已登记的别名)"),
                    alias: str = typer.Argument(..., metavar="ALIAS", help="要登记的新别名")) -> None:
    """为单位登记一个别名(如通知或报表中出现的其他写法),保存到计划文件,今后即可识别。"""
    try:
        change = api.units_add_alias(ctx.obj["plan"], name, alias)
    except api.PlanFileError as exc:
        _fail(str(exc))
    out.print(change.message, highlight=False)


@units_app.command("set")
def units_set(ctx: typer.Context,
              name: str = typer.Argument(..., metavar="NAME", help="单位名称(或别名)"),
              leader: Optional[str] = typer.Option(None, "--leader", help="责任领导"),
              contact: Optional[str] = typer.Option(None, "--contact", help="联系人"),
              phone: Optional[str] = typer.Option(None, "--phone", help="联系电话"),
              email: Optional[str] = typer.Option(None, "--email", help="电子邮箱"),
              kind: Optional[str] = typer.Option(None, "--kind", help="单位类型:镇/街道/部门/企业/其他")) -> None:
    """修改单位的责任领导、联系人、联系电话、电子邮箱或类型,保存到计划文件(给空字符串 "" 即清空)。"""
    try:
        change = api.units_set(ctx.obj["plan"], name, leader, contact, phone, email, kind)
    except api.PlanFileError as exc:
        _fail(str(exc))
    out.print(change.message, highlight=False)


def main() -> None:
    """Console entry point: an unexpected error is one Chinese line and exit code 2
    (with --debug, the full traceback)."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("已中断。")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the user without --debug
        if _STATE["debug"] or "--debug" in sys.argv[1:]:
            raise
        text = " ".join(str(exc).split())[:300]
        err.print(f"[red]错误:[/red]发生意外错误({type(exc).__name__}{':' + text if text else ''})。"
                  "请加 --debug 重新运行以查看详细信息,并提供给系统维护人员。", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
