"""The notice parser on the ways real notices differ from the seeds and the family (mutations).

* any mutation of a known notice (marks of either width, numbering styles, odd spaces, line
  ends, labels moved, lines deleted or swapped, truncation, annex headings moved or missing,
  odd dates) never raises, every finding is the catalogue's, every task has a unique number,
  and the same text always reads the same;
* mutations that change nothing but the printing (marks, spaces, numbering style, where the
  responsibility part stands, a heading run into its first item) read the same tasks;
* one regression test for each variant the mutations found read wrongly or crashing.
"""
from __future__ import annotations

import json
import re
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, SEED_000, SEED_002
from marks import restore_marks
from xltools.model.catalogue import CATALOGUE
from xltools.model.findings import WARNING
from xltools.model.glossary import FULL_WIDTH_OF
from xltools.parse import parse_notice_text
from xltools.parse.fold import fold

FAMILY = sorted((DATA / "family").glob("*.txt"))
# no flat tables (01, 04), and no 一、 items (15: they are no headings to run into a line)
PROSE = [p for p in FAMILY if not any(n in p.name for n in ("_01_", "_04_", "_15_"))]
_ASCII_OF = {v: k for k, v in FULL_WIDTH_OF.items()}
SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@cache
def text_of(path) -> str:
    return path.read_text(encoding="utf-8")


# -- mutations: each takes a random.Random and the lines, gives the lines ---------------------
_MARK = re.compile(r"^(\s*)(?:(\d{1,3})[.\u3001\uff0e]|[(\uff08](\d{1,3})[)\uff09]|(\d{1,3})\)|"
                   r"([\u2460-\u2473]))")
_LABEL = re.compile(r"[(\uff08]((?:牵头单位|责任单位|配合单位|责任领导|牵头领导)[:\uff1a][^()\uff08\uff09]*)"
                    r"[)\uff09]")
_HEAD = re.compile(r"^\s*(?:[一二三四五六七八九十]+\u3001|[(\uff08][一二三四五六七八九十]+[)\uff09])")


def _fw_digits(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s)


def _style(n: int, k: int) -> str:
    """Item number `n` in numbering style `k` (circled and enclosed forms go to 20)."""
    styles = [f"{n}.", f"{n}\u3001", f"({n})", f"{n})", f"{n}\uff0e", f"\uff08{n}\uff09", f"{n} . ",
              _fw_digits(f"{n}."), _fw_digits(f"{n}\u3001")]
    if n <= 20:
        styles += [chr(0x245F + n), chr(0x2473 + n), chr(0x2487 + n)]  # circled, (1), 1.
    return styles[k % len(styles)]


def marks(rng, lines):  # each mark full width or ASCII, at a rate of the document's own
    p = rng.random()
    flip = {**FULL_WIDTH_OF, **_ASCII_OF}
    return ["".join(flip[c] if c in flip and rng.random() < p else c for c in ln) for ln in lines]


def renumber(rng, lines):  # the items' numbering style, one for the whole document
    k, out = rng.randrange(12), []
    # circled numbers under numbered items are sub-items (family 11): they keep theirs, and
    # the items take no circled style of their own (style 9)
    kinds = {bool(m.group(5)) for ln in lines if (m := _MARK.match(ln))}
    sub = kinds == {True, False}
    k = 10 if sub and k == 9 else k
    for ln in lines:
        if (m := _MARK.match(ln)) and not (sub and m.group(5)) and (
                n := int(m.group(2) or m.group(3) or m.group(4) or 0)
                or ord(m.group(5) or "\u245f") - 0x245F):
            ln = m.group(1) + _style(n, k) + ln[m.end():]
        out.append(ln)
    return out


def spaces(rng, lines):  # ideographic indents, trailing tabs and no-break spaces
    pads = ["\u3000\u3000", "\u00a0", "  ", " "]
    return [(rng.choice(pads) if ln.strip() and rng.random() < 0.3 else "") + ln
            + (rng.choice(["\u3000", " ", "\u00a0", "\t"]) if rng.random() < 0.2 else "") for ln in lines]


def labels(rng, lines):  # the responsibility part in 【】, bare, on its own line, first, no colon
    out, k = [], rng.randrange(7)
    for ln in lines:
        if not (m := _LABEL.search(ln)):
            out.append(ln)
            continue
        part, rest = m.group(1), ln[:m.start()] + ln[m.end():]
        if k == 6:  # (责任单位 区发改局;配合单位区统计局)
            part = re.sub(r"(单位)[:\uff1a]", lambda m: m.group(1) + rng.choice(["", " ", "\u3000"]), part)
            out.append(ln[:m.start()] + "(" + part + ")" + ln[m.end():])
        elif k == 4 and (mk := _MARK.match(rest)):  # 1.【牵头单位:…】推进…
            out.append(rest[:mk.end()] + "\u3010" + part + "\u3011" + rest[mk.end():])
        else:
            out += {0: [ln[:m.start()] + "\u3010" + part + "\u3011" + ln[m.end():]],
                    1: [ln[:m.start()] + part + ln[m.end():]], 2: [rest, part],
                    3: [rest, "(" + part + ")"]}.get(k, [ln[:m.start()] + "\uff08" + part + "\uff09"
                                                         + ln[m.end():]])
    return out


def run_in(rng, lines):  # a heading run into the line below it
    out, i = [], 0
    while i < len(lines):
        j = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), len(lines))
        if _HEAD.match(lines[i]) and len(lines[i]) < 40 and j < len(lines) \
                and not _HEAD.match(lines[j]) and rng.random() < 0.7:
            out.append(lines[i] + rng.choice(["", " ", "\u3000"]) + lines[j].lstrip())
            i = j + 1
        else:
            out.append(lines[i])
            i += 1
    return out


def blank(rng, lines):  # blank and whitespace-only lines, tabs and zero-width spaces inside
    out = []
    for ln in lines:
        if len(ln) > 3 and rng.random() < 0.1:
            at = rng.randrange(1, len(ln))
            ln = ln[:at] + rng.choice(["\u3000", "\t", "\u200b", " "]) + ln[at:]
        out += [ln] + ([rng.choice(["", " ", "\u3000"])] if rng.random() < 0.1 else [])
    return out


def line_ops(rng, lines):  # lines deleted, duplicated, swapped, moved
    out = list(lines)
    for _ in range(rng.randrange(1, 10)):
        if not out:
            break
        k, op = rng.randrange(len(out)), rng.randrange(4)
        if op == 0:
            del out[k]
        elif op == 1:
            out.insert(k, out[k])
        elif op == 2 and k + 1 < len(out):
            out[k], out[k + 1] = out[k + 1], out[k]
        else:
            out.insert(rng.randrange(len(out)), out.pop(k))
    return out


