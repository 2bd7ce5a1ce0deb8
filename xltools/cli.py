"""The xltools command line: options -> one api function -> Rich output or --json."""
from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Column, Table

from . import api, cli_words, terminal
from .model import ERROR, Finding
from .model.errors import settings
from .model.glossary import form_name, FW_COLON, FW_COMMA, FW_LPAREN, FW_RPAREN, official_text as say
from .model.periods import show_time
from .model.returns import STATUS_LABELS
from .progress import rich_progress


class _Commands(cli_words.Words, typer.core.TyperGroup):
    """Every command: an XltoolsError (plan, period, ledger, output, template...) is one
    Chinese line and exit code 2, never a traceback; a usage error is said in Chinese."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except api.XltoolsError as exc:
            _fail(str(exc))

    def main(self, *args, **kwargs):
        cli_words.use_chinese_catalog()
        try:  # (what standalone mode does, with click's English said in Chinese)
            code = super().main(*args, standalone_mode=False, **kwargs)
        except cli_words.UsageError as exc:
            cli_words.show_error(exc, err)
            sys.exit(exc.exit_code)
        except cli_words.ClickException as exc:  # (a file it could not open, …)
            err.print(f"[red]错误{FW_COLON}[/red]{exc.format_message()}")
            sys.exit(exc.exit_code)
        except typer.Abort:
            err.print("已中止。")
            sys.exit(1)
        if code == 130:  # (typer turns Ctrl+C into this exit code)
            err.print("已中断。")
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(cls=_Commands, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_show_locals=False,  # never print a --password back
                  suggest_commands=False)  # (typer's "Did you mean" is English; cli_words suggests)
# markup on, but no automatic colouring of numbers and paths in the Chinese sentences
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _print_json(obj: object) -> None:
    """--json output: UTF-8 with "\\n" line ends whatever the console's code page (GBK on
    Chinese Windows), so `xltools … --json > out.json` is always a UTF-8 file (nothing
    human follows the JSON on stdout)."""
    with contextlib.suppress(AttributeError, ValueError, OSError):  # (a text-only stream: str)
        sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


def _console_safe() -> None:
    """Human-readable output never fails on a console that cannot show a character (GBK,
    cp437): such characters are printed as "?" instead of stopping with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):  # replaced or closed stream
            stream.reconfigure(errors="replace")


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]错误{FW_COLON}[/red]{message}")
    raise typer.Exit(code)


def _print_findings(findings: list[Finding], limit: int = 50) -> None:
    for f in findings[:limit]:
        colour = "red" if f.severity == ERROR else "yellow"
        err.print(f"[{colour}]{f.severity}[/{colour}] [{f.code}] {f.message}")
    if len(findings) > limit:
        err.print(say("……另有 {n} 条,请用 --json 查看全部。", n=len(findings) - limit))


def _report_generate(report: api.GenerateReport, as_json: bool, exit_on_error: bool = True,
                     quiet: bool = False) -> None:
    if as_json:
        _print_json({"out_dir": str(report.out_dir),
                     "files": [dataclasses.asdict(f) | {"path": str(f.path)} for f in report.files],
                     "findings": [f.to_dict() for f in report.findings],
                     **({"pdf": report.pdf.to_json()} if report.pdf is not None else {}),
                     "seconds": round(report.seconds, 3)})
    elif not quiet:
        terminal.generate_summary(out, report)
        _print_findings(report.findings)
    elif report.errors:  # --quiet: only what stops the work
        _print_findings(report.errors)
    pdf_bad = terminal.pdf_problems(err, report.pdf)
    if (report.errors or pdf_bad) and exit_on_error:
        raise typer.Exit(1)


def _report_collect(report: "api.CollectReport", as_json: bool, exit_on_error: bool = True,
                    quiet: bool = False, extra: dict | None = None) -> None:
    if as_json:
        _print_json(report.to_json() | (extra or {}))
    elif not quiet:
        terminal.collect_summary(out, report)
        _collect_notes(report)
    elif report.exit_code:  # --quiet: one line when something needs the clerk
        err.print(say("本周期仍需处理:{what},详见:{where}", what=report.attention_text,
                      where=report.html or report.out_dir))
    pdf_bad = terminal.pdf_problems(err, report.pdf)
    if exit_on_error and (report.exit_code or pdf_bad):
        raise typer.Exit(report.exit_code or 1)


