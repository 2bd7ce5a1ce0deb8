"""One error hierarchy: what stops a command, each with a Chinese message for the user.

The CLI and the desk catch XltoolsError and show its message; anything else is a bug and
is reported as an unexpected error, or a finding where it concerns one file (with --debug,
settings.debug, it raises).
"""
from __future__ import annotations

from types import SimpleNamespace

from .glossary import official_text


class XltoolsError(Exception):
    """Something stops the command; str(error) is the Chinese message for the user."""


class PlanFileError(XltoolsError):
    """A plan file that cannot be read or used (missing, wrong type, unreadable, no plan)."""


class PeriodError(XltoolsError):
    """A reporting period the plan does not have."""


class LedgerError(XltoolsError):
    """Something about the ledger stops the program."""


class LedgerMissing(LedgerError):
    """No ledger at the path given (collect has not run yet)."""


class LedgerBusy(LedgerError):
    """Another collect holds the ledger's write lock longer than we were willing to wait."""


class FileChanged(LedgerError):
    """The bytes at a received file's path no longer hash to what intake saw."""


class OutputError(XltoolsError):
    """The output folder cannot be written (or belongs to another ledger)."""


class InputError(XltoolsError):
    """An input path that does not exist (checked before anything is recorded)."""


class DeskError(XltoolsError):
    """The desk cannot start (its port is taken: most often, it is running already)."""


class TemplateError(XltoolsError):
    """A clerk's template (notice, reminder, Word body) that is missing or has an error."""


class ExampleMissing(XltoolsError):
    """The bundled example is not installed (an incomplete installation)."""


# Process-wide switches, set once by the entry point (cli --debug, tests) and handed to
# worker processes by parallel.worker_start. debug: unexpected errors raise instead of
# becoming a finding or one line.
settings = SimpleNamespace(debug=False)


def internals(e: BaseException) -> str:
    """A library's own words about a failure, for the maintainer only (--debug); ""
    otherwise: users read Chinese, not a reader's error."""
    return f"({type(e).__name__}: {e})"[:300] if settings.debug else ""


def file_open_problem(exc: OSError) -> str:
    """Why a file could not be opened, in the clerk's words: most often another program
    (Excel, WPS, Word) has it open, which Windows refuses."""
    if isinstance(exc, PermissionError):
        return official_text("文件无法打开:可能正被其他程序(如 Excel、WPS、Word)打开,或没有读取"
                             "权限。请关闭该文件后重试") + internals(exc)
    return official_text("文件无法读取({why})", why=exc.strerror or type(exc).__name__) \
        + internals(exc)


def data_file_problem(exc: BaseException) -> str:
    """Why a YAML or JSON file could not be read, in the clerk's words (where it stopped)."""
    if isinstance(exc, OSError):
        return file_open_problem(exc)
    if isinstance(exc, UnicodeDecodeError):
        return official_text("文件不是 UTF-8 编码的文本,请用记事本“另存为”UTF-8 编码") + internals(exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)  # yaml's
    line = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)  # json's
    if line is not None:
        return official_text("格式有误,在第 {line} 行附近", line=line) + internals(exc)
    return official_text("内容无法识别") + internals(exc)

