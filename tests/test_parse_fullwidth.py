"""Notices as officially printed: full-width parentheses, colon, semicolon and comma
(U+FF08, U+FF09, U+FF1A, U+FF1B, U+FF0C) parse to the same records as the
ASCII forms, and what goes out keeps the document's own characters."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from xltools.parse import parse_notice_text
from xltools.model.glossary import FW_COLON, FW_COMMA, FW_LPAREN, FW_RPAREN, FW_SEMICOLON
from xltools.parse.fold import Unfolder, fold

from marks import restore_marks

IDEO_SPACE, NBSP = "\u3000", "\u00a0"

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
NOTICES = sorted([*DATA.glob("seed_*.txt"), *(DATA / "family").glob("family_*.txt")])


def _regen():
    spec = importlib.util.spec_from_file_location("regen", ROOT / "tests" / "golden" / "regen.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _folded_digest(text: str) -> dict:
    result = parse_notice_text(text)
    assert result.plan is not None
    d = json.loads(fold(json.dumps(_regen().digest(result), ensure_ascii=False)))
    for t in d["tasks"]:  # "(一)" printed in full width beside the key "(一)": the same once folded
        if t.get("printed") == t["number"]:
            del t["printed"]
    return d


@pytest.mark.parametrize("path", NOTICES, ids=lambda p: p.stem)
def test_both_punctuation_forms_give_the_same_records(path):
    stored = path.read_text(encoding="utf-8")
    restored = restore_marks(fold(stored))
    assert restored != fold(stored)
    a, b = _folded_digest(fold(stored)), _folded_digest(restored)
    assert a["tasks"] and a["tasks"] == b["tasks"]
    for key in ("title", "issuer", "year", "periods", "units", "groups", "annex2", "matrix",
                "loose_targets"):
        assert a.get(key) == b.get(key), key
    assert [f["code"] for f in a["findings"]] == [f["code"] for f in b["findings"]]


def test_outgoing_strings_keep_the_printed_forms():
    text = ("关于印发2021年重点任务分解意见的通知\n一、主要任务\n"
            f"1.推进老旧小区改造{FW_LPAREN}含加装电梯{FW_RPAREN}{FW_COMMA}完成120个。"
            f"{FW_LPAREN}牵头单位{FW_COLON}市住建局{FW_SEMICOLON}责任单位{FW_COLON}市财政局"
            f"{FW_RPAREN}\n"
            f"2.建设智慧城市。{FW_LPAREN}责任单位{FW_COLON}市大数据局{FW_RPAREN}\n")
    plan = parse_notice_text(text).plan
    t1 = plan.task("1")
    assert t1.text == f"推进老旧小区改造{FW_LPAREN}含加装电梯{FW_RPAREN}{FW_COMMA}完成120个。"
    assert t1.lead_units == ["市住建局"] and t1.responsible_units == ["市财政局"]
    assert plan.task("2").lead_units == [] and plan.task("2").responsible_units == ["市大数据局"]


def test_thousands_separator_full_width():
    text = ("一、主要目标\n"
            f"1.完成固定资产投资247{FW_COMMA}779万元。{FW_LPAREN}责任单位{FW_COLON}市发改委{FW_RPAREN}\n"
            "2.新增就业8000人。(责任单位:市人社局)\n")
    plan = parse_notice_text(text).plan
    assert [t.kind for t in plan.tasks] == ["indicator", "indicator"]
    assert plan.task("2").targets[0].value == 8000


def test_fold_is_length_preserving_and_keeps_chinese_marks():
    s = f"{FW_LPAREN}一{FW_RPAREN}\uff12\uff14\uff17{FW_COMMA}\uff17\uff17\uff19万元{IDEO_SPACE}①、。{NBSP}\uff05"
    f = fold(s)
    assert len(f) == len(s)
    assert f == "(一)247,779万元 ①、。 %"


def test_unfolder_maps_back_by_position_and_by_the_single_form():
    original = f"甲{FW_LPAREN}乙{FW_RPAREN}\n丙(丁)"
    u = Unfolder(original)
    assert u("甲(乙)") == f"甲{FW_LPAREN}乙{FW_RPAREN}"
    assert u("乙)丙") == f"乙{FW_RPAREN}丙"  # across a line break, as items are joined
    assert u("丙(丁)") == "丙(丁)"
    assert u("无(此)") == "无(此)"  # both forms printed: an unknown string stays folded


def test_findings_quote_the_notice_as_printed_and_nothing_else():
    """A message quotes the notice with its own marks (a clerk searches the document for
    them); an excerpt (…) is found without its marks; what the notice does not hold (a
    path, xltools' own words) is left as given, never mapped character by character."""
    u = Unfolder(f"甲{FW_LPAREN}乙{FW_RPAREN}丙{FW_COMMA}丁\n")
    assert u.quoted("甲(乙)丙,丁") == f"甲{FW_LPAREN}乙{FW_RPAREN}丙{FW_COMMA}丁"
    assert u.quoted("\u2026乙)丙,\u2026") == f"\u2026乙{FW_RPAREN}丙{FW_COMMA}\u2026"
    assert u.quoted(r"D:\通知(1).docx") == r"D:\通知(1).docx"
    assert u(r"D:\通知(1).docx") != r"D:\通知(1).docx"  # (the names' mapping does guess)
    text = ("关于印发2023年重点任务分解的通知\n一、重点任务\n"
            "1.推进改革。(牵头单位:市发改委;责任单位:各乡镇(街道))\n"
            "2.建设项目。(牵头单位:市住建局;责任单位:柳林镇、东关街道)\n"
            "各责任单位每季度结束后次月5日前将进展情况报送市政府督查室,全年总结于12月20日前报送。\n")
    for printed in (text, restore_marks(text)):
        res = parse_notice_text(printed)
        [group] = [f.value for f in res.findings if f.code == "group-members-inferred"]
        [rule] = [f.params["rule"] for f in res.findings if f.code == "periods-from-notice"]
        assert fold(group) == "各乡镇(街道)" and group in printed
        assert "督查室" in rule and rule in printed


def test_register_in_ascii_resolves_a_full_width_notice():
    from xltools.model import Plan, Unit
    register = Plan(title="", year=2021, units=[Unit("区财政局(金融办)"), Unit("区住建局")])
    text = ("关于印发2021年重点任务分解意见的通知\n一、主要任务\n"
            f"1.防范化解债务风险。{FW_LPAREN}牵头单位{FW_COLON}区财政局{FW_LPAREN}金融办{FW_RPAREN}"
            f"{FW_SEMICOLON}责任单位{FW_COLON}区住建局{FW_RPAREN}\n")
    res = parse_notice_text(text, register=register)
    plan = res.plan
    assert [u.name for u, _ in plan.task_units(plan.task("1"))] == ["区财政局(金融办)", "区住建局"]
    assert not [f for f in res.findings if f.code in ("unknown-unit", "unresolved-unit")]


def test_full_width_item_numbers_come_back_as_ascii_digits_all_alike():
    """Items printed with full-width digits and stops (1. … 5.) in a notice that also prints "5" and "2021" in its
    sentences: each number is its ASCII key, none kept full width in 原文序号 or --json."""
    fd = str.maketrans("0123456789", "".join(chr(0xFF10 + k) for k in range(10)))
    head = "2021\u5e74\u5404\u5355\u4f4d\u4e8e\u6bcf\u5b63\u5ea6\u7ed3\u675f\u540e5\u65e5\u5185\u62a5\u9001\u3002\n"
    items = "".join(f"{str(n).translate(fd)}\uff0e\u63a8\u8fdb\u7532{n}\u3002\uff08\u7275\u5934\u5355\u4f4d\uff1a\u533a\u53d1\u6539\u5c40\uff09\n"
                    for n in range(1, 6))
    r = parse_notice_text(head + items)
    assert [t.number for t in r.plan.tasks] == ["1", "2", "3", "4", "5"]
    assert [t.printed for t in r.plan.tasks] == [""] * 5
    assert [d["number"] for d in r.to_json()["tasks"]] == ["1", "2", "3", "4", "5"]