def _stamps(stamps: dict[str, str]) -> None:
    """盖章件: how many units sent theirs, and who has not."""
    if stamps:
        missing = [u for u, d in stamps.items() if not d]
        out.print(say("盖章件:已收到 {got} 个单位,未收到 {n} 个", got=len(stamps) - len(missing), n=len(missing))
                  + (f"{FW_LPAREN}{chr(0x3001).join(missing)}{FW_RPAREN}" if missing else "") + "。")


def _collect_notes(report: "api.CollectReport") -> None:
    """The lines under the table: an empty inbox, new files, what the period still needs."""
    if not report.files:  # no file at all under the inbox paths given
        out.print(say("[yellow]收件箱中没有任何文件[/yellow](所给的文件夹是空的),本次未收到报表。"))
    else:
        out.print(say("本次新收到 {new} 个文件,{old} 个此前已记录。", new=report.new_files,
                      old=len(report.files) - report.new_files))
    _stamps(report.stamps)
    if report.attention:
        out.print(say("[red]本周期仍需处理:[/red]{what}。", what=report.attention_text))
    else:
        out.print(say("本周期各单位均已按时报送,且没有错误。"))


# options several commands share, each defined once
_PLAN = typer.Option(..., "--plan", metavar="PLAN", help="计划文件")
_PERIOD = typer.Option(..., "--period", metavar="ID", help="报送周期编号,如 2019Q1")
_PERIOD_ID = typer.Option(..., "--period", metavar="ID", help="报送周期编号")  # ledger commands
_DB = typer.Option(None, "--db", metavar="LEDGER", help="台账数据库(缺省在计划文件旁)")
_LEDGER = typer.Option(None, "--db", metavar="LEDGER", help="台账数据库")
_JSON = typer.Option(False, "--json", help="以 JSON 输出结果")
_QUIET = typer.Option(False, "-q", "--quiet", help="成功时不输出任何内容")
_BY = typer.Option(None, "--by", metavar="NAME", help="确认人(缺省为当前登录用户)")
_DOC_OUT = typer.Option(None, "-o", "--output", metavar="DIR", help="输出文件夹(默认 workbooks)")
_PERIOD_OUT = typer.Option(None, "-o", "--output", metavar="DIR", help="输出文件夹(缺省 workbooks/<周期>)")
_DOC_TEMPLATE = typer.Option(None, "--template", metavar="FILE", help="自己的正文模板(Jinja2)")

# -- mail in and out (issue 19): options shared by send, fetch, collect --mailbox and
# remind --send; a dict of them is api's `mail` overrides (None = as in xltools.toml)
_SMTP_HOST = typer.Option(None, "--smtp-host", metavar="HOST", help="发信服务器(SMTP)地址")
_SMTP_PORT = typer.Option(None, "--smtp-port", metavar="PORT", help="发信服务器端口(缺省按加密方式:465/587/25)")
_SMTP_SEC = typer.Option(None, "--smtp-security", metavar="ssl|starttls|none", help="发信加密方式(缺省 ssl;none 为明文,仅在明确指定时使用)")
_SMTP_PIN = typer.Option(None, "--smtp-fingerprint", metavar="SHA256", help="内网服务器自有证书的 SHA-256 指纹(只认这张证书)")
_IMAP_HOST = typer.Option(None, "--imap-host", metavar="HOST", help="收信服务器(IMAP)地址")
_IMAP_PORT = typer.Option(None, "--imap-port", metavar="PORT", help="收信服务器端口(缺省按加密方式:993/143)")
_IMAP_SEC = typer.Option(None, "--imap-security", metavar="ssl|starttls|none", help="收信加密方式(缺省 ssl)")
_IMAP_PIN = typer.Option(None, "--imap-fingerprint", metavar="SHA256", help="内网服务器自有证书的 SHA-256 指纹")
_MAIL_USER = typer.Option(None, "--mail-user", metavar="USER", help="邮箱登录名(不设则不登录);密码取自环境变量 XLTOOLS_MAIL_PASSWORD、系统钥匙串或运行时输入")
_MAIL_FROM = typer.Option(None, "--mail-from", metavar="ADDRESS", help="发件地址(缺省为登录名)")
_MOVE_TO = typer.Option(None, "--move-to", metavar="FOLDER", help="把收取的邮件移到邮箱的这个文件夹(如 已回收);缺省不移动。邮件从不删除")
_FOLDER = typer.Option(None, "--folder", metavar="FOLDER", help="收取的邮箱文件夹(缺省 INBOX)")


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="出现意外错误时显示完整的错误信息(供维护人员排查)")) -> None:
    """xltools:政府工作报告任务分解、季度报表生成与回收汇总工具。"""
    if debug:
        settings.debug = True


