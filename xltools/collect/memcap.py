"""Memory caps for the worker processes that read received files, on every platform.

* Linux: each worker caps its own address space (RLIMIT_AS, cap_memory): a runaway
  allocation fails inside the worker, which dies.
* Windows: the collect process puts each worker in its own Job Object with a per-process
  memory limit (allocations past it fail) that also kills the worker when collect dies.
* elsewhere, or where that fails: a thread of the collect process samples each worker's
  resident memory (psutil) and kills the worker past the limit.
* psutil is a dependency (run.py imports it), so one of these always applies.
"""
from __future__ import annotations

import contextlib
import sys
import threading

import psutil

from ..parallel import pool_processes

try:
    import resource
except ImportError:  # not POSIX (Windows): the collect process guards its workers instead
    resource = None

SAMPLE_SECONDS = 0.05  # how often the watching thread looks at the workers' memory


def _vm_size() -> int:
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def mode() -> str:
    """How workers' memory is capped here: "rlimit", "job" or "watch"."""
    if resource is not None and _vm_size():
        return "rlimit"  # (macOS has `resource` but does not enforce RLIMIT_AS)
    return "job" if sys.platform == "win32" else "watch"


def cap_memory(extra_bytes: int) -> None:
    """Limit this process's address space to its present size + extra_bytes (where it can)."""
    base = _vm_size()
    if not base or resource is None:
        return
    cap = base + extra_bytes
    with contextlib.suppress(ValueError, OSError):
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def no_core_file() -> None:
    """A crashed reader leaves no core file (POSIX; nothing to do elsewhere)."""
    if resource is not None:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class PoolGuard:
    """While open, caps the memory of every worker of a ProcessPoolExecutor from the
    parent ("job" and "watch" modes; "rlimit" workers cap themselves)."""

    def __init__(self, pool, extra_bytes: int, how: str):
        self.pool, self.extra, self.how = pool, extra_bytes, how
        self.killed: set[int] = set()  # pids this guard killed for their memory
        self._seen: dict[int, tuple | None] = {}  # pid -> (psutil.Process, limit) to sample
        self._jobs: list = []
        self._stop = threading.Event()
        self._thread = None
        if self.how in ("job", "watch"):
            self._thread = threading.Thread(target=self._run, name="xltools-memory-guard",
                                            daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop watching; closing the job handles ends any worker still in them."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for job in self._jobs:
            with contextlib.suppress(ImportError, OSError, AttributeError):
                import ctypes
                ctypes.WinDLL("kernel32").CloseHandle(job)
        self._jobs.clear()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            try:  # (the pool's own thread may be adding a worker right now)
                procs = pool_processes(self.pool)
            except RuntimeError:
                continue
            for pid in procs:
                if pid not in self._seen:
                    self._seen[pid] = self._adopt(pid)
                if (watched := self._seen[pid]) is not None:
                    proc, limit = watched
                    with contextlib.suppress(psutil.Error):
                        if proc.memory_info().rss > limit:
                            proc.kill()
                            self.killed.add(pid)

    def _adopt(self, pid: int):
        """Start capping a new worker: its Job Object, or a psutil handle to sample."""
        try:
            proc = psutil.Process(pid)
            base = proc.memory_info().rss
        except psutil.Error:
            return None
        if self.how == "job":
            job = _win_job(pid, base + self.extra)
            if job is not None:
                self._jobs.append(job)
                return None  # Windows enforces the limit itself
        return proc, base + self.extra


# -- Windows Job Objects (ctypes; written to the documented API, not run on Windows here) ----
def _win_job(pid: int, limit: int):
    """A Job Object holding process pid, limiting its committed memory to `limit` bytes and
    killing it when the job's last handle (ours) closes; None when that fails."""
    try:
        import ctypes
        from ctypes import wintypes
        k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    except (ImportError, OSError, AttributeError):
        return None

    class Basic(ctypes.Structure):
        _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64),
                    ("PerJobUserTimeLimit", ctypes.c_int64), ("LimitFlags", wintypes.DWORD),
                    ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t),
                    ("ActiveProcessLimit", wintypes.DWORD), ("Affinity", ctypes.c_size_t),
                    ("PriorityClass", wintypes.DWORD), ("SchedulingClass", wintypes.DWORD)]

    class Extended(ctypes.Structure):
        _fields_ = [("BasicLimitInformation", Basic), ("IoInfo", ctypes.c_ulonglong * 6),
                    ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                    ("PeakProcessMemoryUsed", ctypes.c_size_t),
                    ("PeakJobMemoryUsed", ctypes.c_size_t)]

    k32.CreateJobObjectW.restype = wintypes.HANDLE
    k32.OpenProcess.restype = wintypes.HANDLE
    k32.SetInformationJobObject.argtypes = [wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p,
                                            wintypes.DWORD]
    k32.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
    k32.CloseHandle.argtypes = [wintypes.HANDLE]
    job = k32.CreateJobObjectW(None, None)
    if not job:
        return None
    info = Extended()
    info.BasicLimitInformation.LimitFlags = 0x0100 | 0x2000  # PROCESS_MEMORY | KILL_ON_JOB_CLOSE
    info.ProcessMemoryLimit = limit
    proc = k32.OpenProcess(0x0100 | 0x0001, False, pid)  # PROCESS_SET_QUOTA | PROCESS_TERMINATE
    ok = bool(proc) and bool(k32.SetInformationJobObject(job, 9, ctypes.byref(info),
                                                         ctypes.sizeof(info)))
    ok = ok and bool(k32.AssignProcessToJobObject(job, proc))
    if proc:
        k32.CloseHandle(proc)
    if not ok:
        k32.CloseHandle(job)
        return None
    return job