def truncate(rng, lines):
    text = "\n".join(lines)
    return text[:rng.randrange(len(text) + 1)].split("\n")


def long_lines(rng, lines):  # a line repeated into one, the rest run together, a huge unit list
    out, k = list(lines), rng.randrange(max(len(lines), 1))
    r = rng.random()
    if out and r < 0.3:
        out[k] *= rng.randrange(20, 200)
    elif out and r < 0.6:
        out[k:] = ["".join(out[k:])]
    else:
        out.insert(k, "(责任单位:" + "\u3001".join(["区发改局"] * rng.randrange(50, 400)) + ")")
    return out


def annexes(rng, lines):  # annex headings missing, moved, spelled otherwise, added
    out = list(lines)
    for i in reversed([i for i, ln in enumerate(out) if re.match(r"\s*附\s*件\s*\d", ln)]):
        r = rng.random()
        if r < 0.3:
            del out[i]
        elif r < 0.5:
            out.insert(rng.randrange(len(out)), out.pop(i))
        elif r < 0.7:
            out[i] = out[i].replace("附件", rng.choice(["附 件", "附件 ", "附件\uff1a"]))
    out.insert(rng.randrange(len(out) + 1), rng.choice(["附件1", "附件2", "附件3", "附件一", "附件"]))
    return out


def dates(rng, lines):  # numbers no calendar has, reporting rules and document numbers with them
    d, m = rng.choice(["0", "00", "1", "31", "32", "99"]), rng.choice(["0", "4", "13"])
    y = rng.choice(["0000", "0219", "1900", "2100", "9999"])
    said = rng.choice([f"请各单位于每季度结束后{d}日内上报。", f"每季度末月{d}日前报送督查室。",
                       f"每月{d}日前报送进展情况。", f"每季度次月{d}日前上报。", f"沙政办发〔{y}〕{d}号",
                       f"请于{m}月{d}日、{m}月{d}日、{m}月{d}日、{m}月{d}日前报送。", f"{y}年{m}月{d}日"])
    out = list(lines)
    out.insert(rng.randrange(min(len(out), 30) + 1), said)
    return out


_JUNK = ["(", ")", "\uff08", "\u3010", "\u3011", "附件1", "\u2460", "\u2474", "\u3220", "1.", "(一)",
         "一\u3001", "第一部分", "牵头单位:", "责任单位\uff1a", ";", "\u3001", "各镇人民政府", "——",
         "合计", "序号\t工作任务\t牵头单位", "\t", "\n", "增长8.5%", "年底前", "\uff1a", "\u201c", "抄送:"]


def junk(rng, lines):  # marks and words of the family typed at random places
    out = list(lines) or [""]
    for _ in range(rng.randrange(1, 15)):
        k = rng.randrange(len(out))
        at = rng.randrange(len(out[k]) + 1)
        out[k] = out[k][:at] + rng.choice(_JUNK) + out[k][at:]
    return out


ANY = [marks, renumber, spaces, labels, run_in, blank, line_ops, truncate, long_lines, annexes,
       dates, junk]
SAME = [marks, renumber, spaces, labels]  # the printing changes, the tasks do not


def mutated(rng, text: str, mutations) -> str:
    lines = text.split("\n")
    for m in mutations:
        lines = m(rng, lines)
    return rng.choice(["\r\n", "\n", "\r"]).join(lines)


# -- properties ------------------------------------------------------------------------------
def reads_sanely(text: str) -> None:
    """No exception escapes; findings are the catalogue's, in Chinese; numbers unique; stable."""
    r = parse_notice_text(text, source="n.txt")
    assert r.report_lines()
    got = json.dumps(r.to_json(), ensure_ascii=False, sort_keys=True, default=str)
    for f in r.findings:
        assert f.code in CATALOGUE and re.search(r"[\u4e00-\u9fff]", f.message), f
    numbers = [t.number for t in r.plan.tasks] if r.plan else []
    assert all(numbers) and len(set(numbers)) == len(numbers), numbers
    again = parse_notice_text(text, source="n.txt")
    assert json.dumps(again.to_json(), ensure_ascii=False, sort_keys=True, default=str) == got


@settings(max_examples=250, **SETTINGS)
@given(st.sampled_from(FAMILY), st.lists(st.sampled_from(ANY), min_size=1, max_size=3),
       st.randoms(use_true_random=False))
def test_family_mutants_never_raise(path, mutations, rng):
    reads_sanely(mutated(rng, text_of(path), mutations))


@settings(max_examples=12, **SETTINGS)
@given(st.sampled_from([SEED_000, SEED_002]), st.lists(st.sampled_from(ANY), min_size=1, max_size=2),
       st.randoms(use_true_random=False))
def test_seed_mutants_never_raise(path, mutations, rng):
    reads_sanely(mutated(rng, text_of(path), mutations))


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff", "关于印发2021年重点任务分解的通知",
                                  "关于印发2021年重点任务分解的通知\r\n附件1\r\n", "1.", "(责任单位:"])
def test_empty_and_title_only_notices(text):
    reads_sanely(text)


def tasks_read(text: str) -> list[tuple]:
    r = parse_notice_text(text, source="n.txt")
    return [(re.sub(r"\s", "", fold(t.text)), [fold(u) for u in t.lead_units],
             [fold(u) for u in t.responsible_units], fold(t.deadline)) for t in r.plan.tasks]


# (16 prints two items on one line: renumbering or moving the first one's bracket there
# makes another document, not another printing of it)
@settings(max_examples=80, **SETTINGS)
@given(st.sampled_from([p for p in FAMILY if "_16_" not in p.name]), st.sampled_from(SAME),
       st.randoms(use_true_random=False))
def test_printing_variants_read_the_same_tasks(path, mutation, rng):
    assert tasks_read(mutated(rng, text_of(path), [mutation])) == tasks_read(text_of(path))


@settings(max_examples=30, **SETTINGS)
@given(st.sampled_from(PROSE), st.randoms(use_true_random=False))
def test_headings_run_into_their_first_item_read_the_same_tasks(path, rng):
    assert tasks_read("\n".join(run_in(rng, text_of(path).split("\n")))) == tasks_read(text_of(path))


# -- regressions: each variant the mutations found ---------------------------------------------
NOTICE = """关于印发2021年重点任务分解的通知
{said}
一、主要目标
1.地区生产总值增长8%。(责任单位:区发改局)
2.财政收入增长8%。(牵头单位:区财政局)
"""


def printed(text: str, full_width: bool) -> str:
    return restore_marks(text) if full_width else text


def codes(r) -> list[str]:
    return [f.code for f in r.findings]