@app.command()
def collect(inbox: Optional[list[Path]] = typer.Argument(None, metavar="INBOX", help="回收的文件或文件夹(可多个;用 --mailbox 时可不给)"),
            plan: Path = _PLAN, period: str = _PERIOD,
            output: Optional[Path] = _PERIOD_OUT, db: Optional[Path] = _DB,
            workers: Optional[int] = typer.Option(None, "--workers", metavar="N", help="并行进程数(缺省 2)"),
            password: Optional[str] = typer.Option(None, "--password", metavar="PASSWORD", envvar="XLTOOLS_PASSWORD", help="打开设置了密码的报表所用的密码(也可用环境变量 XLTOOLS_PASSWORD)"),
            max_file_mb: float = typer.Option(50, "--max-file-mb", min=0.001, metavar="MB", help="单个文件大小上限(MB),超过的只存档不读取"),
            max_unzipped_mb: float = typer.Option(500, "--max-unzipped-mb", min=0.001, metavar="MB", help="一个文件或压缩包解压后的大小上限(MB)"),
            max_rows: int = typer.Option(100_000, "--max-rows", min=1, metavar="N", help="每个工作表有内容的行数上限"),
            pdf: bool = typer.Option(False, "--pdf", help="同时把汇总表(LibreOffice)和汇总报告网页(Chromium)转为 PDF"),
            quiet: bool = _QUIET,
            force: bool = typer.Option(False, "--force", help="输出文件夹属于另一个台账时仍写入(会覆盖其中的汇总表和反馈文件)"),
            mailbox: bool = typer.Option(False, "--mailbox", help="同时从督办室邮箱收取新邮件(同 xltools fetch),与所给的文件一并回收"),
            move_to: Optional[str] = _MOVE_TO, folder: Optional[str] = _FOLDER,
            imap_host: Optional[str] = _IMAP_HOST, imap_port: Optional[int] = _IMAP_PORT,
            imap_security: Optional[str] = _IMAP_SEC, imap_fingerprint: Optional[str] = _IMAP_PIN,
            mail_user: Optional[str] = _MAIL_USER, as_json: bool = _JSON) -> None:
    """回收各单位报来的文件:识别、逐格校验、记入台账,并生成汇总表、校验报告和汇总报告(网页)。"""
    if not inbox and not mailbox:
        _fail("请给出回收的文件或文件夹,或加 --mailbox 从督办室邮箱收取。")
    limits = api.Limits.from_options(max_file_mb, max_unzipped_mb, max_rows)
    fetched = None
    with rich_progress(err, "回收文件", _bar(quiet, as_json)) as progress:
        if mailbox:
            mail = dict(imap_host=imap_host, imap_port=imap_port, imap_security=imap_security,
                        imap_fingerprint=imap_fingerprint, user=mail_user, imap_folder=folder)
            fetched = api.fetch(plan, period, db, output, move_to, limits, mail, workers=workers,
                                inputs=inbox or [], progress=progress, force=force, book_password=password)
            report = fetched.collected
        else:
            report = api.collect(inbox, plan, period, output, db, workers, password, limits,
                                 progress=progress, force=force)
    if fetched is not None and not (quiet or as_json):
        _fetch_notes(fetched)
    if pdf:
        _pdf(report, quiet, as_json)
    mail_json = {"mail": {k: v for k, v in fetched.to_json().items() if k != "collect"}} \
        if fetched is not None else {}
    _report_collect(report, as_json, quiet=quiet, extra=mail_json)


def _decision(call) -> None:
    """Run a clerk's decision (api.credit / api.set_received) and say what the file is now."""
    outcome = call()
    out.print(f"{outcome.path}:{STATUS_LABELS.get(outcome.status, outcome.status)}"
              f"{'(' + outcome.unit + ')' if outcome.unit else ''}")
    _print_findings(outcome.findings)
    out.print("已记入台账的处理记录。请重新运行 collect 以更新汇总表和报告。")


