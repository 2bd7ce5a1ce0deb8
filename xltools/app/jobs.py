"""Long work in the background: one thread per job, one job at a time per campaign.

The job is kept on its campaign, so a reload or a second tab shows the same one; its
progress comes from the api's progress(done, total) callbacks.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from starlette.exceptions import HTTPException

from ..model.errors import XltoolsError
from ..model.glossary import FW_COMMA, official_marks

LOG = logging.getLogger("xltools.app")
BUSY = official_marks("本计划正有一项工作(生成或回收)在进行,请稍候再试。")
RUNNING, DONE, FAILED = "running", "done", "failed"


@dataclass
class Job:
    """What a job page shows: its label, counts, state, and where to go when it is done."""

    label: str
    next_url: str
    state: str = RUNNING
    done: int = 0
    total: int = 0
    error: str = ""
    result: dict = field(default_factory=dict)
    started: float = field(default_factory=time.time)

    def progress(self, done: int, total: int) -> None:
        """The api's progress callback (called from the worker thread)."""
        self.done, self.total = done, total

    def to_json(self) -> dict:
        return {"label": self.label, "state": self.state, "done": self.done, "total": self.total,
                "error": self.error, "next": self.next_url, "result": self.result,
                "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))}


def unexpected(log_path) -> str:
    """The one line shown for an error nobody foresaw (its details are in the log)."""
    return f"发生意外错误{FW_COMMA}详细信息已记入日志“{log_path}”{FW_COMMA}请提供给系统维护人员。"


def start(campaign, label: str, next_url: str, work: Callable[[Job], dict], log_path) -> Job:
    """Run work(job) in a new thread holding the campaign's lock; 409 while another runs.
    An XltoolsError (one the clerk can act on) becomes its one-line message; any other is
    logged and said in one line."""
    if not campaign.lock.acquire(blocking=False):
        raise HTTPException(409, BUSY)
    job = campaign.job = Job(label, next_url)

    def run() -> None:
        try:
            job.result = work(job) or {}
            job.state = DONE
        except XltoolsError as exc:
            job.error, job.state = " ".join(str(exc).split()), FAILED
        except Exception:  # noqa: BLE001 - a job never dies silently: logged, one line shown
            LOG.exception("job %s of %s", label, campaign.name)
            job.error, job.state = unexpected(log_path), FAILED
        finally:
            campaign.lock.release()
    try:
        threading.Thread(target=run, name=f"xltools-job-{campaign.name}", daemon=True).start()
    except BaseException:  # no thread (the system's limit): the campaign must not stay locked
        campaign.lock.release()
        raise
    return job
