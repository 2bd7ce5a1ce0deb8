"""Targets: the quantities printed in a task's text, with measure and direction.

"地区生产总值增长8.5%" → Target(地区生产总值增长, 8.5, %, >=, growth) ;
"控制在4.5%以内" → direction <= ; "130亿元以上" → >= ; "7.5%左右" → = .
Pure functions on strings.
"""
from __future__ import annotations

import re

from ..model.plan import Target

# Measures, longest first so that 万亩 wins over 亩 and 万人次 over 万人.
MEASURES = sorted((
    "%", "\uff05", "个百分点", "百分点", "万元", "亿元", "元", "万美元", "亿美元", "美元",
    "万人次", "人次", "万人", "人", "户", "万户", "家", "个", "项", "万亩", "亩", "公顷",
    "公里", "千米", "米", "平方公里", "平方米", "万平方米", "吨", "万吨", "座", "所", "条", "处",
    "台", "辆", "套", "间", "张", "场", "件", "宗", "批", "名", "头", "万头", "株", "万株",
    "棵", "栋", "幢", "例", "千瓦", "万千瓦", "兆瓦", "千伏", "标准箱", "万标箱", "床",
    "万千瓦时", "千瓦时", "立方米", "万立方米", "倍", "天", "公斤", "千克", "个工作日", "工作日",
), key=len, reverse=True)
# 247,779 (thousands separated, either comma width) is one number, not 779.
_NUM = r"(?<![\dA-Za-z.\uff0e\-,\uff0c])(\d{1,3}(?:[,\uff0c]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_TARGET_RE = re.compile(_NUM + r"\s*(" + "|".join(re.escape(m) for m in MEASURES) + r")"
                        r"(以上|以内|以下|左右|之内|及以上|或以上|内)?")
_GROWTH_WORDS = ("增长", "增速", "增幅", "提高", "提升", "下降", "降低", "减少", "增加")
_LE_HINTS = ("控制在", "不超过", "不高于", "低于", "压缩至", "压缩到", "压减至", "缩短至", "缩短到",
             "降至", "降到", "降低至", "降低到", "下降到")
_FILLERS = ("力争", "确保", "争取", "努力", "全年", "今年", "年内", "其中", "实现", "着力",
            "同比", "比上年", "较上年", "全市", "全区")
_BARE_VERBS = ("完成", "新增", "新建", "建成", "实施", "引进", "培育", "改造", "开工", "新开工",
               "创建", "建设", "打造", "举办", "开展", "培训", "招引", "签约", "落地", "帮扶")
_LINKS = ("达到", "达", "控制在", "保持在", "稳定在", "超过", "突破", "不低于", "不少于",
          "不高于", "不超过", "为", "在", "至", "到",
          *(v + to for v in ("提高", "提升", "降", "降低", "下降", "压缩", "缩短", "压减", "增加", "扩大")
            for to in ("至", "到")))  # (…占比提升至60%: the level, named without its verb)
_CLAUSE_SEPS = "。;\uff1b,\uff0c:\uff1a"  # 、 lists adjectives too (国家级、省级…): handled by prev_end
_SEP_RE = re.compile(f"[{_CLAUSE_SEPS}]")


def extract_targets(text: str) -> list[Target]:
    """Every quantity of the text that looks like a target, in printed order."""
    out: list[Target] = []
    prev_end = 0
    start_at = None  # "由5个工作日压缩至3个": where the starting figure's 由 stands
    for m in _TARGET_RE.finditer(text):
        value_s, measure, tail = m.group(1), m.group(2), m.group(3) or ""
        if _looks_like_date_or_code(text, m):
            continue
        clause_start = max(_last_sep(text, m.start()), prev_end)
        if text[max(0, m.start() - 1):m.start()] in ("由", "从"):  # a starting figure: no target
            start_at = m.start() - 1
            continue
        label_raw = subject = text[clause_start:m.start()]  # (label_raw says the direction)
        if start_at is not None and start_at >= clause_start:  # what went 由… names the target
            subject, start_at = text[clause_start:start_at], None
        growth = any(label_raw.rstrip().endswith(w) or label_raw.rstrip()[-6:].find(w) >= 0
                     for w in _GROWTH_WORDS) and measure in ("%", "\uff05", "个百分点", "百分点") \
            and not re.search(r"[至到]\s*$", label_raw)  # (提高至42%: the level reached, no growth)
        label = _clean_label(subject.lstrip("、 "), keep_growth=growth)
        if len(label) <= 1:
            label = _following_words(text, m.end())
        elif label in _BARE_VERBS:  # "完成3家区属国企混改": the verb and what follows the number
            label += _following_words(text, m.end())
        ceiling = tail in ("以内", "以下", "之内", "内") or any(h in label_raw for h in _LE_HINTS)
        direction = "<=" if ceiling else "=" if tail == "左右" else ">="
        measure = "%" if measure == "\uff05" else measure
        out.append(Target(label=label, value=float(re.sub(r"[,\uff0c]", "", value_s)), measure=measure,
                          direction=direction, growth=growth,
                          text=text[clause_start:m.end()].strip(_CLAUSE_SEPS)))
        prev_end = m.end()
    return out


def _looks_like_date_or_code(text: str, m: re.Match) -> bool:
    # "2019年" is never matched (年 is no measure); guard "10个百分点" vs "第10个": ordinals
    return text[max(0, m.start() - 1):m.start()] == "第" or (
        m.group(2) == "个" and text[m.end():m.end() + 1] in ("月", "季"))


def _last_sep(text: str, at: int) -> int:
    return max(text.rfind(sep, 0, at) for sep in _CLAUSE_SEPS) + 1


# 二是…, 其一…, and a sub-item's number (①, (1)): no part of a label
_ENUM_RE = re.compile(r"^(?:[一二三四五六七八九十]+是|其[一二三四五六七八九十]+是?|[一二三四五六七八九十]+要|"
                     r"[\u2460-\u2473]|\(\d{1,2}\)|\uff08\d{1,2}\uff09)")


def _clean_label(label: str, keep_growth: bool) -> str:
    s = _ENUM_RE.sub("", label.strip())  # "二是建设标准化厂房…": the enumerator is no label
    while f := next((f for f in _FILLERS if s.startswith(f)), ""):  # no filler starts another
        s = s[len(f):]
    # a growth label keeps its verb (增长); a link word (达到, 控制在) is dropped
    if not keep_growth or not s.endswith(_GROWTH_WORDS):
        s = next((s[:-len(w)] for w in sorted(_LINKS, key=len, reverse=True)
                  if s.endswith(w) and (keep_growth or len(s) > len(w))), s)
    return s.strip()


def _following_words(text: str, at: int) -> str:
    """When nothing precedes the number ("确保6280户…脱贫"), the words after it name it."""
    return _TARGET_RE.sub("", _SEP_RE.split(text[at:], maxsplit=1)[0]).strip()