@app.command()
def credit(sha: str = typer.Argument(..., metavar="FILE_SHA", help="文件编号(SHA-256,至少前 8 位,见校验报告或 --json)"),
           unit: str = typer.Argument(..., metavar="UNIT", help="经核实的报送单位"),
           plan: Path = _PLAN, period: str = _PERIOD_ID, db: Optional[Path] = _LEDGER,
           by: Optional[str] = _BY) -> None:
    """把一份“待确认归属”(表单标识矛盾)的报表确认为某单位的报表,记入台账的处理记录。"""
    _decision(lambda: api.credit(plan, period, sha, unit, db, by))


@app.command("set-received")
def set_received(sha: str = typer.Argument(..., metavar="FILE_SHA", help="文件编号(SHA-256,至少前 8 位)"),
                 when: str = typer.Argument(..., metavar="TIME", help="收到时间,如 2019-04-09 16:30"),
                 plan: Path = _PLAN, period: str = _PERIOD_ID, db: Optional[Path] = _LEDGER,
                 by: Optional[str] = _BY) -> None:
    """设定一份报表的收到时间(如以邮件或登记簿为准),记入台账的处理记录;是否逾期随之重新判断。"""
    _decision(lambda: api.set_received(plan, period, sha, when, db, by))


@app.command()
def status(plan: Path = _PLAN, period: str = _PERIOD_ID, db: Optional[Path] = _LEDGER,
           as_json: bool = _JSON) -> None:
    """查看某一周期的报送情况:谁已报、谁未报、谁逾期,各状态文件数。"""
    st = api.status(plan, period, db)
    if as_json:
        return _print_json(st.to_json())
    table = Table("单位", "表单", "最后提交", Column("次数", justify="right"), "是否逾期",
                  title=f"{st.period.name} 报送情况")
    for u in st.reported:
        table.add_row(u.unit, form_name(u.form), show_time(u.last_received_at),
                      str(u.submissions), "逾期" if u.late else "按时")
    out.print(table)
    out.print(f"各状态文件数{FW_COLON}"
              + FW_COMMA.join(f"{STATUS_LABELS.get(k, k)} {v}" for k, v in st.counts.items()))
    out.print(f"未报送{FW_COLON}" + ("、".join(st.missing_units) or "无"))
    out.print(f"逾期{FW_COLON}" + ("、".join(st.late_units) or "无"))
    _stamps(st.stamps)


@app.command()
def generate(plan: Path = typer.Argument(..., metavar="PLAN", help="计划文件(plan.xlsx / .yaml / .json)"),
             output: Path = typer.Option(Path("workbooks"), "-o", "--output", metavar="DIR", help="输出文件夹"),
             period: Optional[list[str]] = typer.Option(None, "--period", metavar="ID", help="报送周期编号,如 2019Q1;可重复;缺省为全部周期"),
             pdf: bool = typer.Option(False, "--pdf", help="同时用 LibreOffice 把每个文件转为 PDF(需已安装 LibreOffice)"),
             quiet: bool = _QUIET, as_json: bool = _JSON) -> None:
    """生成附件1—3、各单位季度报表、镇街指标表、办理方案和发送清单。"""
    with rich_progress(err, "生成报表", _bar(quiet, as_json)) as progress:
        report = api.generate(plan, output, period or None, progress=progress)
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
         as_json: bool = _JSON) -> None:
    """用自带示例(沙市区 2019 年)走一遍全流程:生成、模拟各单位填报、回收汇总。"""
    report = api.demo(output)
    if as_json:
        return _print_json({"generated": len(report.generated.files),
                            "collect": report.collected.to_json()})
    _report_generate(report.generated, False, exit_on_error=False)
    sim = report.simulated
    out.print(say("\n已模拟 {n} 个回收文件(放在 {inbox}):{mistakes} 个单位有典型填报错误,"
                  "{missing} 个单位未报送,{again} 个单位重报,{dup} 个文件重复发送,{late} 个单位逾期。",
                  n=len(sim.files), inbox=sim.inbox, mistakes=len(sim.mistakes),
                  missing=len(sim.missing), again=len(sim.resubmitted), dup=len(sim.duplicated),
                  late=len(sim.late)))
    _report_collect(report.collected, False, exit_on_error=False)


def _report_check(findings: list[Finding], as_json: bool, all_clear: str) -> None:
    """A check's findings (or `all_clear`); exit 1 when any is an 错误."""
    if as_json:
        _print_json([f.to_dict() for f in findings])
    elif findings:
        _print_findings(findings, limit=500)
    else:
        out.print(all_clear)
    if any(f.severity == ERROR for f in findings):
        raise typer.Exit(1)


