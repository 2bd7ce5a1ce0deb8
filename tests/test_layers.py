"""Import direction (issue 13): each layer imports only the layers beneath it, and the package
imports only its declared runtime dependencies. Read statically with ast, so imports inside
functions, under TYPE_CHECKING and through importlib.import_module count too."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = "xltools"
ENTRY = ("api", "cli", "app", "__main__")
# the stages, the layers beneath them and the helper modules: everything but the entry points
BELOW_ENTRY = tuple(sorted({PACKAGE if p.stem == "__init__" else p.stem
                            for p in (ROOT / PACKAGE).iterdir()
                            if p.suffix == ".py" or (p / "__init__.py").is_file()} - set(ENTRY)))
# rule: (the layers it binds, the layers they may import besides their own or None for any but
# the banned ones, the banned ones). A layer is the name below xltools: a subpackage or a module.
RULES = {
    "model imports nothing of the package": (("model",), (), ()),
    "office imports nothing of the package": (("office",), (), ()),
    "parse imports only model": (("parse",), ("model",), ()),
    "sheet imports only model": (("sheet",), ("model",), ()),
    # the Excel boundary may run LibreOffice (xlsx.pdf): office.py is a leaf that imports nothing
    "xlsx imports only model, sheet and the office runner": (("xlsx",), ("model", "sheet", "office"), ()),
    "forms imports only model and sheet": (("forms",), ("model", "sheet"), ()),
    "no stage imports api or cli": (BELOW_ENTRY, None, ("api", "cli")),
    # the desk is a thin layer over api, below the command line
    "app imports api, never cli": (("app",), None, ("cli",)),
}
# rules that still fail on this branch, with their violators (the lead flips them after merging)
XFAIL: dict[str, str] = {}
# runtime dependencies the package does not import itself: who does
INDIRECT = {"python-multipart": "starlette's form uploads",
            "itsdangerous": "starlette's SessionMiddleware (the desk's sessions)"}


def module_names(root: Path) -> dict[str, Path]:
    """Dotted name of every module under root/PACKAGE (a package by its __init__)."""
    out = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imported(node: ast.AST, name: str, is_pkg: bool) -> list[str]:
    """Module names one node imports (relative ones resolved; from-imports as the module, or
    the submodule when the name is one)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            here = name.split(".") if is_pkg else name.split(".")[:-1]
            base = ".".join(here[:len(here) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        return [base] + [f"{base}.{a.name}" for a in node.names]
    if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (getattr(node.func, "attr", "") == "import_module"
                 or getattr(node.func, "id", "") in ("import_module", "__import__"))):
        return [node.args[0].value]
    return []


def import_graph(root: Path) -> dict[str, set[str]]:
    """{module: the package's modules it imports}, every import anywhere in its source."""
    modules = module_names(root)
    graph = {}
    for name, path in modules.items():
        found = set()
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names = _imported(node, name, path.name == "__init__.py")
            if isinstance(node, ast.ImportFrom):  # `from a import b`: a.b if b is a module
                subs = [n for n in names[1:] if n in modules]
                names = subs if len(subs) == len(names) - 1 else [names[0], *subs]
            found |= {n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")}
        graph[name] = found - {name}
    return graph


def layer(module: str) -> str:
    """xltools.collect.run -> collect; xltools.api -> api; xltools -> xltools."""
    return module.split(".")[1] if "." in module else module


def violations(graph: dict[str, set[str]], rule: tuple) -> list[str]:
    """'module -> imported module' for every import that breaks the rule."""
    bound, allowed, banned = rule
    out = []
    for src, targets in sorted(graph.items()):
        if layer(src) not in bound:
            continue
        for dst in sorted(targets):
            mine = layer(dst) == layer(src)
            bad = layer(dst) in banned if allowed is None else not mine and layer(dst) not in allowed
            if bad:
                out.append(f"{src} -> {dst}")
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(ROOT)


def test_the_graph_is_read(graph):
    """Guards the rule tests against passing on an empty read."""
    assert len(graph) > 100 and {"model", "parse", "collect", "office"} <= set(BELOW_ENTRY)
    assert "xltools.api" in graph["xltools.cli"]
    assert "xltools.model.plan" in graph["xltools.model"]  # a relative import, resolved


@pytest.mark.parametrize("rule", [pytest.param(r, marks=pytest.mark.xfail(strict=True, reason=XFAIL[r]))
                                  if r in XFAIL else r for r in RULES])
def test_import_direction(graph, rule):
    bad = violations(graph, RULES[rule])
    assert not bad, f"{rule}:\n" + "\n".join(bad)


def test_the_rules_catch_forbidden_imports(tmp_path):
    """A fake package: every way of importing a forbidden layer is reported, allowed ones not."""
    files = {
        "__init__.py": "",
        "api.py": "",
        "cli.py": "from . import api\n",
        "model/__init__.py": "from .plan import Plan\n",
        "model/plan.py": "class Plan: ...\n",
        "sheet/__init__.py": "",
        "sheet/layout.py": "from ..model import Plan\n",
        "collect/__init__.py": "",
        "collect/run.py": "import xltools.sheet.layout\n",
        "xlsx/writer.py": "from ..sheet.layout import x\n"
                          "def f():\n    from ..collect import run\n",
        "xlsx/reader.py": "import importlib\nrf = importlib.import_module('xltools.collect.run')\n",
        "parse/read.py": "from xltools import api\n",
        "merge/tasks.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..cli import main\n",
        "model/check.py": "from .. import sheet\n",
    }
    for rel, text in files.items():
        (tmp_path / PACKAGE / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / PACKAGE / rel).write_text(text, encoding="utf-8")
    fake = import_graph(tmp_path)
    found = {rule: violations(fake, RULES[rule]) for rule in RULES}
    assert found["xlsx imports only model, sheet and the office runner"] == [
        "xltools.xlsx.reader -> xltools.collect.run", "xltools.xlsx.writer -> xltools.collect.run"]
    assert found["model imports nothing of the package"] == ["xltools.model.check -> xltools.sheet"]
    assert found["parse imports only model"] == ["xltools.parse.read -> xltools.api"]
    assert found["no stage imports api or cli"] == ["xltools.merge.tasks -> xltools.cli",
                                                    "xltools.parse.read -> xltools.api"]
    assert not found["sheet imports only model"]
    # and the test itself fails on them
    with pytest.raises(AssertionError, match="xltools.parse.read -> xltools.api"):
        test_import_direction(fake, "parse imports only model")


def _dist(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(names: list[str]) -> set[str]:
    return {_dist(re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0]) for r in names}


def test_runtime_dependencies_are_what_the_package_imports():
    """Each third-party import under xltools/ is a runtime dependency; each runtime dependency is
    imported (or INDIRECT says who uses it); test-only libraries (openpyxl) stay in the extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _requirements(project["dependencies"])
    dists = {k: {_dist(d) for d in v} for k, v in packages_distributions().items()}
    imported = set()
    for path in module_names(ROOT).values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = _imported(node, "", False)
            if isinstance(node, ast.ImportFrom):  # the module only; relative ones are ours
                names = [] if node.level else names[:1]
            for name in names:
                top = name.split(".")[0]
                if top and top != PACKAGE and top not in sys.stdlib_module_names:
                    imported |= dists.get(top, {f"<{top}: no installed distribution>"})
    assert imported - runtime == set(), "imported but not a runtime dependency"
    assert runtime - imported - set(INDIRECT) == set(), "a runtime dependency nothing imports"
    assert "openpyxl" in _requirements(project["optional-dependencies"]["test"])


def test_collecting_and_summarizing_never_import_pandas():
    """pandas is only the .ods fallback's reader: importing it cost every collect 0.3 s and
    48 MB in each process (the main one and every spawned writer). Checked in a fresh
    interpreter, after importing everything a collect, the year summary and the 通报 run."""
    code = ("import sys\n"
            "import xltools.api, xltools.cli, xltools.collect.run, xltools.merge.year\n"
            "import xltools.report.outputs, xltools.report.summary_book, xltools.report.html\n"
            "import xltools.report.validation_book, xltools.report.feedback\n"
            "import xltools.report.year_book, xltools.word.bulletin, xltools.app.views\n"
            "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))\n")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "[]"
