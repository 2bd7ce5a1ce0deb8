"""One catalogue: every finding code used in xltools/ and in the tests' fixtures is in it,
each call site gives its template's names, and every template renders in Chinese."""
from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from xltools.model.glossary import FW_COLON

# an ASCII , : ; ( ) beside a Chinese character (what glossary.official_marks turns)
ASCII_BESIDE_CHINESE = re.compile("[\u4e00-\u9fff][,:;()]|[,:;()][\u4e00-\u9fff]")

from xltools.model.catalogue import CATALOGUE
from xltools.model.findings import SEVERITIES, TEXT, Finding, finding, relocate, template_names

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# a call that makes a finding -> the position of its code; the names it fills in itself
MAKERS = {"finding": (0, set()), "_failed": (3, set()), "sink.add": (0, {"unit"}),
          "self.note": (0, set()), "run.note": (0, set()), "bad": (0, set()),
          "Finding": (0, set()), "Sniff": (1, set())}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return ""


def _strings(node: ast.AST | None) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)] if node is not None else []


def _is_code(node: ast.expr) -> bool:
    """x.code or x["code"]."""
    return (isinstance(node, ast.Attribute) and node.attr == "code") or (
        isinstance(node, ast.Subscript) and _strings(node.slice) == ["code"])


def uses(path: Path) -> list[tuple[str, int, str, set[str] | None]]:
    """(code, line, maker, names given or None when a ** hides them) of one source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assigned: dict[str, list[ast.expr]] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Name):
                    assigned.setdefault(t.id, []).append(n.value)
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and _name(n.func) in MAKERS:
            maker = _name(n.func)
            at, given = MAKERS[maker]
            code = n.args[at] if len(n.args) > at else next(
                (k.value for k in n.keywords if k.arg == "code"), None)
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                names = {k.arg for k in n.keywords}
                if maker in ("self.note", "run.note") and len(n.args) > 2:
                    names.add("value")  # note(code, file, value)
                out.append((code.value, n.lineno, maker,
                            None if None in names else names | given))
        elif isinstance(n, ast.Compare) and (_is_code(n.left) or any(map(_is_code, n.comparators))):
            for side in [n.left, *n.comparators]:
                if isinstance(side, ast.Name):
                    found = [s for v in assigned.get(side.id, []) for s in _strings(v)]
                else:
                    found = _strings(side) if isinstance(side, (ast.Constant, ast.Tuple, ast.List,
                                                                ast.Set)) else []
                out += [(s, n.lineno, "compare", None) for s in found]
        elif isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and "CODES" in t.id
                                               for t in n.targets):
            values = n.value.values if isinstance(n.value, ast.Dict) else [n.value]
            out += [(s, n.lineno, "table", None) for v in values for s in _strings(v)]
    return out


def _sources(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if p.name != "catalogue.py")


SOURCE_USES = [(p, *u) for p in _sources("xltools") for u in uses(p)]
TEST_USES = [(p, *u) for p in _sources("tests") if p.name != "test_catalogue.py"
             for u in uses(p)]


def test_the_scan_sees_the_code_paths():
    """The scan is not empty-handed: every kind of place a code is written is seen."""
    makers = Counter(m for *_, m, _ in SOURCE_USES)
    assert all(makers[m] for m in ("finding", "sink.add", "self.note", "_failed", "Sniff",
                                   "compare", "table")), makers
    assert len({c for _, c, *_ in SOURCE_USES}) > 0.95 * len(CATALOGUE)
    assert {c for _, c, *_ in TEST_USES} >= {"progress-not-number", "other-period"}


@pytest.mark.parametrize("uses_", [SOURCE_USES, TEST_USES], ids=["xltools", "tests"])
def test_every_code_used_is_in_the_catalogue(uses_):
    unknown = [f"{p.relative_to(ROOT)}:{line} {code}" for p, code, line, *_ in uses_
               if CODE.match(code) and code not in CATALOGUE]
    assert not unknown


def test_each_call_site_gives_its_templates_names():
    """Statically: finding("code", ...) and its wrappers pass every name the template uses
    (task, unit and value included); a call with **params is checked when it runs."""
    missing = []
    for p, code, line, maker, names in SOURCE_USES:
        if names is None or code not in CATALOGUE or maker in ("Finding", "Sniff"):
            continue
        lack = template_names(CATALOGUE[code][1]) - {"change"} - names
        if lack:
            missing.append(f"{p.relative_to(ROOT)}:{line} {code} lacks {sorted(lack)}")
    assert not missing


def test_no_code_is_defined_twice():
    text = (ROOT / "xltools" / "model" / "catalogue.py").read_text(encoding="utf-8")
    keys = re.findall(r'^ {4}"([a-z0-9-]+)": \(', text, re.M)
    assert len(keys) == len(CATALOGUE) and not [k for k, n in Counter(keys).items() if n > 1]


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_template_is_chinese_and_renders(code):
    severity, template = CATALOGUE[code]
    assert severity in SEVERITIES and CODE.match(code)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in template)
    assert "{where}" not in template and "{line}" not in template  # the place is the renderer's
    for _, name, spec, conv in __import__("string").Formatter().parse(template):
        assert not spec and not conv and (name is None or name.isidentifier()), name
    params = {n: f"<{n}>" for n in template_names(template) - {"change", "task", "unit", "value"}}
    f = finding(code, file="a.xlsx", sheet="S", cell="C7", unit="<unit>", task="<task>",
                value="<value>", **params)
    assert f.message == f"a.xlsx S 单元格 C7{FW_COLON}{f.text}"
    # the catalogue's own words print official marks, whatever the source writes
    assert not ASCII_BESIDE_CHINESE.search(f.text), f.text
    assert all(f"<{n}>" in f.text for n in template_names(template) - {"change", "expected"})
    assert f.to_dict()["message"] == f.message and Finding.from_dict(f.to_dict()) == f


def test_a_missing_name_stops_the_finding():
    with pytest.raises(KeyError, match="field"):
        finding("required-empty", task="1")
    with pytest.raises(KeyError):
        finding("no-such-code")


def test_moving_a_finding_moves_its_message():
    f = finding("required-empty", sheet="季度报表", cell="D6", task="1", field="状态")
    moved = relocate(f, file="区发改局.xlsx", cell="E6")
    assert moved.message == f"区发改局.xlsx 季度报表 单元格 E6{FW_COLON}" + f.text
    assert (moved.params, f.cell) == (f.params, "D6")  # nothing rewritten, nothing shared moved
    line = finding("stray-text", file="通知.docx", line=12, value="附件")
    assert line.message.startswith(f"通知.docx第12行{FW_COLON}\u201c附件\u201d不属于任何编号任务")


def test_a_finding_stored_as_text_keeps_its_words():
    """Rows of an older ledger (and payloads) held the rendered message only."""
    old = {"code": "junk-ignored", "severity": "提示", "file": "a.xlsx", "sheet": "", "cell": "",
           "unit": "", "task": "", "value": "v", "message": "a.xlsx:旧的说明。"}
    f = Finding.from_dict(old)
    assert (f.message, f.text, f.value) == ("a.xlsx:旧的说明。", "旧的说明。", "v")
    assert f.params[TEXT] == old["message"] and Finding.from_dict(f.to_dict()) == f