@pytest.mark.parametrize("full_width", [False, True])
@pytest.mark.parametrize("said", ["请各单位于每季度结束后0日内上报。", "每季度末月0日前报送督查室。",
                                  "每月0日前报送进展情况。", "沙政办发〔0219〕2号", "沙政办发〔9999〕2号",
                                  "沙政办发〔0001〕2号 每季度末上报。"],
                         ids=["day0-after", "day0-last-month", "day0-monthly", "y0219", "y9999", "y0001"])
def test_a_day_or_year_no_calendar_has_gives_periods_not_a_traceback(said, full_width):
    """Before, date() and the period ids raised ValueError (day 0, year 10000 or year 1)."""
    r = parse_notice_text(printed(NOTICE.format(said=said), full_width), source="n.txt")
    assert r.plan.year == 2021 and [t.number for t in r.plan.tasks] == ["1", "2"]
    assert all(p.id.startswith("2021") for p in r.plan.periods)
    if "每月" in said:  # monthly, due on the usual 10th
        assert r.plan.periods[0].deadline == "2021-02-10"


@pytest.mark.parametrize("full_width", [False, True])
@pytest.mark.parametrize("head,items", [("一\u3001", "\u2474\u2475"), ("一\u3001", "\u2488\u2489"),
                                        ("\u3220", "12")], ids=["paren", "stop", "cn-paren"])
def test_items_and_headings_numbered_with_enclosed_marks(head, items, full_width):
    """"\u2474" "\u2488" "\u3220" (Word's (1) 1. (一) in one character): before, no item was found."""
    text = (f"关于印发2021年重点任务分解的通知\n{head}主要目标\n{items[0]}"
            f"{'.' if items[0] == '1' else ''}地区生产总值增长8%。(责任单位:区发改局)\n"
            f"{items[1]}{'.' if items[1] == '2' else ''}财政收入增长8%。(牵头单位:区财政局)\n")
    r = parse_notice_text(printed(text, full_width), source="n.txt")
    assert [(t.lead_units, t.responsible_units) for t in r.plan.tasks] == [([], ["区发改局"]),
                                                                           (["区财政局"], [])]
    assert r.plan.tasks[0].section == [head + "主要目标"]


SIGNED = """关于印发2021年重点任务分解的通知
一、主要目标
1.地区生产总值增长8%。(责任单位:区发改局)
2.【牵头单位:区财政局】财政收入增长8%。

青山县人民政府办公室
二〇二一年三月一日
已有0人参与,点击查看更多精彩评论
"""


@pytest.mark.parametrize("full_width", [False, True])
def test_the_signature_and_its_date_are_no_part_of_the_last_item(full_width):
    """An item whose units come first stays open for the lines below: before, the issuer's name,
    a date in Chinese numerals and a comment-box line were read into its text."""
    r = parse_notice_text(printed(SIGNED, full_width), source="n.txt")
    assert fold(r.plan.task("2").text) == "财政收入增长8%。"
    assert r.plan.issuer == "青山县人民政府办公室"
    [junk] = [f for f in r.findings if f.code == "web-junk-removed"]
    assert junk.params["lines"] == "8"


PARTS = """关于印发2021年重点任务分解的通知
第一部分 主要目标
1.地区生产总值增长8%。(责任单位:区发改局)
2.财政收入增长8%。(牵头单位:区财政局)
第二部分\u3000重点任务
1.推进国企改革。(牵头单位:区国资局)
"""


@pytest.mark.parametrize("full_width", [False, True])
def test_part_headings_number_the_items_below_them(full_width):
    """第一部分 … 第二部分: before, no heading: "1." under the second part was a duplicate "1-2"."""
    r = parse_notice_text(printed(PARTS, full_width), source="n.txt")
    assert [t.number for t in r.plan.tasks] == ["第一部分1", "第一部分2", "第二部分1"]
    assert r.plan.task("第二部分1").section == ["第二部分\u3000重点任务"]
    assert "item-number-duplicate" not in codes(r) and "stray-text" not in codes(r)


RUN_IN = """关于印发2021年重点任务分解的通知
一、主要目标1.地区生产总值增长8%。(责任单位:区发改局)
2.财政收入增长8%。(牵头单位:区财政局)
二、重点任务\u30003.推进国企改革。
(牵头单位:区国资局)
4.推进财税改革。(牵头单位:区财政局)
"""


@pytest.mark.parametrize("full_width", [False, True])
def test_a_heading_run_into_its_first_item(full_width):
    """Before, the first item of each heading was read as the heading's words: lost, unreported."""
    r = parse_notice_text(printed(RUN_IN, full_width), source="n.txt")
    assert [(t.number, t.section, t.lead_units or t.responsible_units) for t in r.plan.tasks] == [
        ("1", ["一、主要目标"], ["区发改局"]), ("2", ["一、主要目标"], ["区财政局"]),
        ("3", ["二、重点任务"], ["区国资局"]), ("4", ["二、重点任务"], ["区财政局"])]
    assert fold(r.plan.task("3").text) == "推进国企改革。"


@pytest.mark.parametrize("full_width", [False, True])
def test_annex_list_entries_are_no_items_when_annex_1_has_no_heading(full_width):
    """附件:1.《…》 2.《…》 3.… in the notice, annex 1's own "附件1" line missing: before, the list's
    entries 2. and 3. were read as tasks, and the numbers restarting after them were qualified."""
    text = printed(text_of(SEED_000), full_width)
    want = [t.number for t in parse_notice_text(text, source="n.txt").plan.tasks]
    r = parse_notice_text(re.sub(r"(?m)^附件1\s*$", "", text), source="n.txt")
    assert [t.number for t in r.plan.tasks] == want == [str(n) for n in range(1, 68)]
    assert len(r.annex2) == 40 and r.plan.matrix is not None


@pytest.mark.parametrize("full_width", [False, True])
def test_a_ratio_sign_for_the_colon(full_width):
    """"责任单位\u2236区发改局": before, no unit was read."""
    text = printed(NOTICE.format(said=""), full_width).replace(":", "\u2236").replace("\uff1a", "\u2236")
    r = parse_notice_text(text, source="n.txt")
    assert [(t.lead_units, t.responsible_units) for t in r.plan.tasks] == [([], ["区发改局"]),
                                                                           (["区财政局"], [])]


@pytest.mark.parametrize("full_width", [False, True])
def test_old_mac_line_ends(full_width):
    """Lines ended by "\\r" alone: before, the reporting rule quoted ran on from the title."""
    text = printed(NOTICE.format(said="请于每季度末报送督查室。"), full_width).replace("\n", "\r")
    r = parse_notice_text(text, source="n.txt")
    [f] = [f for f in r.findings if f.code == "periods-from-notice"]
    assert fold(f.params["rule"]) == "请于每季度末报送督查室"


