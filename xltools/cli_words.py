"""The command line's own words in Chinese: usage line, help option, headings, usage errors.

typer's headings ("Options", "[required]") go through gettext, answered by locale/ (as click's
words are where typer uses click itself); typer >= 0.29 prints its vendored click's usage line,
help option and usage errors in English, so those are said here.
"""
from __future__ import annotations

import difflib
import gettext
import os
import sys
from pathlib import Path

import typer

from .model.glossary import official_text as say

# the exception classes typer raises, wherever its click lives (click, or typer._click)
_ERRORS = sys.modules[typer.BadParameter.__module__]
ClickException, UsageError, MissingParameter, NoSuchOption, BadOptionUsage = (
    _ERRORS.ClickException, _ERRORS.UsageError, _ERRORS.MissingParameter, _ERRORS.NoSuchOption,
    _ERRORS.BadOptionUsage)
USAGE = say("用法:")
_NO_SUCH_COMMAND = "No such command "  # typer's own words (not in locale/: matched here)
_HELP_ASKED = getattr(_ERRORS, "NoArgsIsHelpError", ())  # a group run bare: its help, as asked
HELP = "显示本帮助并退出。"


def use_chinese_catalog() -> None:
    """typer's and click's gettext domain bound to locale/, asked for in zh_CN whatever the
    PC's locale (a Windows PC sets no LANGUAGE)."""
    gettext.bindtextdomain("messages", str(Path(__file__).with_name("locale")))
    # (the programs a command starts inherit it: LibreOffice's own messages, which a failed
    # conversion quotes, come in Chinese too)
    os.environ["LANGUAGE"] = "zh_CN"


class Words:
    """Mixed into typer's command and group classes: the usage line and the help option."""

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), USAGE)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP
        return option


class Command(Words, typer.core.TyperCommand):
    """A command whose usage line and help option are in Chinese."""


def error_text(exc: Exception) -> str:
    """A usage error in Chinese: what is missing or wrong, by the option's name; the library's
    own words only for a case not named here."""
    hint = _hint(exc)
    if isinstance(exc, MissingParameter):
        what = "参数" if (exc.param_type or getattr(exc.param, "param_type_name", "")) == "argument" else "选项"
        return say("缺少{what} {hint}。", what=what, hint=hint)
    if isinstance(exc, NoSuchOption):
        maybe = say("(可能是 {names})", names="、".join(sorted(exc.possibilities))) \
            if exc.possibilities else ""
        return say("没有选项 {name}。", name=exc.option_name) + maybe
    if isinstance(exc, BadOptionUsage) and "requires" in exc.message:
        return say("选项 {name} 后面缺少它的值。", name=exc.option_name)
    if isinstance(exc, BadOptionUsage) and "does not take a value" in exc.message:
        return say("选项 {name} 不带值(如 --json,而不是 --json=1)。", name=exc.option_name)
    if isinstance(exc, typer.BadParameter):
        return _bad_value(exc, hint)
    if exc.message.startswith("Got unexpected extra argument"):
        return say("多出了参数 {args}。", args=exc.message.rpartition("(")[2].rstrip(")"))
    if exc.message.startswith(_NO_SUCH_COMMAND) and exc.ctx is not None:
        typed = exc.message[len(_NO_SUCH_COMMAND):].strip(" '.")
        close = difflib.get_close_matches(typed, list(getattr(exc.ctx.command, "commands", {})))
        return say("没有命令 {name}。", name=typed) + (
            say("(可能是 {names})", names="、".join(close)) if close else "")
    return exc.format_message()


# why a typed value was refused, by the error typer's conversion (pydantic) names
_WHY = {"int_parsing": "应为整数", "float_parsing": "应为数字", "greater_than_equal": "应不小于 {ge}",
        "greater_than": "应大于 {gt}", "less_than_equal": "应不大于 {le}", "less_than": "应小于 {lt}"}


def _bad_value(exc: Exception, hint: str) -> str:
    """The value typed for `hint`, and why it was refused (the library's words for a reason
    not named in _WHY)."""
    errors = getattr(exc.__cause__, "errors", None)
    first = (errors() or [None])[0] if callable(errors) else None
    why = _WHY.get(first["type"]) if first else None
    if why is None:
        return say("{hint} 的值无效({detail})。", hint=hint, detail=exc.message.rstrip("."))
    return say("{hint} 的值“{value}”无效," + why + "。", hint=hint, value=first["input"],
               **first.get("ctx", {}))


def _hint(exc: Exception) -> str:
    """The option or argument an error is about, as typed: --plan, INBOX..."""
    if getattr(exc, "param_hint", None):
        return exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(exc.param_hint)
    param = getattr(exc, "param", None)
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "option":
        return " / ".join(param.opts)
    return getattr(param, "metavar", None) or param.name.upper()


def show_error(exc: Exception, err) -> None:
    """The usage line, where to find help, and the error: what click's show() says, in Chinese."""
    ctx = exc.ctx
    if isinstance(exc, _HELP_ASKED):
        err.print(exc.format_message(), markup=False, highlight=False)
        return
    if ctx is not None:
        err.print(ctx.get_usage(), markup=False, highlight=False)
        err.print(say("可运行 “{cmd} --help” 查看帮助。", cmd=ctx.command_path), markup=False)
    err.print(say("[red]错误:[/red]") + error_text(exc), highlight=False)
