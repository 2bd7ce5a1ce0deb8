"""Console encodings (issue 11): on a GBK or cp437 console (Python on Chinese Windows writes
redirected output in the locale code page), --json output is still UTF-8 and human output
replaces what the console cannot show instead of crashing."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, ROOT, with_pythonpath

ENCODINGS = ["gbk", "cp437"]


def xltools(args: list[str], cwd: Path, encoding: str, stdout: Path) -> subprocess.CompletedProcess:
    """The CLI as a clerk runs it, stdout redirected to a file (`> out.json`)."""
    env = with_pythonpath({**os.environ, "PYTHONIOENCODING": encoding}, ROOT)
    env.pop("PYTHONUTF8", None)
    with open(stdout, "wb") as f:
        return subprocess.run([sys.executable, "-m", "xltools.cli", *map(str, args)], cwd=cwd,
                              env=env, stdout=f, stderr=subprocess.PIPE, timeout=300)


def utf8_json(path: Path):
    return json.loads(path.read_bytes().decode("utf-8"))  # strict: not GBK, not escaped away


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_parse_json_is_utf8_and_plain_parse_does_not_crash(tmp_path, encoding):
    notice = EXAMPLE / "notice.txt"
    res = xltools(["parse", notice, "--units", EXAMPLE / "units.yaml", "--json"], tmp_path,
                  encoding, tmp_path / "out.json")
    assert res.returncode == 0, res.stderr.decode(encoding, "replace")
    data = utf8_json(tmp_path / "out.json")
    assert "沙市" in json.dumps(data, ensure_ascii=False)
    res = xltools(["parse", notice, "-o", tmp_path / "plan.xlsx"], tmp_path, encoding,
                  tmp_path / "out.txt")
    assert res.returncode == 0, res.stderr.decode(encoding, "replace")
    text = (tmp_path / "out.txt").read_bytes().decode(encoding)  # the console's own code page
    assert text.strip() and (tmp_path / "plan.xlsx").is_file()
    if encoding == "cp437":  # no Chinese at all in cp437: replaced, not fatal
        assert "?" in text


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """`xltools demo` on a GBK console: exit 0, and an inbox for the collect test."""
    out = tmp_path_factory.mktemp("demo")
    res = xltools(["demo", "-o", out / "d"], out, "gbk", out / "demo.txt")
    assert res.returncode == 0, res.stderr.decode("gbk", "replace")
    assert (out / "demo.txt").read_bytes().decode("gbk").strip()
    return out / "d"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_collect_json_is_utf8(tmp_path, demo_dir, encoding):
    inbox = next((demo_dir / "回收").iterdir())
    res = xltools(["collect", inbox, "--plan", EXAMPLE / "plan.xlsx", "--period", "2019Q1",
                   "-o", tmp_path / "out", "--db", tmp_path / "台账.sqlite", "--json"],
                  tmp_path, encoding, tmp_path / "out.json")
    assert res.returncode in (0, 1), res.stderr.decode(encoding, "replace")
    data = utf8_json(tmp_path / "out.json")
    assert data["period"] == "2019Q1" and data["files"]
    assert any(" \u203a " in f["path"] for f in data["files"])  # "附件.zip › 成员": not GBK
    assert Path(data["html"]).is_file()


def test_demo_human_output_on_a_gbk_console(demo_dir):
    text = (demo_dir.parent / "demo.txt").read_bytes().decode("gbk")
    assert "汇总表" in text and "台账" in text  # Rich's tables and lines, in the console's code page
