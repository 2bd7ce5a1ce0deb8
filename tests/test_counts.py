"""One set of counts (issue 15): the console table, the JSON, the 校验报告, the 汇总表 and the
HTML report give the same 错误 / 警告 / 提示 for the demo (superseded returns left out)."""
from __future__ import annotations

import re
from collections import Counter

import openpyxl
import pytest
from rich.console import Console

from xltools import api, terminal
from xltools.merge.receipts import ReceiptRow, finding_counts
from xltools.model.findings import ERROR, INFO, WARNING, Finding
from xltools.model.returns import ACCEPTED, DUPLICATE, REJECTED, SUPERSEDED


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return api.demo(tmp_path_factory.mktemp("demo"))


def test_each_plan_warning_is_said_once(demo):
    said = [(f.code, f.ref, f.value) for f in demo.generated.findings]
    assert said and len(said) == len(set(said))  # not again about xltools' own 附件3


def _console(report) -> tuple[int, int, int]:
    con = Console(record=True, width=200, color_system=None)
    terminal.collect_summary(con, report)
    m = re.search(r"错误 / 警告 / 提示\D+(\d+) / (\d+) / (\d+)", con.export_text())
    return tuple(map(int, m.groups()))


def _validation(report) -> tuple[int, int]:
    ws = openpyxl.load_workbook(report.outputs[1], read_only=True)["全部问题"]
    sub = next(v for r in ws.iter_rows(max_row=3, values_only=True) for v in r if v and "错误" in str(v))
    m = re.search("错误 (\\d+) 条\uff0c警告 (\\d+) 条", sub)
    return int(m[1]), int(m[2])


def _summary_book(report) -> tuple[int, int]:
    ws = openpyxl.load_workbook(report.summary_book, read_only=True)["按单位汇总"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    head = next(r for r in rows if "错误数" in r)
    total = next(r for r in rows if r[0] == "合计")
    return int(total[head.index("错误数")]), int(total[head.index("警告数")])


def _html(report) -> list:
    text = report.html.read_text(encoding="utf-8")
    intro = re.search(r"发现错误 (\d+) 条、警告 (\d+) 条", text)
    card = re.search(r'data-key="errors"><span class="value">(\d+)<', text)
    total = re.search(r'data-col="错误数">(\d+)</td>\s*<td class="n" data-col="警告数">(\d+)</td>\s*'
                      r"</tr>\s*</tbody>", text)
    return [(int(intro[1]), int(intro[2])), (int(total[1]), int(total[2])), int(card[1])]


def test_every_output_gives_the_same_counts(demo):
    collected = demo.collected
    js = collected.to_json()["finding_counts"]
    want = (js["errors"], js["warnings"])
    assert want[0] > 0 and want[1] > 0  # the demo has both
    assert _console(collected) == (*want, js["notices"])
    assert _validation(collected) == want
    assert _summary_book(collected) == want
    assert _html(collected) == [want, want, want[0]]  # intro, table total, headline card


def test_the_json_lists_each_file_with_the_findings_the_validation_report_lists(demo):
    """collect --json gave a file recorded in the run the findings its reading found, and the
    校验报告 those the ledger holds: a return superseded in the same run lacked its superseded
    finding in the JSON, and a copy its duplicate-file. Both come from the ledger now."""
    files = demo.collected.to_json()["files"]
    assert any(f["status"] == SUPERSEDED and f["new"] for f in files)  # (the demo's resent one)
    said = Counter((f["path"], x["code"]) for f in files for x in f["findings"])
    ws = openpyxl.load_workbook(demo.collected.outputs[1], read_only=True)["\u5168\u90e8\u95ee\u9898"]
    rows = list(ws.iter_rows(values_only=True))  # 全部问题: 序号, 文件, … 代码 (hidden, last)
    first = next(i for i, r in enumerate(rows) if r[0] == "\u5e8f\u53f7") + 1
    listed = Counter((r[1], r[-1]) for r in rows[first:] if isinstance(r[0], int))
    assert said == listed
    assert sum(n for (_, code), n in said.items() if code == "superseded") == 1


def _row(status: str, *severities: str, unit: str = "区发改局") -> ReceiptRow:
    return ReceiptRow("a.xlsx", "a.xlsx", "0" * 64, status, unit,
                      findings=[Finding("read-failed", s) for s in severities])


def test_superseded_and_duplicate_files_do_not_count_and_notices_stand_apart():
    rows = [_row(ACCEPTED, ERROR, WARNING, INFO), _row(REJECTED, ERROR),
            _row(SUPERSEDED, ERROR, WARNING), _row(DUPLICATE, ERROR)]
    n = finding_counts(rows)
    assert (n.errors, n.warnings, n.notices) == (2, 1, 1)
