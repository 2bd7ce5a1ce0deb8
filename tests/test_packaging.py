"""Packaging (issue 11): a built wheel, installed in a fresh venv (plainly, and with --prefix as
pip's --user fallback does), runs `xltools demo` from an unrelated folder: the example and
the templates are package data, found through importlib.resources."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from conftest import ROOT

SRC = ("pyproject.toml", "README.md", "xltools")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the working tree gets no build/ folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SRC:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                          "--no-build-isolation", "--no-index", str(src), "-w", str(tmp / "dist")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    [whl] = (tmp / "dist").glob("*.whl")
    return whl


def test_wheel_is_pure_python_with_one_copy_of_each_data_file(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for need in ("xltools/examples/shashi-2019/plan.xlsx", "xltools/templates/report.html.j2",
                 "xltools/templates/催报通知.txt.j2", "xltools/locale/zh_CN/LC_MESSAGES/messages.mo"):
        assert names.count(need) == 1, need
    assert not [n for n in names if ".data/" in n]  # nothing outside the package (share/…)
    assert not [n for n in names if n.endswith((".so", ".pyd"))]
    # one source per file in the tree too: no top-level copies left to drift
    assert not (ROOT / "templates").exists() and not (ROOT / "examples").exists()


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "XLTOOLS_TEMPLATES", "PYTHONHOME")}
    if os.environ.get("XLTOOLS_SIMULATE_NOFORK", "").strip() not in ("", "0"):
        env["PYTHONPATH"] = str(ROOT / "tests" / "nofork")  # keep the harness, not the tree
    return {**env, **extra}


def check_demo(python: Path, script: Path, env: dict, where: Path, site: Path) -> None:
    """Run `xltools demo -o DIR` from an unrelated folder; open what it wrote."""
    where.mkdir()
    probe = subprocess.run([str(python), "-c", "import xltools; print(xltools.__file__)"],
                           capture_output=True, text=True, env=env, cwd=where, timeout=60)
    assert Path(probe.stdout.strip()).is_relative_to(site), probe.stdout + probe.stderr
    res = subprocess.run([str(script), "demo", "-o", "out"], capture_output=True, env=env,
                         cwd=where, timeout=300)
    assert res.returncode == 0, res.stderr.decode("utf-8", "replace")[-2000:]
    out = where / "out"
    books = sorted(p for p in out.rglob("*.xlsx") if not p.name.startswith("~$"))  # demo junk
    forms = [p for p in books if p.name.startswith("季度报表_")]
    assert len(forms) > 100 and (out / "附件1_2019年目标任务分解.xlsx").is_file()
    for p in books:  # every workbook opens and has a visible first sheet
        assert CalamineWorkbook.from_path(str(p)).sheet_names, p
    [summary] = out.rglob("汇总表_2019年第一季度.xlsx")
    assert "按任务汇总" in CalamineWorkbook.from_path(str(summary)).sheet_names
    [html] = out.rglob("汇总报告_2019年第一季度.html")
    text = html.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html") and "<style" in text
    assert "2019年第一季度" in text


def make_venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(path)],
                   check=True, timeout=300)
    return path / "bin" / "python"


def test_installed_wheel_runs_the_demo_from_anywhere(wheel, tmp_path):
    if sys.platform == "win32":
        pytest.skip("the venv layout below is POSIX's")
    py = make_venv(tmp_path / "venv")
    res = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                          str(wheel)], capture_output=True, text=True, env=clean_env(), timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    check_demo(py, tmp_path / "venv" / "bin" / "xltools", clean_env(), tmp_path / "elsewhere",
               site)


def test_prefix_install_runs_the_demo_from_anywhere(wheel, tmp_path):
    if sys.platform == "win32":
        pytest.skip("the prefix layout below is POSIX's")
    py = make_venv(tmp_path / "venv")
    prefix = tmp_path / "prefix"
    res = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                          "--prefix", str(prefix), str(wheel)], capture_output=True, text=True,
                         env=clean_env(), timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    site = Path(sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)}))
    assert (site / "xltools" / "templates" / "report.html.j2").is_file()
    assert not (prefix / "share").exists()  # nothing lands outside the package any more
    env = clean_env(PYTHONPATH=os.pathsep.join(
        filter(None, [str(site), clean_env().get("PYTHONPATH", "")])))
    check_demo(py, prefix / "bin" / "xltools", env, tmp_path / "elsewhere", site)
