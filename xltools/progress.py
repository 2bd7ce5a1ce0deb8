"""Progress reporting: the api calls `progress(done, total)`; the CLI shows it with Rich.

The api functions take an optional `progress: ProgressFn | None` and call it with counts
that only grow (0 first, `total` last). Nothing in the api imports Rich.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

ProgressFn = Callable[[int, int], None]


def tick(progress: ProgressFn | None, done: int, total: int) -> None:
    """Call `progress` if there is one (so callers need no `if`)."""
    if progress is not None:
        progress(done, total)


@contextmanager
def rich_progress(console, label: str, enabled: bool = True) -> Iterator[ProgressFn | None]:
    """A Rich bar with "done/total" counts on `console`, or None when not `enabled`
    (not a terminal, --quiet, --json): then the api is called without a callback."""
    if not enabled:
        yield None
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True)
    task = bar.add_task(label, total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)
