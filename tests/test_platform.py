"""Platform independence (issue 11): intake without O_NOFOLLOW/dir_fd, durable commits without
os.sync, LibreOffice found and killed on Windows as on POSIX, Windows path lengths.

The POSIX-only names are removed with monkeypatch, so these run on Linux as Windows would;
tests/nofork runs the whole CLI that way."""
from __future__ import annotations

import errno
import hashlib
import io
import os
import subprocess
import sys
import time
import types
import zipfile
from pathlib import Path

import pytest

from xltools.collect import fsopen, ledger as ledger_mod
from xltools.collect.ledger import Ledger
from xltools.model.returns import Received
from xltools import office
from xltools.xlsx import pdf as pdf_mod
from intake_lists import intake

POSIX_ONLY = ("O_NOFOLLOW", "O_DIRECTORY", "O_CLOEXEC", "O_NONBLOCK")


@pytest.fixture
def windows_os(monkeypatch):
    """os as Windows offers it to intake: none of the POSIX open flags, no dir_fd."""
    for name in POSIX_ONLY:
        monkeypatch.delattr(os, name, raising=False)
    monkeypatch.setattr(os, "supports_dir_fd", set())
    assert not fsopen.descriptors_available()


def xlsx_bytes(text: str) -> bytes:
    """A minimal workbook: enough for intake to type it as xlsx."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", f"<workbook>{text}</workbook>")
    return buf.getvalue()


def make_inbox(root: Path) -> dict[str, bytes]:
    """Files, a nested folder, a zip, a symlink to a file and one to a folder."""
    files = {"a.xlsx": xlsx_bytes("a"), "部门/b.xlsx": xlsx_bytes("b"),
             "部门/深/c.xlsx": xlsx_bytes("c")}
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("d.xlsx", xlsx_bytes("d"))
    (root / "附件.zip").write_bytes(buf.getvalue())
    (root / "link.xlsx").symlink_to(root / "a.xlsx")
    (root / "linkdir").symlink_to(root / "部门", target_is_directory=True)
    return files


def by_code(findings) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in findings:
        out.setdefault(f.code, []).append(f.file)
    return out


# ------------------------------------------------------------------ 1. intake, safe opening

@pytest.mark.parametrize("posix", [True, False], ids=["descriptors", "windows-names"])
def test_intake_walks_a_real_inbox_with_and_without_posix_names(tmp_path, request, posix):
    if posix:
        if not fsopen.descriptors_available():
            pytest.skip("this platform has no O_NOFOLLOW/dir_fd")
    else:
        request.getfixturevalue("windows_os")
    inbox = tmp_path / "in"
    files = make_inbox(inbox)
    received, findings = intake([inbox], tmp_path / "w")
    codes = by_code(findings)
    assert sorted(codes["symlink-skipped"]) == ["in/link.xlsx", "in/linkdir"]
    assert "file-unreadable" not in codes and "folder-unreadable" not in codes
    assert codes["zip-extracted"] == ["in/附件.zip"]
    got = {r.display: r for r in received}
    assert set(got) == {"in/a.xlsx", "in/部门/b.xlsx", "in/部门/深/c.xlsx", "in/附件.zip",
                        "in/附件.zip › d.xlsx"}
    for rel, data in files.items():  # the bytes read are the bytes on disk (no CRLF games)
        rec = got[f"in/{rel}"]
        assert rec.file_type == "xlsx" and rec.sha256 == hashlib.sha256(data).hexdigest()
        assert Path(rec.path).read_bytes() == data


def test_named_file_and_linked_input_folder_are_followed(tmp_path, windows_os):
    """What the user names is followed (a link to the inbox is the inbox); inside, no link is."""
    inbox = tmp_path / "in"
    make_inbox(inbox)
    (tmp_path / "alias").symlink_to(inbox, target_is_directory=True)
    received, findings = intake([tmp_path / "alias", inbox / "a.xlsx"], tmp_path / "w")
    names = sorted(r.display for r in received)  # a folder is shown by its real name
    assert "a.xlsx" in names and "in/部门/深/c.xlsx" in names
    assert sorted(by_code(findings)["symlink-skipped"]) == ["in/link.xlsx", "in/linkdir"]


def test_reparse_points_are_refused_like_links(tmp_path, windows_os, monkeypatch):
    """A junction is no symlink to Python but carries FILE_ATTRIBUTE_REPARSE_POINT."""
    inbox = tmp_path / "in"
    make_inbox(inbox)
    (inbox / "junction").mkdir()
    (inbox / "junction" / "e.xlsx").write_bytes(xlsx_bytes("e"))
    (inbox / "placeholder.xlsx").write_bytes(xlsx_bytes("p"))  # a cloud placeholder, say
    real_lstat = os.lstat

    def lstat(path, *a, **k):
        st = real_lstat(path, *a, **k)
        if os.path.basename(path) in ("junction", "placeholder.xlsx"):
            return types.SimpleNamespace(st_mode=st.st_mode, st_ino=st.st_ino, st_dev=st.st_dev,
                                         st_file_attributes=0x400)
        return st

    monkeypatch.setattr(os, "lstat", lstat)
    received, findings = intake([inbox], tmp_path / "w")
    skipped = by_code(findings)["symlink-skipped"]
    assert {"in/junction", "in/placeholder.xlsx"} <= set(skipped)
    assert not any("junction" in r.display or "placeholder" in r.display for r in received)


def test_a_file_swapped_between_lstat_and_open_is_refused(tmp_path, windows_os, monkeypatch):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "victim.xlsx").write_bytes(xlsx_bytes("v"))
    other = tmp_path / "elsewhere.xlsx"
    other.write_bytes(xlsx_bytes("o"))
    real_lstat = os.lstat
    # lstat saw another file than the one open() then got: a link swapped in between
    monkeypatch.setattr(os, "lstat", lambda p, *a, **k: real_lstat(
        other if os.path.basename(p) == "victim.xlsx" else p, *a, **k))
    received, findings = intake([inbox], tmp_path / "w")
    assert received == []
    assert by_code(findings) == {"file-changed-while-reading": ["in/victim.xlsx"]}


@pytest.mark.as_user  # (a bug such as the AttributeError is shown to the clerk as one line)
@pytest.mark.parametrize("exc,blames_permissions", [
    (PermissionError(errno.EACCES, "Permission denied"), True),
    (OSError(errno.EIO, "Input/output error"), False),
    (AttributeError("module 'os' has no attribute 'O_NOFOLLOW'"), False),
])
def test_unreadable_message_blames_permissions_only_when_they_are_the_cause(
        tmp_path, monkeypatch, exc, blames_permissions):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(xlsx_bytes("a"))

    def failing(*a, **k):
        raise exc

    monkeypatch.setattr(fsopen, "open_file", failing)
    _, findings = intake([inbox], tmp_path / "w")
    [f] = findings
    assert (f.code, f.file) == ("file-unreadable", "in/a.xlsx")
    assert ("权限" in f.message) is blames_permissions
    if isinstance(exc, AttributeError):
        assert "程序内部错误 AttributeError" in f.message and "--debug" in f.message


def test_is_link_reads_windows_attributes():
    plain = types.SimpleNamespace(st_mode=0o100644, st_file_attributes=0x20)
    reparse = types.SimpleNamespace(st_mode=0o100644, st_file_attributes=0x420)
    posix = types.SimpleNamespace(st_mode=0o120777)
    assert [fsopen.is_link(s) for s in (plain, reparse, posix)] == [False, True, True]


# ------------------------------------------------------------------ 2. durable commits

def archived_run(tmp_path: Path, n: int) -> tuple[Ledger, list[Received]]:
    src = tmp_path / "src"
    src.mkdir()
    recs = []
    for i in range(n):
        data = xlsx_bytes(f"file {i}")
        p = src / f"{i:03d}.xlsx"
        p.write_bytes(data)
        recs.append(Received(path=str(p), display=p.name, name=p.name,
                             sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                             received_at="2019-04-08T09:00:00", file_type="xlsx"))
    return Ledger(tmp_path / "台账.sqlite"), recs


def test_commit_without_os_sync_fsyncs_every_archived_file(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "sync", raising=False)
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(os.path.realpath(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    ledger, recs = archived_run(tmp_path, 40)  # > 32: where os.sync exists, one sync() instead
    with ledger:
        ledger.begin("plan", "2019Q1")
        paths = [ledger.archive(r) for r in recs]
        synced.clear()  # SQLite's own fsyncs so far are not ours
        ledger.commit()
    archived = {os.path.realpath(p) for p in paths}
    assert len(archived) == 40 and archived <= set(synced)
    assert {os.path.realpath(p.parent) for p in paths} <= set(synced)  # POSIX: folders too
    for p, r in zip(paths, recs):
        assert hashlib.sha256(Path(p).read_bytes()).hexdigest() == r.sha256


def test_on_windows_files_are_fsynced_and_folders_are_not(tmp_path, monkeypatch):
    ledger, recs = archived_run(tmp_path, 3)
    with ledger:
        ledger.begin("plan", "2019Q1")
        for r in recs:
            ledger.archive(r)
        calls: list[Path] = []
        monkeypatch.setattr(ledger_mod, "_fsync", calls.append)
        monkeypatch.setattr(ledger_mod.os, "name", "nt")
        ledger._sync_archive()
        monkeypatch.undo()
        ledger.commit()
    assert sorted(calls) == sorted(ledger.archive_path(r) for r in recs)
    assert not any(p.is_dir() for p in calls)


# ------------------------------------------------------------------ 3. LibreOffice

def test_soffice_found_at_the_usual_windows_install_paths(tmp_path, monkeypatch):
    monkeypatch.setattr(office.shutil, "which", lambda name: None)  # not on PATH
    monkeypatch.setattr(office.sys, "platform", "win32")
    for var in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)", "LOCALAPPDATA"):
        monkeypatch.setenv(var, str(tmp_path / var))
    assert office.find_soffice() is None
    x86 = tmp_path / "ProgramFiles(x86)" / "LibreOffice" / "program" / "soffice.exe"
    x86.parent.mkdir(parents=True)
    x86.write_bytes(b"MZ")  # not executable on Linux: Windows has no X bit to check
    assert office.find_soffice() == str(x86)
    user = tmp_path / "LOCALAPPDATA" / "Programs" / "LibreOffice" / "program" / "soffice.exe"
    user.parent.mkdir(parents=True)
    user.write_bytes(b"MZ")
    main = tmp_path / "ProgramFiles" / "LibreOffice" / "program" / "soffice.exe"
    main.parent.mkdir(parents=True)
    main.write_bytes(b"MZ")
    assert office.find_soffice() == str(main)  # the 64-bit per-machine install first
    monkeypatch.setattr(office.shutil, "which", lambda name: r"D:\LO\soffice.exe")
    assert office.find_soffice() == r"D:\LO\soffice.exe"  # PATH wins


FAKE_SOFFICE = """#!{python}
import subprocess, sys, time
kid = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open({pidfile!r}, "w").write(str(kid.pid))
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("killpg", [True, False], ids=["killpg", "no-killpg"])
def test_a_hung_soffice_is_killed_with_its_children(tmp_path, monkeypatch, killpg):
    if not killpg:
        monkeypatch.delattr(os, "killpg", raising=False)
    elif not hasattr(os, "killpg"):
        pytest.skip("no os.killpg here")
    pidfile = tmp_path / "child.pid"
    exe = tmp_path / "soffice"
    exe.write_text(FAKE_SOFFICE.format(python=sys.executable, pidfile=str(pidfile)))
    exe.chmod(0o755)
    monkeypatch.setattr(pdf_mod, "START_SECONDS", 8.0)  # room for a loaded machine
    monkeypatch.setattr(pdf_mod, "PER_FILE_SECONDS", 0.0)
    book = tmp_path / "a.xlsx"
    book.write_bytes(xlsx_bytes("a"))
    res = pdf_mod.to_pdf([book], soffice=str(exe))
    assert [why for _, why in res.failed] == ["LibreOffice 转换超时(8 秒)"]
    child = int(pidfile.read_text())
    for _ in range(100):  # SIGKILL is delivered asynchronously
        if not _alive(child):
            break
        time.sleep(0.05)
    assert not _alive(child)