@pytest.mark.parametrize("full_width", [False, True])
def test_annex_2_without_its_heading_is_read(full_width):
    """Only the "附件2" line missing: before, annex 2's table was dropped without a word."""
    text = printed(text_of(SEED_000), full_width)
    whole = parse_notice_text(text, source="n.txt")
    r = parse_notice_text(re.sub(r"(?m)^附件2[^\S\n]*$", "", text), source="n.txt")  # lines kept
    assert [(e.unit, e.tasks) for e in r.annex2] == [(e.unit, e.tasks) for e in whole.annex2]
    assert len(r.annex2) == 40 and r.plan.matrix is not None and len(r.plan.tasks) == 67
    assert "text-not-read" not in codes(r)


BETWEEN = """关于印发2021年重点任务分解的通知
附件1
一、主要目标
1.地区生产总值增长8%。(责任单位:区发改局)
2.财政收入增长8%。(牵头单位:区财政局)

各单位要高度重视,按季度报送进展,确保各项任务按时完成。
附件3
2021年各镇主要经济指标
"""


@pytest.mark.parametrize("full_width", [False, True])
def test_text_after_an_annexs_last_item_that_is_no_table_is_reported(full_width):
    """Before, lines after annex 1's last item (an annex heading missing) were dropped silently."""
    r = parse_notice_text(printed(BETWEEN, full_width), source="n.txt")
    assert [t.number for t in r.plan.tasks] == ["1", "2"]
    [f] = [f for f in r.findings if f.code == "text-not-read"]
    assert f.severity == WARNING and f.line == 7 and f.params["lines"] == "7-7"
    assert fold(f.params["value"]).startswith("各单位要高度重视")


TARGETS_RUN_IN = """关于印发2021年重点任务分解的通知
一、主要目标{sep}(一)地区生产总值增长7.5%左右。责任单位:区发改局
(二)财政收入增长8%。(责任单位:区财政局)
二、重点任务
1.推进国企改革。(牵头单位:区国资局)
2.推进财税改革。(牵头单位:区财政局)
"""


@pytest.mark.parametrize("full_width", [False, True])
@pytest.mark.parametrize("sep", ["", " ", "\u3000"])
def test_a_numbered_target_run_into_its_heading(sep, full_width):
    """"一、主要目标(一)地区生产总值…": before, the target was read as the heading's words, lost."""
    r = parse_notice_text(printed(TARGETS_RUN_IN.format(sep=sep), full_width), source="n.txt")
    own = parse_notice_text(printed(TARGETS_RUN_IN.format(sep="\n"), full_width), source="n.txt")
    got = [(t.number, t.kind, t.section, fold(t.text), t.responsible_units or t.lead_units,
            [(x.label, x.value) for x in t.targets]) for t in r.plan.tasks]
    assert got[0] == ("(一)", "indicator", ["一、主要目标"], "地区生产总值增长7.5%左右。", ["区发改局"],
                      [("地区生产总值增长", 7.5)])
    assert got == [(t.number, t.kind, t.section, fold(t.text), t.responsible_units or t.lead_units,
                    [(x.label, x.value) for x in t.targets]) for t in own.plan.tasks]
    assert len(got) == 4 and codes(r) == ["periods-default"]


WORDED = """关于印发2021年重点任务分解的通知
一、重点任务
{a}推进国企改革。(牵头单位:区国资局)
{b}推进财税改革,一是清理收费;二是减税降费。(牵头单位:区财政局)
"""


@pytest.mark.parametrize("full_width", [False, True])
@pytest.mark.parametrize("a,b", [("第一,", "第二,"), ("第一\uff0c", "第二\uff0c"), ("一是", "二是"),
                                 ("\u2014\u2014", "\u2014\u2014"), ("\u3251", "\u3252"),
                                 ("\u32bf", "\u3251")], ids=["di-yi", "di-yi-fw", "yi-shi", "dashes",
                                                             "circled-21", "circled-50"])
def test_items_numbered_in_words_dashes_or_circled_numbers_past_20(a, b, full_width):
    """第一, / 一是 / —— in a notice numbering its items no other way, ㉑…㊿: before, no item at all."""
    r = parse_notice_text(printed(WORDED.format(a=a, b=b), full_width), source="n.txt")
    assert [(fold(t.text), t.lead_units) for t in r.plan.tasks] == [
        ("推进国企改革。", ["区国资局"]), ("推进财税改革,一是清理收费;二是减税降费。", ["区财政局"])]
    assert [t.section for t in r.plan.tasks] == [["一、重点任务"]] * 2
    want = ["\u3251", "\u3252"] if a == "\u3251" else ["1", "2"]
    if a == "\u32bf":  # 50 then 21: read, the gap reported
        want = ["\u32bf", "\u3251"]
        assert "item-number-gap" in codes(r)
    assert [t.number for t in r.plan.tasks] == want


DASH_TARGETS = """关于印发2021年重点任务分解的通知
一、主要目标
\u2014\u2014地区生产总值增长7.5%左右;
\u2014\u2014财政收入增长8%。(责任单位:区财政局)
\u2014\u2014民生实事
二、重点任务
1.推进国企改革。(牵头单位:区国资局)
2.推进财税改革。(牵头单位:区财政局)
"""


@pytest.mark.parametrize("full_width", [False, True])
def test_dash_targets_above_numbered_tasks(full_width):
    """"——" lines naming units or a target under a target heading are items (before: headings,
    their targets lost); "——民生实事" stays a heading; 一是 inside an item stays its text."""
    r = parse_notice_text(printed(DASH_TARGETS, full_width), source="n.txt")
    assert [(t.number, t.kind, fold(t.text), t.responsible_units) for t in r.plan.tasks] == [
        ("一.1", "indicator", "地区生产总值增长7.5%左右;", []),
        ("一.2", "indicator", "财政收入增长8%。", ["区财政局"]),
        ("二.1", "task", "推进国企改革。", []), ("二.2", "task", "推进财税改革。", [])]
    assert [f.task for f in r.findings if f.code == "missing-responsibility"] == ["一.1"]


NO_COLON = """关于印发2021年重点任务分解的通知
一、主要目标
1.地区生产总值增长8%。({a})
2.财政收入增长8%。
{b}
区财政局、区税务局{c}
3.推进国企改革。(牵头单位:区国资局)
"""


@pytest.mark.parametrize("full_width", [False, True])
@pytest.mark.parametrize("a", ["责任单位 区发改局", "责任单位区发改局", "牵头单位\u3000区发改局;配合单位 区统计局",
                               "牵头单位 区发改局,配合单位区统计局"])
