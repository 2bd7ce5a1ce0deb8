"""The notice's title, document number, year, issuer and reporting periods."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from ..model.findings import Finding, finding
from ..model.glossary import strip_endings
from ..model.periods import make_period, quarterly
from ..model.plan import Period
from .fold import fold

DOC_NO_RE = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[【(\uff08]\s*(\d{4})\s*[〕\]】)\uff09]\s*\d+\s*号")
_TITLE_RE = re.compile(r"关于.{2,80}?(通知|意见|方案|分解|安排)")
_ISSUER_RE = re.compile(r"([区市县州]政府(督办室|督查室|督查办|督办科|督查科|督查督办室|督查督办科|"
                        r"办公室督查室|办公室))")
_MD = r"(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_DAY = r"0?([1-9]\d?)\s*"  # a day of the month: never 0 (a typo no date has)


def find_doc_number(text: str) -> str:
    m = DOC_NO_RE.search(text[:3000])
    return re.sub(r"\s+", "", m.group(0)) if m else ""


def _title_candidates(lines: list[str]):
    """Each line, then each title printed over several lines (关于… on one, …的通知 below)."""
    for i, line in enumerate(lines):
        s = line.strip()
        yield s
        if "关于" not in s or _TITLE_RE.search(s) or len(s) > 60:
            continue
        joined, taken = s, 0
        for nxt in lines[i + 1:i + 8]:
            if not (t := nxt.strip()):
                continue
            if len(t) > 40 or re.search(r"[。;:\uff1b\uff1a]", t):
                break
            joined += t
            taken += 1
            if _TITLE_RE.search(joined) or taken == 4:
                break
        if _TITLE_RE.search(joined):
            yield joined


def find_title(text: str) -> str:
    """The notice's title as printed (over several lines too), without its document number."""
    for s in _title_candidates(text.splitlines()[:40]):
        if _TITLE_RE.search(s) and len(s) <= 120:
            s = re.sub(r"[(\uff08]\s*[)\uff09]", "", DOC_NO_RE.sub("", s))
            return "".join(s.split())
    for line in text.splitlines()[:40]:  # a title without 关于: the first short heading line
        s = "".join(line.split())
        if 6 <= len(s) <= 60 and ("分解" in s or "任务" in s) and not s.endswith(("。", ":", "\uff1a")):
            return s
    return ""


_CAMPAIGN_RE = re.compile(r"关于(?:印发|分解落实|分解|落实|下达)?(.+?)(?:的)?(?:通知|意见)$")
# (never 任务分解: "重点任务分解表" is the breakdown of the 重点任务)
_CAMPAIGN_ENDINGS = ("责任分解表", "分解意见", "分解方案", "责任分解", "分解表", "分解", "分工方案",
                     "责任分工", "分工", "意见", "方案")


BREAKDOWN_ENDINGS = ("分解意见", "责任分解", "任务分解", "分解表", "分解方案", "责任分工", "分工方案",
                     "分工表", "任务清单", "责任清单")
_ANNEX1_LISTED = re.compile(r"附件\s*:?\s*1\s*[.\u3001]\s*(\S.*)$")
_ONLY_ANNEX_LISTED = re.compile(r"附件\s*:\s*(?!\d{1,2}\s*[.\u3001])(\S.*)$")  # 附件:…分工表 (the one annex, unnumbered)
_SENTENCE_MARKS = frozenset(",;:\u3002")  # folded , ; : and 。: a heading has none
_ANNEX_LIST_HEAD = re.compile(r"附件\s*:\s*$")
_LIST_ENTRY = re.compile(r"(\d{1,2})\s*[.\u3001]\s*(\S.*)$")


def find_breakdown_title(text: str) -> str:
    """附件1's heading as printed: the first short line standing alone that names a task
    breakdown (《政府工作报告》目标任务分解意见), else the title the annex list gives
    (附件:1.《…》…), else ""; never the notice's own 关于…的通知 title."""
    listed = ""
    in_list = False  # after "附件:" (the list's entries follow, one a line)
    for raw in text.splitlines()[:400]:
        line = raw.strip()
        folded = fold(line)
        m = _ANNEX1_LISTED.match(folded)
        if m and not listed:
            listed, in_list = line[m.start(1):].strip(), True
            continue
        if _ANNEX_LIST_HEAD.match(folded):
            in_list = True
            continue
        if (m := _ONLY_ANNEX_LISTED.match(folded)) and not listed:
            listed = line[m.start(1):].strip()
            continue
        if e := _LIST_ENTRY.match(folded):
            # "3.2021年各镇主要经济指标分解表" under 附件:1.…: another annex's entry in the
            # list (a numbered line is never a heading standing alone)
            if e.group(1) == "1" and in_list and not listed:
                listed = line[e.start(2):].strip()
            continue
        if (4 < len(line) <= 50 and line.endswith(BREAKDOWN_ENDINGS) and "\u5173\u4e8e" not in line
                and not _SENTENCE_MARKS & set(folded)):  # 关于
            return line
    return listed


