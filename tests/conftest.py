"""Shared fixtures: a small plan built from the model, and paths to the seeds."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xltools.model import (Group, MatrixColumn, MatrixRow, Plan, Target, Task, TownMatrix, Unit,
                           quarterly)
from xltools.model.errors import settings

ROOT = Path(__file__).resolve().parents[1]
NOFORK_DIR = ROOT / "tests" / "nofork"


def _simulate_nofork() -> bool:
    """XLTOOLS_SIMULATE_NOFORK=1: run as on a platform without fork (tests/nofork), in this
    process and in every process the tests start (PYTHONPATH carries the harness)."""
    if os.environ.get("XLTOOLS_SIMULATE_NOFORK", "").strip() in ("", "0"):
        return False
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if str(NOFORK_DIR) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(NOFORK_DIR), *filter(None, paths)])
    sys.path.insert(0, str(NOFORK_DIR))
    import sitecustomize  # noqa: F401 - the harness, or an already applied one
    return bool(getattr(sitecustomize, "apply", lambda: False)())


SIMULATED_NOFORK = _simulate_nofork()
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX only)")


def with_pythonpath(env: dict, *paths: Path) -> dict:
    """env with `paths` prepended to its PYTHONPATH (keeping the no-fork harness)."""
    old = env.get("PYTHONPATH", "").split(os.pathsep)
    return {**env, "PYTHONPATH": os.pathsep.join([*map(str, paths), *filter(None, old)])}
DATA = ROOT / "tests" / "data"
SEED_000 = DATA / "seed_000_shashi_2019.txt"
SEED_002 = DATA / "seed_002_jingzhou_2020.txt"
EXAMPLE = ROOT / "xltools" / "examples" / "shashi-2019"
# ../shared (seeds, LibreOffice driver, fonts) beside the repository; XLTOOLS_SHARED moves it
SHARED = Path(os.environ.get("XLTOOLS_SHARED") or ROOT.parent / "shared")
SHARED_TOOLS = SHARED / "tools"
FILL = SHARED_TOOLS / "fill_like_user.py"


def fill_batch(jobs: list[dict], base: Path) -> dict:
    """Fill `jobs` (fill_like_user.py's --batch entries) in one LibreOffice start, in `base`;
    its report, every job asserted to have gone through."""
    (base / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(FILL), "--batch", str(base / "jobs.json"),
                           "--report", str(base / "report.json")], capture_output=True, text=True,
                          timeout=300)
    report = json.loads((base / "report.json").read_text(encoding="utf-8"))
    assert [j["code"] for j in report["jobs"]] == [0] * len(jobs), proc.stderr[-2000:]
    return report


def make_small_plan() -> Plan:
    """Three units, two towns, a group, targets and a matrix with one bad total."""
    units = [Unit("区发改局", leader="李先刚", contact="张三", phone="0716-8880001",
                  email="fgj@example.cn"),
             Unit("区财政局", leader="李先刚", aliases=["区财政局(金融办)"]),
             Unit("区人社局", leader="王飞"),
             Unit("锣场镇", kind="镇", aliases=["锣场镇人民政府"], leader="刘俊平"),
             Unit("解放街办", kind="街道", aliases=["解放街道办事处"], leader="刘俊平")]
    groups = [Group("各镇人民政府", ["锣场镇"]), Group("各街道办事处", ["解放街办"]),
              Group("各镇、街道", ["各镇人民政府", "各街道办事处"])]
    tasks = [
        Task("1", "地区生产总值增长8.5%。", ["一、主要工作目标"], "indicator",
             responsible_units=["区发改局", "各镇人民政府", "各街道办事处"],
             targets=[Target("地区生产总值增长", 8.5, "%", growth=True, text="增长8.5%")]),
        Task("2", "新增城镇就业8000人,=SUM(A1) 这段文字必须保持为文本。",
             ["二、主要工作任务", "(一)聚焦民生"], "task", responsible_units=["区人社局"],
             targets=[Target("新增城镇就业", 8000, "人", text="新增城镇就业8000人")]),
        Task("3", "加强政府债务管理。", ["二、主要工作任务", "(一)聚焦民生"], "task",
             lead_units=["区财政局"], responsible_units=["区发改局", "各镇、街道"]),
    ]
    cols = [MatrixColumn("c01", ["农业", "农业总产值"], "万元", 1, True),
            MatrixColumn("c02", ["农业", "增幅"], "%", 1, False),
            MatrixColumn("c03", ["扶贫", "扶贫工作"], "户、人", 2, True),
            MatrixColumn("c04", ["就业", "新增参保"], "人", 2, True)]
    rows = [MatrixRow("全区合计", "total"), MatrixRow("解放街办", "town", "解放街办"),
            MatrixRow("锣场镇", "town", "锣场镇"), MatrixRow("区直及其他", "other")]
    values = {("全区合计", "c01"): "1,000", ("全区合计", "c02"): "3.50%",
              ("全区合计", "c03"): "3户、7人", ("全区合计", "c04"): "500",
              ("解放街办", "c01"): "\\", ("解放街办", "c02"): "\\",
              ("解放街办", "c03"): "1户、2", ("解放街办", "c04"): "200",
              ("锣场镇", "c01"): "600", ("锣场镇", "c02"): "3.2%",
              ("锣场镇", "c03"): "2户、5人", ("锣场镇", "c04"): "200",
              ("区直及其他", "c01"): "400", ("区直及其他", "c02"): "\\",
              ("区直及其他", "c03"): "\\", ("区直及其他", "c04"): "\\"}
    matrix = TownMatrix("2019年各镇、街办经济社会发展目标", cols, rows, values)
    return Plan(title="2019年《政府工作报告》目标任务", year=2019, issuer="区政府督办室",
                doc_number="沙政办发〔2019〕2号", units=units, groups=groups, tasks=tasks,
                matrix=matrix, periods=quarterly(2019))


# Unexpected errors raise in tests, as with --debug (issue 13: fail closed), in module- and
# session-wide fixtures too; a test of what a clerk sees when xltools itself fails is marked
# `as_user` and runs with it off.
settings.debug = True


@pytest.fixture(autouse=True)
def _debug(request, monkeypatch):
    if request.node.get_closest_marker("as_user") is not None:
        monkeypatch.setattr(settings, "debug", False)


@pytest.fixture
def small_plan() -> Plan:
    return make_small_plan()


def office_missing() -> str:
    """Why the office tests cannot run here: no fill_like_user.py, or no LibreOffice with the
    uno bridge ("" when they can)."""
    import subprocess
    if not FILL.is_file():
        return f"{FILL} 不存在: ../shared 不在仓库旁 (可用环境变量 XLTOOLS_SHARED 指定其位置)"
    if not shutil.which("soffice") or not Path("/usr/bin/python3").exists() or subprocess.run(
            ["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode:
        return "LibreOffice (soffice + python3-uno) 未安装: bash ../shared/tools/install.sh"
    return ""


OFFICE_MISSING = office_missing()
needs_office = pytest.mark.skipif(bool(OFFICE_MISSING), reason=OFFICE_MISSING)


def free_port() -> int:
    """A TCP port on the loopback address nothing listens on (for servers tests start)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