@pytest.mark.parametrize("b", ["责任单位:", "(责任单位:"], ids=["bare", "bracket"])
def test_units_without_a_colon_or_on_the_line_below_their_label(a, b, full_width):
    """"(责任单位 区发改局)", and "责任单位:" alone on its line: before, missing-responsibility."""
    text = NO_COLON.format(a=a, b=b, c=")" if b.startswith("(") else "")
    r = parse_notice_text(printed(text, full_width), source="n.txt")
    one, two, three = r.plan.tasks
    assert (fold(one.text), one.lead_units + one.responsible_units) == (
        "地区生产总值增长8%。", ["区发改局", "区统计局"] if "配合" in a else ["区发改局"])
    assert ("配合" in a) == bool(one.lead_units)
    assert (fold(two.text), two.responsible_units) == ("财政收入增长8%。", ["区财政局", "区税务局"])
    assert three.lead_units == ["区国资局"]
    assert codes(r) == ["periods-default"]


@pytest.mark.parametrize("full_width", [False, True])
@pytest.mark.parametrize("gone", [("3",), ("2", "3")], ids=["annex3", "annex2-and-3"])
def test_annex_3_without_its_heading_is_told_from_annex_2(gone, full_width):
    """The "附件3" line missing: before, the matrix was read over annex 2's cells too
    (annex 2's unit blocks lost, their cells read as matrix rows, matrix-row-length x55)."""
    text = printed(text_of(SEED_000), full_width)
    whole = parse_notice_text(text, source="n.txt")
    r = parse_notice_text(re.sub(rf"(?m)^附件[{''.join(gone)}][^\S\n]*$", "", text), source="n.txt")
    assert [(e.unit, e.tasks, e.leader) for e in r.annex2] == [(e.unit, e.tasks, e.leader) for e in whole.annex2]
    assert len(r.annex2) == 40 and len(r.plan.tasks) == 67
    m, w = r.plan.matrix, whole.plan.matrix
    assert [x.label for x in m.rows] == [x.label for x in w.rows] and len(m.rows) == 12
    assert (m.title, m.values, [c.path for c in m.columns]) == (w.title, w.values, [c.path for c in w.columns])
    assert sorted(codes(r)) == sorted(codes(whole))


LONG_TARGET = """关于印发2021年重点任务分解的通知
各单位:
现将2021年重点任务分解如下,请认真贯彻落实。
一、主要目标
{first}地区生产总值增长7.5%左右,规模以上工业增加值增长8%,固定资产投资增长10%,社会消费品零售总额增长9%。{units}
{second}财政收入增长8%。{units2}
二、重点任务
1.推进国企改革。(牵头单位:区国资局)
2.推进财税改革。(牵头单位:区财政局)
3.推进招商引资。(牵头单位:区商务局)
"""


@pytest.mark.parametrize("full_width", [False, True])
@pytest.mark.parametrize("units", [True, False], ids=["units", "no-units"])
def test_a_numbered_target_longer_than_a_heading_above_the_tasks(units, full_width):
    """A target item over 60 characters above the tasks: before, the search for where the
    body starts stopped at it, and it (with the targets above it) was dropped silently."""
    text = LONG_TARGET.format(first="(一)", second="(二)", units="(责任单位:区发改局)" if units else "",
                              units2="(责任单位:区财政局)" if units else "")
    r = parse_notice_text(printed(text, full_width), source="n.txt")
    got = [(t.number, t.kind, t.responsible_units, [(x.label, x.value) for x in t.targets])
           for t in r.plan.tasks]
    assert got[:2] == [("(一)", "indicator", ["区发改局"] if units else [],
                        [("地区生产总值增长", 7.5), ("规模以上工业增加值增长", 8), ("固定资产投资增长", 10),
                         ("社会消费品零售总额增长", 9)]),
                       ("(二)", "indicator", ["区财政局"] if units else [], [("财政收入增长", 8)])]
    assert [t.number for t in r.plan.tasks[2:]] == ["1", "2", "3"] and r.plan.tasks[2].lead_units == ["区国资局"]
    assert sorted(codes(r)) == ["missing-responsibility"] * 2 * (not units) + ["periods-default"]


@pytest.mark.parametrize("full_width", [False, True])
def test_unnumbered_targets_under_a_target_heading_are_listed(full_width):
    """Unnumbered target lines with no 目标 word under "一、主要目标", above the tasks: target
    paragraphs, listed (before the first fix dropped without a word, then text-before-items)."""
    text = printed(LONG_TARGET.format(first="", second="", units="", units2=""), full_width)
    r = parse_notice_text(text, source="n.txt")
    assert [t.number for t in r.plan.tasks] == ["1", "2", "3"]
    assert [(lt.line, len(lt.targets)) for lt in r.loose_targets] == [(5, 4), (6, 1)]
    assert sorted(codes(r)) == ["periods-default", "unnumbered-targets", "unnumbered-targets"]


@pytest.mark.parametrize("full_width", [False, True])
def test_a_matrix_figure_no_float_holds_is_a_bad_value(full_width):
    """400 digits are infinity as a float: before, rounding it in check_matrix raised."""
    text = text_of(SEED_000).replace("\n95310\n", "\n" + "9" * 400 + "\n", 1)
    r = parse_notice_text(printed(text, full_width), source="n.txt")
    bad = [f.params for f in r.findings if f.code == "bad-matrix-value"]
    assert [(p["row"], p["value"]) for p in bad] == [("岑河镇", "9" * 400)]
    assert [row.label for row in r.plan.matrix.rows] == [
        row.label for row in parse_notice_text(text_of(SEED_000)).plan.matrix.rows]


WRAPPED = """关于印发2025年重点工作任务分解方案的通知
一、保障和改善民生
(1)新建改扩建中小学校12所。
牵头单位:市教育局;责任单位:市发改委、市财政局{wrap}市自然资源和规划局;完成时限:2025年8月底前
(2)改造老旧小区120个。
牵头单位:市住建局
"""


@pytest.mark.parametrize("full_width", [False, True])
@pytest.mark.parametrize("wrap", ["\u3001\n", ",\n", "\u3001"], ids=["dun", "comma", "one-line"])
def test_a_unit_list_wrapped_onto_the_next_line(wrap, full_width):
    """The line below an item wrapped after "\u3001": before, its rest (a unit and the deadline)
    was stray-text, the unit and the deadline lost."""
    r = parse_notice_text(printed(WRAPPED.format(wrap=wrap), full_width), source="n.txt")
    assert [(t.number, fold(t.text), t.lead_units, t.responsible_units, t.deadline) for t in r.plan.tasks] == [
        ("1", "新建改扩建中小学校12所。", ["市教育局"], ["市发改委", "市财政局", "市自然资源和规划局"], "2025年8月底前"),
        ("2", "改造老旧小区120个。", ["市住建局"], [], "")]
    assert codes(r) == ["periods-default"]