# the document kinds a breakdown's name ends in: 意见 方案 表 分解 分工
_DOC_KINDS = ("\u610f\u89c1", "\u65b9\u6848", "\u8868", "\u5206\u89e3", "\u5206\u5de5")


def breakdown_title_check(heading: str, notice_title: str, src: str) -> list[Finding]:
    """The notice's title and 附件1's own heading naming the breakdown differently (重点任务
    in one, 目标任务 in the other): a mistake of the document, shown, never corrected."""
    # 关于(印发)…(的)通知
    named = re.search(r"\u5173\u4e8e(?:\u5370\u53d1)?(.+?)(?:\u7684)?\u901a\u77e5",
                      "".join(notice_title.split()))
    if not heading or not named:
        return []
    said, own = named.group(1), "".join(fold(heading).split())
    if not said.endswith(BREAKDOWN_ENDINGS):
        return []
    # 分解方案 over a 分解表 is the usual pair: compare what comes before the kind
    a, b = strip_endings(said, _DOC_KINDS), strip_endings(own, _DOC_KINDS)
    if a == b or a.endswith(b) or b.endswith(a):
        return []
    return [finding("breakdown-title-differs", file=src, value=said, heading=heading)]


def campaign_title(notice_title: str, year: int) -> str:
    """The campaign the forms belong to: 关于印发《政府工作报告》重点任务分解意见的通知 ->
    2019年《政府工作报告》重点任务. Falls back to the notice title."""
    m = _CAMPAIGN_RE.search(notice_title)
    named = m.group(1) if m else ""
    if (inner := re.fullmatch(r"《([^《》]+)》", named)) and inner[1].endswith(BREAKDOWN_ENDINGS):
        named = inner[1]  # 关于印发《…分解方案》的通知: the name of the breakdown, not a document's
    core = strip_endings(named, _CAMPAIGN_ENDINGS)
    if not core:
        return notice_title
    if year and not re.search(r"\d{4}\s*年", core) and not _CN_YEAR_RE.search(core):
        core = f"{year}年{core}"
    return core


_CN_YEAR_RE = re.compile("([二][〇○零O\uff2f][一二三四五六七八九〇○零O\uff2f]{2})\\s*年")


def chinese_year(s: str) -> int:
    """"二〇二一" → 2021 (each character one digit, as years are printed; 〇 ○ 零 O are 0)."""
    return int("".join(str(max(0, "〇一二三四五六七八九".find(ch))) for ch in s))


def find_year(text: str, doc_number: str) -> int:
    """The working year: the document number's, else the most printed 20xx年 (二〇二一年 too)."""
    if m := re.search(r"((?:19|20)\d{2})", doc_number):  # 〔0219〕 is a typo, no year
        return int(m.group(1))
    years: Counter[int] = Counter()
    for part in (text[:5000], text[-3000:]):  # else the year only in the signature date at the end
        if not years:
            years.update(int(y) for y in re.findall(r"(20\d{2})\s*年", part))
            years.update(chinese_year(y) for y in _CN_YEAR_RE.findall(part))
    return years.most_common(1)[0][0] if years else 0


ISSUER_BODY_RE = re.compile(r"^([\u4e00-\u9fff]{2,24}?(?:人民政府办公室|人民政府办公厅|政府办公室|人民政府|"
                            r"督查室|督办室|办公室|办公厅|委员会|政府))(?:文件)?$")
_DATE_LINE_RE = re.compile(r"^(\d{4}|[二〇○零一二三四五六七八九]{4})\s*年.{1,6}月.{1,6}日$")


def find_issuer(text: str) -> str:
    """The office forms are sent to (区政府督办室), else the 发文机关 (a header line or the
    signature above the date), else the sender printed before 关于 in the title; never
    words of the title itself."""
    if (m := _ISSUER_RE.search(text)) and "督" in m.group(1):
        return m.group(1)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, s in enumerate(lines[-40:]):  # 落款: the body's name right above the date
        b = ISSUER_BODY_RE.match("".join(s.split()))
        if b and any(_DATE_LINE_RE.match("".join(r.split())) for r in lines[-40:][i + 1:i + 3]):
            return b.group(1)
    for s in lines[:6]:  # 发文机关标志: "清江市人民政府办公室文件"
        if b := ISSUER_BODY_RE.match("".join(s.split())):
            return b.group(1)
    head = find_title(text).split("关于", 1)
    t = ISSUER_BODY_RE.match(head[0]) if len(head) == 2 and head[0] else None
    return t.group(1) if t else ""