@app.command()
def check(plan: Path = typer.Argument(..., metavar="PLAN", help="计划文件"), as_json: bool = _JSON) -> None:
    """检查计划文件:未知单位、重复序号、空分组、镇街目标合计等。"""
    _report_check(api.check(plan), as_json, "计划检查通过,未发现问题。")


@app.command()
def convert(plan: Path = typer.Argument(..., metavar="PLAN", help="计划文件"),
            output: Path = typer.Argument(..., metavar="OUT", help="另存为(.xlsx / .yaml / .json)")) -> None:
    """把计划文件另存为其他格式(Excel 与 YAML/JSON 互转)。"""
    res = api.convert(plan, output)
    out.print(f"已保存:{res.value}")
    _print_findings(res.findings)


@app.command()
def parse(notice: Path = typer.Argument(..., metavar="NOTICE", help="通知文件(.txt / .docx / .doc / .wps)"),
          units: Optional[Path] = typer.Option(None, "--units", metavar="FILE", help="单位名单(计划文件格式)"),
          base: Optional[Path] = typer.Option(None, "--plan", metavar="PLAN", help="在已有计划的单位和分组基础上解析"),
          output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="FILE", help="保存计划(.xlsx / .yaml / .json)"),
          as_json: bool = typer.Option(False, "--json", help="把解析结果以 JSON 输出到标准输出")) -> None:
    """解析任务分解通知,生成计划文件和解析报告。"""
    if not notice.is_file():
        _fail(f"找不到通知文件“{notice}”。")
    result, saved = api.parse(notice, units, base, output)
    if as_json:
        _print_json(result.to_json())
    else:
        for line in result.report_lines():
            out.print(line)
    if result.plan is None:
        _fail(f"在“{notice.name}”中没有找到可识别的任务条目:请确认这是任务分解通知。", code=2)
    if saved is not None:
        (out if not as_json else err).print(f"计划已保存:{saved}")
    elif not as_json:  # a first look at the notice: nothing written, say how to keep it
        out.print("(未保存计划:核对无误后,用 -o plan.xlsx 保存。)")


def _send_report(rep, as_json: bool) -> None:
    """What a send (or --dry-run) did; exit 1 when a unit could not be reached."""
    if as_json:
        _print_json(rep.to_json())
    else:
        for r in rep.sent:
            out.print(f"已发送:{r.unit} → {', '.join(r.recipients)}(附件 {len(r.attachments)} 个)")
        for p in rep.written:
            out.print(f"已写出邮件:{p}")
        if rep.already:
            out.print(f"此前已发送,本次未重发 {len(rep.already)} 个单位:{'、'.join(rep.already)}")
        for unit, why in rep.refused.items():
            err.print(f"[red]未能发送[/red]:{unit}:{why}")
        if rep.no_address:
            err.print(f"[yellow]没有电子邮箱、未发送[/yellow] {len(rep.no_address)} 个单位:"
                      f"{'、'.join(rep.no_address)}。请用 xltools units 计划文件 set 单位 --email 邮箱 补填。")
        if not (rep.sent or rep.written or rep.already or rep.refused or rep.no_address):
            out.print("没有需要发送的邮件。")
    if rep.refused or rep.no_address:
        raise typer.Exit(1)


@app.command("send")
def send_cmd(plan: Path = _PLAN, period: str = _PERIOD,
             units: Optional[list[str]] = typer.Option(None, "--units", metavar="UNIT", help="只发给这些单位(可重复)"),
             feedback: bool = typer.Option(False, "--feedback", help="发送退回修改意见(各单位的反馈表格),而不是空白报表"),
             dry_run: bool = typer.Option(False, "--dry-run", help="不发送,把每封邮件写成 .eml 文件(放到 -o 文件夹,可用网页邮箱发送)"),
             output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="--dry-run 时写出邮件的文件夹"),
             db: Optional[Path] = _DB,
             smtp_host: Optional[str] = _SMTP_HOST, smtp_port: Optional[int] = _SMTP_PORT,
             smtp_security: Optional[str] = _SMTP_SEC, smtp_fingerprint: Optional[str] = _SMTP_PIN,
             mail_user: Optional[str] = _MAIL_USER, mail_from: Optional[str] = _MAIL_FROM,
             as_json: bool = _JSON) -> None:
    """下发:给每个单位发一封邮件,附上本周期要填的报表(--feedback:退回修改意见),记入台账;重新运行只发未发的。"""
    if dry_run and output is None:
        _fail("--dry-run 需要用 -o 指定写出邮件的文件夹。")
    mail = dict(smtp_host=smtp_host, smtp_port=smtp_port, smtp_security=smtp_security,
                smtp_fingerprint=smtp_fingerprint, user=mail_user, mail_from=mail_from)
    _send_report(api.send(plan, period, units, output if dry_run else None, feedback, db, mail), as_json)