TAILS = """关于印发2025年重点工作任务分工方案的通知
一、重点工作任务
1.实施重点项目80个。(县发改局牵头,县住建局、县财政局配合,2025年10月底前完成)
2.新建改建农村公路120公里。(县交通运输局负责)
3.推进全域旅游发展。(县文旅局牵头,县商务局配合;责任领导:王明)
4.推进县人民医院创建三级医院。(县卫健局牵头,县人民医院具体负责)
5.抓好安全生产。(县应急管理局牵头,县安委会各成员单位按职责分工负责)
6.新增茶园面积5000亩。(县农业农村局、县林业局负责)
7.建成县城污水处理厂(二期)。(县住建局牵头)
8.推进医共体建设。(县卫健局牵头,县医保局配合。2025年底前完成)
9.规范财政资金管理。(由县财政局负责)
"""


@pytest.mark.parametrize("full_width", [False, True])
def test_units_before_their_verb_in_the_bracket_ending_the_item(full_width):
    """"(甲牵头,乙配合)" with 负责 alone, 具体负责, a deadline or a 责任领导 in the bracket:
    before, the bracket stayed in the task's text and the task had no units."""
    r = parse_notice_text(printed(TAILS, full_width), source="n.txt")
    assert [(fold(t.text), t.lead_units, t.responsible_units, t.deadline) for t in r.plan.tasks] == [
        ("实施重点项目80个。", ["县发改局"], ["县住建局", "县财政局"], "2025年10月底前完成"),
        ("新建改建农村公路120公里。", [], ["县交通运输局"], ""),
        ("推进全域旅游发展。", ["县文旅局"], ["县商务局"], ""),
        ("推进县人民医院创建三级医院。", ["县卫健局"], ["县人民医院"], ""),
        ("抓好安全生产。", ["县应急管理局"], ["县安委会各成员单位"], ""),
        ("新增茶园面积5000亩。", [], ["县农业农村局", "县林业局"], ""),
        ("建成县城污水处理厂(二期)。", ["县住建局"], [], ""),
        ("推进医共体建设。", ["县卫健局"], ["县医保局"], "2025年底前完成"),
        ("规范财政资金管理。", [], ["县财政局"], "")]
    assert [(f.code, f.task, f.params.get("value")) for f in r.findings if f.code.startswith(("leader", "missing"))] == [
        ("leader-in-responsibility", "3", "王明")]


RESTART = """关于印发2025年重点工作任务分解方案的通知
一、稳住经济增长(1)地区生产总值增长6%左右。
牵头单位:市发改委
(2)一般公共预算收入增长5%。
牵头单位:市财政局
二、深化改革开放{sep}(1)深化国资国企改革。
牵头单位:市国资委
"""


@pytest.mark.parametrize("full_width", [False, True])
@pytest.mark.parametrize("sep", ["", "\u3000", "\n"], ids=["run-in", "space", "own-line"])
def test_a_heading_run_into_an_item_numbered_from_1_again(sep, full_width):
    """"二、深化改革开放(1)深化…" with the units on the line below: before, the item was read as
    the heading's words, lost, its units stray-text."""
    r = parse_notice_text(printed(RESTART.format(sep=sep), full_width), source="n.txt")
    assert [(t.number, t.section, fold(t.text), t.lead_units) for t in r.plan.tasks] == [
        ("一.1", ["一、稳住经济增长"], "地区生产总值增长6%左右。", ["市发改委"]),
        ("一.2", ["一、稳住经济增长"], "一般公共预算收入增长5%。", ["市财政局"]),
        ("二.1", ["二、深化改革开放"], "深化国资国企改革。", ["市国资委"])]
    assert codes(r) == ["periods-default"]


BELOW = DATA / "family" / "family_08_binjiang_below.txt"
TAILED = DATA / "family" / "family_09_shiqiao_tails.txt"
BARE = DATA / "family" / "family_10_anping_bare.txt"
MARKS = DATA / "family" / "family_11_dongcheng_marks.txt"
DIGITS = DATA / "family" / "family_12_nanhu_fullwidth_digits.txt"
HEADING_LEADS = DATA / "family" / "family_13_xihu_heading_leads.txt"
TAB_MATRIX = DATA / "family" / "family_14_anping_tab_matrix.txt"
SHISHI = DATA / "family" / "family_15_county_shishi.txt"
PDF_COPY = DATA / "family" / "family_16_city_wrapped.txt"


@pytest.mark.parametrize("full_width", [False, True])
def test_family_08_units_on_the_line_below_each_item(full_width):
    """(1)… under every 一、 with 牵头单位/责任单位/完成时限 on the line(s) below: every task read."""
    r = parse_notice_text(text_of(BELOW) if full_width else fold(text_of(BELOW)), source="n.txt")
    got = [(t.number, len(t.responsible_units), t.lead_units, t.deadline) for t in r.plan.tasks]
    assert got == [("一.1", 2, ["市发改委"], "2025年12月底"), ("一.2", 1, ["市财政局"], "2025年12月底"),
                   ("一.3", 3, ["市发改委"], "2025年12月底"), ("一.4", 2, ["市商务局"], "2025年12月底"),
                   ("二.1", 0, ["市国资委"], "2025年9月底"), ("二.2", 3, ["市政务服务管理局"], "2025年6月底"),
                   ("二.3", 2, ["市商务局"], "长期坚持"), ("三.1", 1, ["市人社局"], "2025年12月底"),
                   ("三.2", 3, ["市教育局"], "2025年8月底前"), ("三.3", 2, ["市住建局"], "2025年11月底"),
                   ("三.4", 2, ["市卫生健康委"], "2025年12月底"), ("四.1", 1, ["市应急管理局"], "长期坚持"),
                   ("四.2", 2, ["市农业农村局"], "2025年10月底")]
    assert r.plan.tasks[8].responsible_units == ["市发改委", "市财政局", "市自然资源和规划局"]
    assert sorted(codes(r)) == ["group-empty-fill"] * 2 + ["leader-in-responsibility", "periods-from-notice"]


@pytest.mark.parametrize("full_width", [False, True])
def test_family_09_units_before_their_verb(full_width):
    """Every item ending "(甲牵头,乙配合…)" without a keyword: every task has its units."""
    r = parse_notice_text(text_of(TAILED) if full_width else fold(text_of(TAILED)), source="n.txt")
    assert [t.number for t in r.plan.tasks] == [str(n) for n in range(1, 16)]
    assert [(len(t.lead_units), len(t.responsible_units)) for t in r.plan.tasks] == [
        (1, 1), (1, 2), (0, 2), (1, 3), (2, 1), (1, 2), (1, 2), (1, 2), (1, 2), (0, 1), (1, 2), (1, 4), (1, 1),
        (1, 1), (1, 1)]
    assert [t.deadline for t in r.plan.tasks if t.deadline] == ["2025年10月底前完成", "2025年9月底前完成"]
    assert [fold(t.text)[-1] for t in r.plan.tasks] == ["。"] * 15  # no bracket left in a task's text
    assert "missing-responsibility" not in codes(r)


