"""intake_run's received files and findings as two lists, for tests that look at nothing else."""
from pathlib import Path

from xltools.collect.intake import intake_run
from xltools.collect.limits import Limits


def intake(inputs: list[Path], workdir: Path, limits: Limits = Limits()) -> tuple[list, list]:
    """(received, findings) of intake_run without a password, stat cache or own files."""
    res = intake_run(inputs, workdir, limits)
    return res.received, res.findings