@app.command("fetch")
def fetch_cmd(plan: Path = _PLAN, period: str = _PERIOD,
              output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="回收汇总的输出文件夹(缺省 workbooks/<周期>)"),
              db: Optional[Path] = _DB,
              move_to: Optional[str] = _MOVE_TO, folder: Optional[str] = _FOLDER,
              imap_host: Optional[str] = _IMAP_HOST, imap_port: Optional[int] = _IMAP_PORT,
              imap_security: Optional[str] = _IMAP_SEC, imap_fingerprint: Optional[str] = _IMAP_PIN,
              mail_user: Optional[str] = _MAIL_USER, as_json: bool = _JSON) -> None:
    """回收邮件:从督办室邮箱收取上次以来的新邮件,整封存档,附件按收件箱回收(以邮件时间为收到时间)。"""
    mail = dict(imap_host=imap_host, imap_port=imap_port, imap_security=imap_security,
                imap_fingerprint=imap_fingerprint, user=mail_user, imap_folder=folder)
    rep = api.fetch(plan, period, db, output, move_to, mail=mail)
    if as_json:  # (exit code as collect --json gives it)
        _print_json(rep.to_json())
        raise typer.Exit(rep.collected.exit_code if rep.collected is not None else 0)
    _fetch_notes(rep)
    if rep.collected is not None:
        _report_collect(rep.collected, False)


def _fetch_notes(rep: "api.FetchReport") -> None:
    """What a fetch found in the mailbox: new messages, replies and strangers, a failed move."""
    out.print(f"收到新邮件 {len(rep.messages)} 封" + (f"(其中 {rep.letters} 封没有附件,只存档)"
              if rep.letters else "") + "。")
    _print_findings(rep.findings)
    if rep.move_problem:
        err.print(f"[yellow]警告[/yellow]:{rep.move_problem}")


@app.command()
def remind(plan: Path = _PLAN, period: str = _PERIOD, db: Optional[Path] = _DB,
           output: Optional[Path] = _PERIOD_OUT,
           template: Optional[Path] = typer.Option(None, "--template", metavar="FILE", help="自己的催报通知模板(Jinja2 文本;缺省为自带模板 xltools/templates/催报通知.txt.j2,可复制后修改)"),
           send: bool = typer.Option(False, "--send", help="同时给每个需催报的单位发催报邮件(每天至多一次,记入台账)"),
           smtp_host: Optional[str] = _SMTP_HOST, smtp_port: Optional[int] = _SMTP_PORT,
           smtp_security: Optional[str] = _SMTP_SEC, smtp_fingerprint: Optional[str] = _SMTP_PIN,
           mail_user: Optional[str] = _MAIL_USER, mail_from: Optional[str] = _MAIL_FROM,
           as_json: bool = _JSON) -> None:
    """催报:列出未报送或报表有错误待修改的单位,写出催报通知(文本)和催报名单(含联系人、电话、邮箱)。"""
    res = api.remind(plan, period, db, output, template)
    sent = None
    if send:  # the notice and the list are written first: they stand whatever the mail does
        mail = dict(smtp_host=smtp_host, smtp_port=smtp_port, smtp_security=smtp_security,
                    smtp_fingerprint=smtp_fingerprint, user=mail_user, mail_from=mail_from)
        sent = api.remind_send(plan, period, db, mail=mail)
    if as_json:
        _print_json({**res.to_json(), "send": sent.to_json()} if sent else res.to_json())
        if sent and (sent.refused or sent.no_address):
            raise typer.Exit(1)
        return
    table = _unit_table(f"{res.period.name} 催报名单", "应报表单", "联系人", "联系电话", "电子邮箱", "未报原因")
    for e in res.entries:
        table.add_row(e.unit, e.form, e.contact, e.phone, e.email, e.reason,
                      style="red" if e.missing else "yellow")
    if res.entries:
        out.print(table)
    out.print(f"未报送 {len(res.missing_units)} 个单位,有错误待修改 {len(res.error_units)} 个单位。")
    out.print(f"催报通知:{res.notice}")
    out.print(f"催报名单:{res.contacts}")
    if sent:
        _send_report(sent, False)