@pytest.mark.parametrize("full_width", [False, True])
def test_family_10_unit_names_alone_in_the_closing_bracket(full_width):
    """"(区住建局,各街道办事处)" with no verb, a time in a bracket of its own on either side,
    a bracket in the text that names no unit; reports due 5 working days after each quarter."""
    r = parse_notice_text(text_of(BARE) if full_width else fold(text_of(BARE)), source="n.txt")
    got = [(t.number, t.lead_units, t.responsible_units, t.deadline) for t in r.plan.tasks]
    assert got == [("1", [], ["区发改局", "区统计局"], ""), ("2", [], ["区财政局", "区税务局"], ""),
                   ("3", ["区发改局"], ["区住建局", "区自然资源局"], "12月底前完成"),
                   ("4", [], ["区发改局"], "6月底前完成"), ("5", [], ["区住建局", "各街道办事处"], ""),
                   ("6", [], ["区城管局"], ""), ("7", [], ["区发改局", "区供电公司"], ""),
                   ("8", ["区教育局"], ["区财政局"], "")]
    assert fold(r.plan.tasks[6].text) == "建成国家级充电示范站2个(国家级示范站)。"
    # weekends, 清明 (4-5 Apr 2024) and 国庆 skipped; the year's 调休 unknown, so said
    due = ["2024-04-09", "2024-07-05", "2024-10-14", "2025-01-08"]
    assert [p.deadline for p in r.plan.periods] == due
    [said] = [f for f in r.findings if f.code == "periods-from-notice"]
    assert said.value.startswith("按工作日推算(未计调休和补休,各期请核对):2024-04-09")
    # the preamble's "5个工作日" is neither a target paragraph nor text before the items
    assert sorted(codes(r)) == ["group-empty-fill", "periods-from-notice"] and not r.loose_targets


@pytest.mark.parametrize("full_width", [False, True])
def test_family_11_lead_marked_in_the_list_and_brackets_inside_the_closing_one(full_width):
    """"区发改局(牵头)" leads; "(…各镇(街道)配合)" and "(区商务局负责)①…②…" are read; the
    sub-items' targets lose their ①; two groups joined by 及 are two (before: 3 tasks without
    units and a unit named "区发改局(牵头)")."""
    r = parse_notice_text(text_of(MARKS) if full_width else fold(text_of(MARKS)), source="n.txt")
    got = [(t.number, t.lead_units, [fold(u) for u in t.responsible_units]) for t in r.plan.tasks]
    assert got == [("1", ["区发改局"], ["区统计局"]), ("2", ["区发改局"], ["区住建局", "各镇(街道)"]),
                   ("3", ["区商务局"], ["区统计局"]), ("4", ["区行政审批局"], ["区直有关部门"]),
                   ("5", [], ["区商务局"]), ("6", ["区交通局"], ["各镇(街道)"]),
                   ("7", ["区人社局"], ["区直有关部门", "各镇(街道)"])]
    five = r.plan.task("5")
    assert [g.label for g in five.targets] == ["实际利用外资", "引进世界500强企业", "新设外资企业"]
    assert fold(five.text) == "实际利用外资1.2亿美元。\u2460引进世界500强企业2家;\u2461新设外资企业10家。"
    assert fold(r.plan.task("6").text) == "新建改建农村公路50公里\u2605。"
    assert "区发改局(牵头)" not in [fold(u.name) for u in r.plan.units]
    assert sorted(set(codes(r))) == ["group-empty-fill", "leader-in-responsibility",
                                     "periods-from-notice", "run-together-units-split"]


@pytest.mark.parametrize("full_width", [False, True])
def test_family_12_fullwidth_digits_and_a_campaign_named_in_book_marks(full_width):
    """Full-width digits read as numbers and kept as printed; "关于印发《…分解方案》的通知" names
    the campaign without the marks; a bare verb's target is named by the words after its
    number; a time limit in working days is a ceiling (before: "完成", "个", ">=")."""
    r = parse_notice_text(text_of(DIGITS) if full_width else fold(text_of(DIGITS)), source="n.txt")
    p = r.plan
    assert p.title == "南湖区2022年政府工作报告重点工作任务"
    got = [(t.number, t.lead_units, t.responsible_units, [(g.label, g.value, g.measure, g.direction)
                                                          for g in t.targets]) for t in p.tasks]
    assert [(n, lead, resp) for n, lead, resp, _ in got] == [
        ("一", ["区发改局"], ["各镇街", "区直有关单位"]), ("二", ["区经信局"], ["区统计局"]),
        ("三", [p.tasks[2].lead_units[0]], ["区发改局"]),
        ("四", ["区政务服务中心"], ["区市场监管局", "区税务局"])]
    assert fold(p.tasks[2].lead_units[0]) == "区国资办(区财政局)"
    assert [g for *_, g in got] == [[("地区生产总值增长", 7.0, "%", "=")],
                                   [("规模以上工业增加值增长", 9.0, "%", ">=")],
                                   [("完成区属国企混改", 3.0, "家", ">=")],
                                   [("企业开办时间", 1.0, "个工作日", "<=")]]
    printed_due = "\uff12\uff10\uff12\uff12年\uff11\uff12月"
    assert p.tasks[2].deadline == (printed_due if full_width else fold(printed_due))  # as printed
    assert [x.deadline for x in p.periods] == ["2022-03-20", "2022-06-20", "2022-09-20", "2022-12-20"]


@pytest.mark.parametrize("full_width", [False, True])
def test_family_13_a_heading_names_the_lead_and_a_dash_closes_an_item(full_width):
    """"(一)…(牵头单位:县工信局)" leads the items under it that name only 责任单位 (before: no
    lead); "…1800人。——县人社局" gives the item its unit (before: missing-responsibility)."""
    text = text_of(HEADING_LEADS)
    r = parse_notice_text(text if full_width else fold(text), source="n.txt")
    got = [(t.number, fold(t.text), t.lead_units, t.responsible_units) for t in r.plan.tasks]
    assert got == [
        ("1", "新增规上工业企业12家。", ["县工信局"], ["县工信局", "各乡镇人民政府"]),
        ("2", "技改投资增长15%。", ["县工信局"], ["县工信局"]),
        ("3", "粮食播种面积稳定在45万亩以上。", ["县农业农村局"], ["各乡镇人民政府"]),
        ("4", "新建高标准农田2万亩。", ["县农业农村局"], ["县农业农村局", "县财政局", "县自然资源局"]),
        ("5", "城镇新增就业1800人。", [], ["县人社局"]),
        ("6", "新改建农村公路80公里。", [], ["县交通运输局", "各乡镇人民政府"]),
        ("7", "新增养老床位300张。", ["县民政局"], ["县卫健委", "县财政局"])]
    assert r.plan.title == "2025年县政府工作报告重点任务"  # (…责任分工的通知)
    assert sorted(codes(r)) == ["group-empty-fill", "periods-from-notice"]