def test_windows_kill_uses_taskkill_on_the_tree(monkeypatch):
    calls = []
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    monkeypatch.setattr(office.sys, "platform", "win32")
    real_run = subprocess.run
    monkeypatch.setattr(office.subprocess, "run", lambda cmd, **k: calls.append(cmd))
    try:
        office._kill(proc)
    finally:
        monkeypatch.setattr(office.subprocess, "run", real_run)
    assert calls == [["taskkill", "/F", "/T", "/PID", str(proc.pid)]]
    assert proc.poll() is not None  # and the process itself is gone whatever taskkill did


# ------------------------------------------------------------------ 4. Windows path lengths

LONG = "荆州市沙市区经济社会发展和改革创新工作领导小组办公室暨区发展和改革局"  # 33 characters


def long_name_plan():
    from xltools.model import Plan, Task, Unit, quarterly
    units = [Unit(LONG + "第一分局"), Unit(LONG + "第二分局"), Unit("区财政局")]
    tasks = [Task("1", "加强政府债务管理。", ["一、主要工作任务"], "task",
                  responsible_units=[u.name for u in units])]
    return Plan(title="2019年《政府工作报告》目标任务", year=2019, issuer="区政府督办室",
                units=units, tasks=tasks, periods=quarterly(2019))


def deep_folder(tmp_path: Path, length: int) -> Path:
    """A folder whose absolute path has `length` characters."""
    return tmp_path / ("o" * (length - len(str(tmp_path)) - 1))


