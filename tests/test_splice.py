"""xlsx.splice on its own: kept sheets come from the previous file only when they can be
used as they are; what is written always reads back like a full write."""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

from xltools.sheet.layout import Workbook
from xltools.xlsx import splice


def _book(texts: dict[str, str], link: str = "") -> callable:
    """build(reuse): one sheet per name with its text (and a link on sheet "乙" if asked)."""
    def build(reuse) -> Workbook:
        wb = Workbook(filename="书.xlsx")
        for name, text in texts.items():
            stand_in = reuse(name, f"{name}:{text}:{link}")
            if stand_in is not None:
                wb.sheets.append(stand_in)
                continue
            sh = wb.add_sheet(name)
            sh.write(0, 0, text, "title")
            sh.write(1, 0, f"{name}的说明", "body")
            sh.page.repeat_rows = (1, 1)
            if link and name == "乙":
                sh.link(2, 0, "打开", link)
        return wb
    return build


def _cells(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [(c.coordinate, c.value, repr(c.font), c.hyperlink.target if c.hyperlink else None)
                       for row in ws.iter_rows() for c in row] + [ws.print_title_rows]
            for ws in wb.worksheets}


def _built(texts: dict[str, str], link: str = "") -> list[str]:
    seen: list[str] = []
    inner = _book(texts, link)

    def build(reuse):
        def spy(name, key):
            got = reuse(name, key)
            if got is None:
                seen.append(name)
            return got
        return inner(spy)
    return build, seen


def test_unchanged_sheets_are_kept_and_the_file_reads_as_a_full_write(tmp_path):
    splice.write_reusing("书.xlsx", _book({"甲": "一", "乙": "二", "丙": "三"}), tmp_path)
    build, seen = _built({"甲": "一", "乙": "贰", "丙": "三", "丁": "四"})
    path = splice.write_reusing("书.xlsx", build, tmp_path)
    assert seen == ["乙", "丁"]  # the others' parts came from the previous file
    full = tmp_path / "full"
    splice.write_reusing("书.xlsx", _book({"甲": "一", "乙": "贰", "丙": "三", "丁": "四"}), full)
    assert _cells(path) == _cells(full / "书.xlsx")
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None


def test_a_sheet_with_relationships_is_never_taken_from_the_previous_file(tmp_path):
    texts = {"甲": "一", "乙": "二"}
    splice.write_reusing("书.xlsx", _book(texts, "../archive/a.xlsx"), tmp_path)
    build, seen = _built({"甲": "壹", "乙": "二"}, "../archive/a.xlsx")
    path = splice.write_reusing("书.xlsx", build, tmp_path)
    assert "乙" in seen  # its link lives in a relationships part: built again
    full = splice.write_reusing("书.xlsx", _book({"甲": "壹", "乙": "二"}, "../archive/a.xlsx"),
                                tmp_path / "full")
    assert _cells(path) == _cells(full)
    assert [c[:2] for c in _cells(path)["乙"][:-1] if c[3]] == [("A3", "打开")]


def test_a_file_that_is_not_what_the_manifest_says_is_rebuilt(tmp_path):
    splice.write_reusing("书.xlsx", _book({"甲": "一", "乙": "二"}), tmp_path)
    (tmp_path / "书.xlsx").write_bytes((tmp_path / "书.xlsx").read_bytes() + b"\0")
    build, seen = _built({"甲": "一", "乙": "二"})
    splice.write_reusing("书.xlsx", build, tmp_path)
    assert seen == ["甲", "乙"]


def test_a_hand_edited_manifest_means_a_full_rebuild(tmp_path):
    import json

    splice.write_reusing("书.xlsx", _book({"甲": "一", "乙": "二"}), tmp_path)
    manifest = tmp_path / splice.MANIFEST
    good = json.loads(manifest.read_text(encoding="utf-8"))
    for bad in ([["甲"]], [["甲", "k", [None, None]]], [["甲", "k", [[0, 0, "x", 1], None, None, False]]],
                [[1, 2, 3]], "甲"):
        edited = json.loads(json.dumps(good))
        edited["书.xlsx"]["sheets"] = bad
        manifest.write_text(json.dumps(edited), encoding="utf-8")
        build, seen = _built({"甲": "一", "乙": "二"})
        splice.write_reusing("书.xlsx", build, tmp_path)
        assert seen == ["甲", "乙"]


def test_texts_no_sheet_shows_any_more_are_cleared_before_they_pile_up(tmp_path, monkeypatch):
    monkeypatch.setattr(splice, "STALE_STRINGS_MIN", 2)
    texts = {"甲": "一", "乙": "二", "丙": "三"}
    splice.write_reusing("书.xlsx", _book(texts), tmp_path)

    def strings() -> str:
        with zipfile.ZipFile(tmp_path / "书.xlsx") as z:
            return z.read(splice.STRINGS).decode("utf-8")
    texts["乙"] = "贰"
    build, seen = _built(texts)
    splice.write_reusing("书.xlsx", build, tmp_path)
    assert seen == ["乙"] and ">二<" in strings()  # one stale text: kept parts still used
    texts["丙"], texts["甲"] = "叁", "壹"
    build, seen = _built(texts)
    splice.write_reusing("书.xlsx", build, tmp_path)
    assert ">二<" not in strings() and ">一<" not in strings() and ">三<" not in strings()
    assert _cells(tmp_path / "书.xlsx")["乙"][0][1] == "贰"