def _unit_table(title: str, *folded: str) -> Table:
    """A table of units titled on the left: the unit's name on one line, the other columns folded."""
    return Table(Column("单位", no_wrap=True), *(Column(c, overflow="fold") for c in folded),
                 title=title, title_justify="left")


@app.command()
def year(plan: Path = _PLAN, db: Optional[Path] = _DB,
         output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="DIR", help="输出文件夹(缺省 workbooks)"),
         as_json: bool = _JSON) -> None:
    """年度汇总:各任务各期状态和进度、各单位报送及时性、量化指标对照全年目标、镇街完成率排名。"""
    rep = api.year(plan, db, output)
    ys = rep.summary
    units = len(set(ys.timeliness["单位"]))  # (a row a form owed: a town owes two)
    if as_json:
        _print_json({"path": str(rep.path), "periods": [p.id for p in ys.periods],
                     "reported_periods": ys.reported_periods, "tasks": len(ys.tasks),
                     "units": units, "indicators": len(ys.indicators),
                     "towns": ys.towns["镇街"]})
        return
    done = "、".join(p.name for p in ys.periods if p.id in ys.reported_periods) or "无"
    out.print(f"已汇总的报送周期:{done}")
    out.print(f"任务 {len(ys.tasks)} 项,报送单位 {units} 个,量化指标 {len(ys.indicators)} 项,"
              f"镇街 {len(ys.towns)} 个。")
    out.print(f"年度汇总:{rep.path}")


units_app = typer.Typer(cls=_Commands, add_completion=False, rich_markup_mode=None,
                        help="单位名单:查看(list)、检查(check)、登记别名(add-alias)、分组加成员(add-member)、修改联系方式(set)。"
                             "用法:xltools units PLAN [list|check|add-alias 单位 别名|add-member 分组 单位…|set 单位 --contact …]")
app.add_typer(units_app, name="units")


@units_app.callback(invoke_without_command=True)
def units(ctx: typer.Context,
          plan: Path = typer.Argument(..., metavar="PLAN", help="计划文件(plan.xlsx / .yaml / .json)")) -> None:
    """单位名单:查看、检查和编辑计划文件中的单位、别名、责任领导和联系方式(不加子命令即 list)。"""
    ctx.obj = {"plan": plan}
    if ctx.invoked_subcommand is None:
        units_list(ctx, False)


@units_app.command("list")
def units_list(ctx: typer.Context, as_json: bool = _JSON) -> None:
    """列出全部单位:名称、类型、别名、责任领导、联系方式、任务数、所属分组。"""
    rows = api.units_list(ctx.obj["plan"])
    if as_json:
        return _print_json([dataclasses.asdict(r) for r in rows])
    table = _unit_table(f"单位名单({len(rows)} 个)", "类型", "别名", "责任领导", "联系人", "联系电话",
                        "电子邮箱", "任务数", "所属分组")
    for r in rows:
        table.add_row(r.name, r.kind, ";".join(r.aliases), r.leader, r.contact, r.phone, r.email,
                      str(r.tasks), "、".join(r.groups))
    out.print(table)


@units_app.command("check")
def units_check(ctx: typer.Context, as_json: bool = _JSON) -> None:
    """检查单位名单:重复的名称或别名、分组中的未知成员、缺少联系方式的单位(逐条指出工作表和单元格)。"""
    _report_check(api.units_check(ctx.obj["plan"]), as_json, "单位名单检查通过,未发现问题。")


@units_app.command("add-alias")
def units_add_alias(ctx: typer.Context,
                    name: str = typer.Argument(..., metavar="NAME", help="单位名称(或已登记的别名)"),
                    alias: str = typer.Argument(..., metavar="ALIAS", help="要登记的新别名")) -> None:
    """为单位登记一个别名(如通知或报表中出现的其他写法),保存到计划文件,今后即可识别。"""
    out.print(api.units_add_alias(ctx.obj["plan"], name, alias))


@units_app.command("add-member")
def units_add_member(ctx: typer.Context,
                     group: str = typer.Argument(..., metavar="GROUP", help="单位分组名称(如 各镇人民政府)"),
                     members: list[str] = typer.Argument(..., metavar="UNIT...", help="要加入的单位(已登记的名称或别名)")) -> None:
    """把单位加入单位分组(如通知未写明“各镇人民政府”包含哪些镇),保存到计划文件。"""
    out.print(api.units_add_member(ctx.obj["plan"], group, members))