# the notice's own sentences on reporting: their numbers are days and dates, never targets
REPORTING_RE = re.compile(r"上报|报送|报至|送报|报区|报市|报县")


def find_periods(text: str, year: int, source: str = "") -> tuple[list[Period], list[Finding]]:
    """Quarterly periods with the deadlines the notice states, or the usual ones."""
    if not year:
        return [], []

    def stated(periods: list[Period], value: str, s: str):
        return periods, [finding("periods-from-notice", file=source, value=value, rule=s.strip()[:60])]

    def due(ds: list[date], s: str):
        return stated(quarterly(year, ds), "、".join(d.isoformat() for d in ds), s)

    sentences = [s for s in re.split(r"[。;\uff1b\n]", text) if REPORTING_RE.search(s)]
    for s in sentences:
        if re.search(r"每月", s):
            day = int(d.group(1)) if (d := re.search(r"(?:每月|次月)\s*" + _DAY + "日", s)) else 10
            months = [make_period(f"{year}M{m:02d}", None, day) for m in range(1, 13)]
            return stated(months, "每月", s)
        if re.search(r"每半年|半年报|每年\s*[67]\s*月", s) and not re.search(r"季度", s):
            return stated([make_period(f"{year}H1"), make_period(f"{year}H2")], "每半年", s)
    for s in sentences:
        dates = re.findall(_MD, s)
        if len(dates) >= 3 and "季" in s or len(dates) >= 4:
            if ds := _quarter_deadlines(dates, year):
                return due(ds, s)
        # 每季度末月20日前 / 每季度最后一个月20日前: the 20th of each quarter's last month
        if m := re.search(r"(每季度|每季)(?:末月|最后一个月)\s*" + _DAY + "日", s):
            return due([d.replace(day=min(int(m.group(2)), d.day)) for d in _quarter_ends(year)], s)
        # before the plain 季度末: "每季度末后5日内", "每季度末次月5日前" fall due in the next month
        m = re.search(r"(每季度|每季|季度)末?(结束后|终了后|后)\s*" + _DAY + "(日|天|个工作日)", s) or \
            re.search(r"(每季度|每季)(第一个月|首月)\s*" + _DAY + "日", s) or \
            re.search(r"(每季度|每季|季度)([^。;\d]{0,8}?次月)\s*" + _DAY + "日", s)
        if m and "工作日" in m.group(0):  # counted from each quarter's end, holidays skipped
            ds = [_working_days_after(d, int(m.group(3))) for d in _quarter_ends(year)]
            said = "按工作日推算(未计调休和补休,各期请核对):" + "、".join(map(str, ds))
            return stated(quarterly(year, ds), said, s)
        if m:
            day = min(int(m.group(3)), 28)  # that day of the month after each quarter
            return due([date(year, 4, day), date(year, 7, day), date(year, 10, day),
                        date(year + 1, 1, day)], s)
        if re.search(r"每季度末|每季末|季度末", s):
            return stated(quarterly(year, _quarter_ends(year)), "每季度末", s)
    return quarterly(year), [finding("periods-default", file=source, value=year)]


def _working_days_after(end: date, n: int) -> date:
    """The n-th working day after `end`: weekends, 元旦, 清明 and 国庆 (1-7 Oct) skipped. A
    year's own calendar (调休, a holiday moved or made longer) is not known here: said, to check."""
    yy = end.year % 100  # 清明 (2000-2099) and the weekday its three days off take with it
    qingming = date(end.year, 4, int(yy * 0.2422 + 4.81) - yy // 4)
    shift = {5: 2, 6: 1, 1: -1, 3: 1}.get(qingming.weekday(), 0)  # Sat/Sun: Mon; Tue: Mon; Thu: Fri
    off = {qingming, qingming + timedelta(days=shift)}
    d = end
    while n > 0:
        d += timedelta(days=1)
        n -= d.weekday() < 5 and d not in off and (d.month, d.day) != (1, 1) \
            and not (d.month == 10 and d.day <= 7)
    return d


def _quarter_ends(year: int) -> list[date]:
    return [date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)]


def _quarter_deadlines(dates: list[tuple[str, str]], year: int) -> list[date]:
    """"4月10日、7月10日、10月10日、次年1月10日" → four dates after each quarter's end."""
    out: list[date] = []
    for mo, d in dates:
        m = int(mo)  # a month before the last: the year-end report, in the next year (once)
        y = out[-1].year + (m < out[-1].month and out[-1].year == year) if out else year
        try:
            out.append(date(y, m, int(d)))
        except ValueError:  # no such month or day
            return []
    out = out[:4]
    # three dates ("4月10日、7月10日、10月10日") are no schedule: the year-end report follows
    # in January; a deadline before its quarter's end is none either
    if len(out) != 4 or any(d < e for d, e in zip(out, _quarter_ends(year))):
        return []
    return out