def test_everything_written_fits_windows_paths_for_a_120_character_folder(tmp_path):
    import random

    from xltools import api
    from xltools.sheet.blocks import OUT_DIR_MAX, WINDOWS_PATH_MAX, safe_filename, shortened
    from xltools.planfile import save_plan
    from xltools.simulate import fill_report, write_received
    from xltools.xlsx.writer import workbook_bytes

    plan = long_name_plan()
    out = deep_folder(tmp_path, OUT_DIR_MAX)
    assert len(str(out)) == OUT_DIR_MAX
    gen = api.generate(plan, out / "报表", ["2019Q1"], workers=1)
    forms = {wf.unit: wf.path for wf in gen.files if wf.kind == "report"}
    long_units = [u.name for u in plan.units[:2]]
    # deterministic and distinct, the head kept; the short name untouched; each one said
    assert forms[long_units[0]] != forms[long_units[1]]
    assert all(shortened(forms[u].name) and forms[u].name.startswith("季度报表_2019年第一季度_荆州市")
               for u in long_units)
    assert forms["区财政局"].name == "季度报表_2019年第一季度_区财政局.xlsx"
    notices = [(f.code, f.unit) for f in gen.findings if f.code == "file-name-shortened"]
    assert sorted(u for _, u in notices if u in long_units) == sorted(long_units)
    assert safe_filename(f"季度报表_2019年第一季度_{long_units[0]}") == forms[long_units[0]].name

    period = plan.period("2019Q1")
    inbox = out / "回收"
    for i, unit in enumerate(plan.units):  # each unit returns its form with one mistake
        data = workbook_bytes(fill_report(plan, unit.name, period, random.Random(i), "bad-status"))
        write_received(inbox / safe_filename(f"{unit.name}{period.name}报表"), data,
                       "2019-04-05T09:00:00")
    plan_file = out / "plan.yaml"
    save_plan(plan, plan_file)
    rep = api.collect([inbox], plan_file, "2019Q1", out / "汇总" / period.name,
                      out / "台账.sqlite", workers=1)
    units_back = {f.unit for f in rep.files if f.status == "accepted"}
    assert units_back == {u.name for u in plan.units}
    assert len(rep.feedback) == 3  # 反馈/<unit>/…_退回修改.xlsx, one per unit
    assert sum(1 for p in rep.feedback if any(shortened(part) for part in p.parts)) == 2
    from rich.console import Console

    from xltools import terminal
    screen = Console(file=io.StringIO(), width=200)
    terminal.collect_summary(screen, rep)
    assert "其中 2 个文件或文件夹的名称过长\uff0c已缩短" in screen.file.getvalue()
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written and len(written) > 10
    # every path, and the .<name>.part each workbook is first written as, fits in 259
    longest = max(len(str(p)) + len(".part") + 1 for p in written)
    assert longest <= WINDOWS_PATH_MAX, max(written, key=lambda p: len(str(p)))


