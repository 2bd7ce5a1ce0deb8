"""xltools' own words print the marks official Chinese text prints (GB/T 15834): full-width
( ) : ; , beside Chinese, in the catalogue's messages, the report books' titles, headings,
labels and notes, and the bundled templates (HTML report, desk pages, 通报, 催报, e-mail).
What units typed, plan text and file names keep every mark as given."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from xltools.model import finding
from xltools.model.glossary import (FW_COLON, FW_COMMA, FW_LPAREN, FW_RPAREN, FW_SEMICOLON,
                                    official_marks)
from xltools.templating import bundled

L, R, C, S, K = FW_LPAREN, FW_RPAREN, FW_COLON, FW_SEMICOLON, FW_COMMA
# what is not a template's own prose: {{ }}, {% %}, and scripts and styles (code)
BLOCK = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|<script\b.*?</script>|<style\b.*?</style>", re.S)


@pytest.mark.parametrize("given, printed", [
    ("未报送单位(共 1 个)", f"未报送单位{L}共 1 个{R}"),
    ("完成率(%)", f"完成率{L}%{R}"),  # a pair never mixes
    ("报送截止日期:2019年4月10日,共 3 项;请核对", f"报送截止日期{C}2019年4月10日{K}共 3 项{S}请核对"),
    ("单位(", f"单位{L}"), (" 个)", f" 个{R}"),  # the halves of a pair cut by a {{ value }}
    ("“{value}”(第 {row} 行)", f"“{{value}}”{L}第 {{row}} 行{R}"),
    ("Excel(.xlsx)", "Excel(.xlsx)"), ("9:30", "9:30"), ("3,000 个", "3,000 个"),
    ("{unit}:{x}", "{unit}:{x}"), ("a (b) c", "a (b) c"), ("(a)(b)", "(a)(b)"),
    ("完成率(%):", f"完成率{L}%{R}{C}"),  # beside a mark just made full width
    ("", ""),
])
def test_marks_beside_chinese_become_full_width(given, printed):
    assert official_marks(given) == printed
    assert official_marks(printed) == printed


def test_messages_mark_their_own_words_not_the_values():
    f = finding("junk-ignored", file="收件箱/区财政局(修改后).xlsx", reason="Windows 缩略图缓存(Thumbs.db)")
    assert f.message == (f"收件箱/区财政局(修改后).xlsx{C}这是Windows 缩略图缓存{L}Thumbs.db{R}{K}"
                         f"不是报表{K}已忽略{L}已记录在案{R}。无需处理。")
    typed = finding("progress-not-number", file="a.xlsx", cell="E7", task="3", value="已完成(80%),待验收:是")
    assert "“已完成(80%),待验收:是”" in typed.text


@pytest.mark.parametrize("path", sorted(bundled().rglob("*.j2")), ids=lambda p: p.name)
def test_bundled_templates_print_official_marks(path):
    """The templates' own text is written with official marks, so that an office's copy of
    one carries them too (the {{ values }} are left as they come)."""
    src = path.read_text(encoding="utf-8")
    masked = BLOCK.sub(lambda m: "\0" * len(m.group(0)), src)
    assert official_marks(masked) == masked


def test_report_books_mark_their_words_and_keep_the_units(demo):
    """The demo's 汇总表 and 校验报告: titles, subtitles, headings, labels and notes in
    official marks; a task's text and what a unit typed exactly as given."""
    out = demo.collected
    wb = openpyxl.load_workbook(out.summary_book, read_only=True)
    rows = {name: [r for r in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames}
    sub = rows["按任务汇总"][1][0]
    assert sub.startswith(L) and sub.endswith(R) and f"报送截止日期{C}" in sub
    assert f"一、未报送单位{L}共" in {c for r in rows["未报送单位"] for c in r if c}.__str__()
    labels = [c for c in rows["按任务汇总"][2] if c]
    assert f"总体\n进度{L}%{R}" in labels
    typed = [r[11] for r in rows["按任务汇总"][3:] if len(r) > 11 and isinstance(r[11], str)
             and re.search("[,:;()]", r[11])]
    plan = [r[1] for r in rows["按任务汇总"][3:] if isinstance(r[1], str) and "," in r[1]]
    assert typed and plan  # (the demo's units and its notice write ASCII marks: kept)
    ws = openpyxl.load_workbook(out.outputs[1], read_only=True)["全部问题"]
    assert any(isinstance(v, str) and v.startswith(L) and f"错误" in v
               for r in ws.iter_rows(max_row=3, values_only=True) for v in r)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from xltools import api
    return api.demo(tmp_path_factory.mktemp("marks"))


def test_a_console_line_marks_its_words_and_keeps_the_path():
    from xltools.model.glossary import official_text
    line = official_text("台账:{db}(用时 {s:.2f} 秒)", db="D:\\回收(2)\\台账.sqlite", s=1.5)
    assert line == f"台账{C}D:\\回收(2)\\台账.sqlite{L}用时 1.50 秒{R}"