def test_word_table_whose_unit_cell_marks_its_lead(tmp_path):
    """A .docx whose annex is a Word table 序号|重点任务|责任单位|完成时限 with section rows
    merged across, the lead marked in the unit cell ("区发改局(牵头)、区统计局")."""
    import docx

    from xltools.parse import parse_notice_file

    d = docx.Document()
    for line in ["北湖区人民政府办公室关于印发2024年区政府工作报告重点任务分解表的通知",
                 "现将分解表印发给你们,请于每季度结束后10日内将完成情况报区政府督查室。",
                 "北湖区人民政府办公室", "2024年1月20日", "附件", "2024年区政府工作报告重点任务分解表"]:
        d.add_paragraph(restore_marks(line))
    rows = [("序号", "重点任务", "责任单位", "完成时限"), ("一、主要预期目标",),
            ("1", "地区生产总值增长6%左右", "区发改局(牵头)、区统计局", "全年"),
            ("二、重点工作",), ("2", "新建5G基站300个", "区工信局(牵头),各街道办事处", "9月底前"),
            ("3", "完成老旧小区改造15个", "区住建局", "11月底前")]
    table = d.add_table(rows=len(rows), cols=4)
    for i, row in enumerate(rows):
        if len(row) == 1:  # a section row: one cell across the table
            table.cell(i, 0).merge(table.cell(i, 3)).text = row[0]
        for j, value in enumerate(row if len(row) > 1 else ()):
            table.cell(i, j).text = restore_marks(value)
    d.save(tmp_path / "n.docx")
    r = parse_notice_file(tmp_path / "n.docx")
    got = [(t.number, t.kind, t.lead_units, t.responsible_units, t.deadline) for t in r.plan.tasks]
    assert got == [("1", "indicator", ["区发改局"], ["区统计局"], "全年"),
                   ("2", "task", ["区工信局"], ["各街道办事处"], "9月底前"),
                   ("3", "task", [], ["区住建局"], "11月底前")]
    assert r.plan.title == "2024年区政府工作报告重点任务"


@pytest.mark.parametrize("full_width", [False, True])
def test_family_14_a_town_matrix_in_rows_of_tab_separated_cells(full_width):
    """附件2's rows "东城街道<TAB>6.5<TAB>8…" under the corner 街道 are the town matrix (before:
    no matrix and not a word); the subdistricts it lists are the group 各街道办事处."""
    text = text_of(TAB_MATRIX)
    r = parse_notice_text(text if full_width else fold(text), source="n.txt")
    m = r.plan.matrix
    assert [(c.path, c.measure) for c in m.columns] == [
        (["地区生产总值增速"], "%"), (["规上工业增加值增速"], "%"), (["固定资产投资"], "亿元"),
        (["社会消费品零售总额"], "亿元")]
    assert [(row.label, row.kind) for row in m.rows] == [
        ("东城街道", "town"), ("西城街道", "town"), ("南湖街道", "town"), ("北山街道", "town"),
        ("合计", "total")]
    assert [m.value("北山街道", c.key) for c in m.columns] == ["5.5", "\\", "12.5", "50"]
    assert len(r.plan.tasks) == 8
    assert sorted(codes(r)) == ["group-members-inferred", "leader-in-responsibility",
                                "periods-from-notice"]


def test_an_annex_table_that_cannot_be_read_is_said():
    """A corner cell no rule knows ("名目"): the annex is named as not read, never dropped."""
    text = fold(text_of(TAB_MATRIX)).replace("街道\t地区生产总值", "名目\t地区生产总值")
    r = parse_notice_text(text, source="n.txt")
    [f] = [f for f in r.findings if f.code == "annex-not-read"]
    assert (r.plan.matrix, f.value, f.severity) == (None, "2", WARNING)
    assert f.params["lines"] == f"{f.line}-{f.line + 7}"


@pytest.mark.parametrize("full_width", [False, True])
def test_family_15_items_numbered_one_two_three_with_nothing_below(full_width):
    """一、… items each closed by its units, in a notice whose title names only 民生实事 (before:
    no-items-found, nothing read); 妇联, 残联 and 团县委 are bodies' names."""
    text = text_of(SHISHI)
    r = parse_notice_text(text if full_width else fold(text), source="n.txt")
    got = [(t.number, t.kind, t.lead_units, t.responsible_units) for t in r.plan.tasks]
    assert got == [("一", "practical_matter", [], ["县教育局"]),
                   ("二", "practical_matter", [], ["县住建局", "县民政局"]),
                   ("三", "practical_matter", [], ["县卫健局", "县妇联"]),
                   ("四", "practical_matter", [], ["团县委", "县妇联"]),
                   ("五", "practical_matter", [], ["县残联"]),
                   ("六", "practical_matter", ["县民政局"], ["各乡镇人民政府"])]
    assert [len(t.targets) for t in r.plan.tasks] == [2, 1, 1, 1, 1, 1]
    assert sorted(codes(r)) == ["group-empty-fill", "periods-from-notice"]


@pytest.mark.parametrize("full_width", [False, True])
def test_family_16_lines_broken_anywhere_and_two_items_on_one_line(full_width):
    """A PDF copy: words broken across lines are joined; "…(牵头单位:市发改委;…)4.新增…" is two
    items (before: item 4 inside item 3, its target labelled "4.新增市场主体", a number gap)."""
    text = text_of(PDF_COPY)
    r = parse_notice_text(text if full_width else fold(text), source="n.txt")
    got = [(t.number, t.lead_units, t.responsible_units, [g.label for g in t.targets])
           for t in r.plan.tasks]
    assert got == [("1", ["市发改委"], ["市财政局", "市统计局"], ["地区生产总值增长", "一般公共预算收入增长"]),
                   ("2", ["市人社局"], [], ["城镇新增就业", "城镇调查失业率"]),
                   ("3", ["市发改委"], ["各区人民政府"], ["实施重大项目", "完成投资"]),
                   ("4", ["市市场监管局"], [], ["新增市场主体"]),
                   ("5", ["市政务服务中心"], ["市直各部门"], ["政务服务事项网上可办率"])]
    assert fold(r.plan.task("3").text) == "实施重大项目200个,完成投资800亿元。"
    assert "item-number-gap" not in codes(r)
