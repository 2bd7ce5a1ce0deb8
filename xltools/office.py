"""LibreOffice as a program: where soffice is, and running it with its whole process tree
killed on timeout, on Windows as on POSIX.

Below every stage: the parser converts .doc/.wps with it, xlsx.pdf prints workbooks with it.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

_CANDIDATES = ("/usr/bin/soffice", "/usr/local/bin/soffice", "/opt/libreoffice/program/soffice",
               "/Applications/LibreOffice.app/Contents/MacOS/soffice")
# Windows: the install folders (per machine, 64/32-bit; per user without admin rights), found
# through the environment so a D: system drive works; the usual C: paths when it is unset
_WIN_ROOTS = (("ProgramFiles", r"C:\Program Files"), ("ProgramW6432", r"C:\Program Files"),
              ("ProgramFiles(x86)", r"C:\Program Files (x86)"), ("LOCALAPPDATA", ""))
_WIN_TAIL = ("LibreOffice", "program", "soffice.exe")


def find_soffice() -> str | None:
    """The soffice executable on PATH or in a usual install place; None if there is none."""
    windows = sys.platform == "win32"
    installed = (cand for cand in (_windows_candidates() if windows else _CANDIDATES)
                 if os.path.isfile(cand) and (windows or os.access(cand, os.X_OK)))
    return shutil.which("soffice") or shutil.which("libreoffice") or next(installed, None)


def _windows_candidates() -> list[str]:
    """soffice.exe in each Windows install folder, per machine first."""
    cands = [os.path.join(root, *(("Programs", *_WIN_TAIL) if var == "LOCALAPPDATA" else _WIN_TAIL))
             for var, default in _WIN_ROOTS if (root := os.environ.get(var) or default)]
    return list(dict.fromkeys(cands))


def run_soffice(cmd: list[str], timeout: float) -> tuple[int | None, str | None]:
    """Run one soffice command: (exit code, output tail); (None, None) when it timed out and
    its whole process tree was killed, (None, why) when it could not start."""
    kwargs: dict = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "stdin": subprocess.DEVNULL}
    if sys.platform == "win32":  # no console window; its own group, for taskkill /T
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW
    else:
        kwargs["start_new_session"] = True  # soffice forks soffice.bin: kill the whole group
    try:
        proc = subprocess.Popen(cmd, **kwargs)
    except OSError as exc:
        return None, f"无法启动 LibreOffice:{exc}"
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        return None, None
    return proc.returncode, out.decode("utf-8", "replace")[-400:].strip()


def _kill(proc: subprocess.Popen) -> None:
    """Kill soffice and every process it started (soffice.bin, and what that started).

    The descendants are listed first while the tree is intact; then the tree goes: taskkill
    /T on Windows, the process group on POSIX (soffice was started in a session of its own);
    then each listed descendant, for one that left the group or outlived its parent.
    """
    import psutil  # (a dependency, imported when needed: every command imports this module)
    try:
        descendants = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:  # the process is already gone
        descendants = []
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        if sys.platform == "win32":
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30,
                           creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        elif hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        elif os.name == "posix":  # the same on POSIX: a negative pid names the group
            os.kill(-proc.pid, signal.SIGKILL)
    for child in descendants:
        with contextlib.suppress(psutil.Error):  # NoSuchProcess and kin: already gone
            child.kill()
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.communicate(timeout=10)


CONVERT_TIMEOUT = 180  # seconds; a first start of LibreOffice can be slow


def docx_converter():
    """A converter of .doc/.wps (and the like) to .docx through LibreOffice, for the parser;
    None when LibreOffice is not installed."""
    exe = find_soffice()
    if not exe:
        return None

    def convert(path: Path, workdir: Path) -> Path | None:
        profile = (workdir / "profile").as_uri()  # a private profile: no clash with an open one
        run_soffice([exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
                     "--outdir", str(workdir), str(path)], CONVERT_TIMEOUT)
        out = workdir / (path.stem + ".docx")
        return out if out.exists() else None
    return convert
