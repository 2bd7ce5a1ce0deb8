"""One error hierarchy: what stops a command, each with a Chinese message for the user.

The CLI and the desk catch XltoolsError and show its message; anything else is a bug and
is reported as an unexpected error, or a finding where it concerns one file (with --debug,
settings.debug, it raises).
"""
from __future__ import annotations

from types import SimpleNamespace


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


class TemplateError(XltoolsError):
    """A clerk's template (notice, reminder, Word body) that is missing or has an error."""


class ExampleMissing(XltoolsError):
    """The bundled example is not installed (an incomplete installation)."""


# Process-wide switches, set once by the entry point (cli --debug, tests) and handed to
# worker processes by parallel.worker_start. debug: unexpected errors raise instead of
# becoming a finding or one line.
settings = SimpleNamespace(debug=False)


__all__ = ["XltoolsError", "PlanFileError", "PeriodError", "LedgerError", "LedgerMissing",
           "LedgerBusy", "FileChanged", "OutputError", "InputError", "TemplateError",
           "ExampleMissing", "settings"]