def test_stale_run_folders_go_and_running_ones_stay(tmp_path, monkeypatch):
    """A killed run's private folder is removed and a running one's kept. Whether the process
    exists is psutil's to say: os.kill(pid, 0) would, on Windows, send CTRL_C_EVENT to that
    process group (and fail for any other pid, so no folder would ever go)."""
    from xltools.collect import run as run_mod
    monkeypatch.setattr(run_mod.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        for pid in (dead.pid, live.pid):
            (tmp_path / f"{run_mod.WORKDIR_PREFIX}{pid}-x").mkdir()
        run_mod._clean_stale_workdirs()
        left = sorted(p.name for p in tmp_path.iterdir())
    finally:
        live.kill()
        live.wait()
    assert left == [f"{run_mod.WORKDIR_PREFIX}{live.pid}-x"]


def test_an_archive_entry_that_cannot_go_stops_no_other_clean_up(tmp_path):
    """Orphaned archive copies go even beside a stray folder in the same two-letter folder
    (before, the first failed unlink ended the clean-up of that folder on every run)."""
    with Ledger(tmp_path / "ledger.db") as led:
        top = led.archive_dir / "ab"
        top.mkdir(parents=True)
        (top / "a-stray-folder").mkdir()
        for name in ("ab01.xlsx", "ab02.xlsx"):
            (top / name).write_bytes(b"x")
        led.begin("plan", "2019Q1")
        led.rollback()
    assert sorted(p.name for p in top.iterdir()) == ["a-stray-folder"]