@units_app.command("set")
def units_set(ctx: typer.Context, name: str = typer.Argument(..., metavar="NAME", help="单位名称(或别名)"),
              leader: Optional[str] = typer.Option(None, "--leader", help="责任领导"),
              contact: Optional[str] = typer.Option(None, "--contact", help="联系人"),
              phone: Optional[str] = typer.Option(None, "--phone", help="联系电话"),
              email: Optional[str] = typer.Option(None, "--email", help="电子邮箱"),
              kind: Optional[str] = typer.Option(None, "--kind", help="单位类型:镇/街道/部门/企业/其他")) -> None:
    """修改单位的责任领导、联系人、联系电话、电子邮箱或类型,保存到计划文件(给空字符串 "" 即清空)。"""
    out.print(api.units_set(ctx.obj["plan"], name, leader=leader, contact=contact, phone=phone,
                            email=email, kind=kind))


@app.command("notice")
def notice_cmd(plan: Path = typer.Argument(..., metavar="PLAN", help="计划文件"),
               output: Optional[Path] = _DOC_OUT, template: Optional[Path] = _DOC_TEMPLATE) -> None:
    """写出印发通知(Word,GB/T 9704 公文格式),附件1-3 为 Word 表格。"""
    out.print(f"已写出印发通知:{api.notice(plan, output, template)}")


@app.command("bulletin")
def bulletin_cmd(plan: Path = _PLAN,
                 period: Optional[str] = typer.Option(None, "--period", metavar="ID", help="报送周期(2019Q1)或半年(2019H1)"),
                 whole_year: bool = typer.Option(False, "--year", help="全年通报"),
                 db: Optional[Path] = typer.Option(None, "--db", metavar="LEDGER", help="台账文件"),
                 output: Optional[Path] = _DOC_OUT, template: Optional[Path] = _DOC_TEMPLATE) -> None:
    """写出通报(Word):总体情况、报送情况、滞后任务、镇街排名和下一步要求。"""
    if not period and not whole_year:
        _fail("请用 --period 指定报送周期(如 2019Q1、2019H1),或用 --year 写全年通报。")
    out.print(f"已写出通报:{api.bulletin(plan, period, db, output, template, whole_year)}")


@app.command("app")
def app_cmd(workspace: Optional[Path] = typer.Argument(None, metavar="WORKSPACE", help="工作文件夹(缺省:文档/xltools)"),
            host: str = typer.Option("127.0.0.1", "--host", metavar="HOST", help="监听地址(缺省只在本机)"),
            port: int = typer.Option(8765, "--port", metavar="PORT", help="端口"),
            no_browser: bool = typer.Option(False, "--no-browser", help="不自动打开浏览器"),
            add_user: Optional[str] = typer.Option(None, "--add-user", metavar="NAME",
                                                   help="建立(或重设)账户:提示输入密码,不启动")) -> None:
    """启动督办工作台:在浏览器中完成计划、下发、回收和汇总(本机网页,无需联网)。"""
    from .app import accounts, security, server
    from .app.workspace import default_workspace
    root = workspace or default_workspace()
    if add_user is not None:  # a refused name or password: an XltoolsError, one line (_Commands)
        accounts.add_user(root, add_user,
                          typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码"))
        out.print(f"已建立账户“{add_user}”(工作文件夹 {root})。")
        return
    if why := security.host_refusal(host, accounts.user_count(root)):
        _fail(why)
    server.serve(root, host, port, not no_browser)


for _typer in (app, units_app):  # every command's usage line and help option in Chinese
    for _info in _typer.registered_commands:
        _info.cls = cli_words.Command  # (each is a plain TyperCommand otherwise)


def main() -> None:
    """Console entry point: an unexpected error is one Chinese line and exit code 2
    (with --debug, the full traceback)."""
    _console_safe()
    try:
        app()
    except KeyboardInterrupt:
        err.print("已中断。")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the user without --debug
        if settings.debug or "--debug" in sys.argv[1:]:
            raise
        text = " ".join(str(exc).split())[:300]
        err.print(f"[red]错误:[/red]发生意外错误({type(exc).__name__}{':' + text if text else ''})。"
                  "请加 --debug 重新运行以查看详细信息,并提供给系统维护人员。")
        sys.exit(2)


if __name__ == "__main__":
    main()
