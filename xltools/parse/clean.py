"""Cleaning: numbered lines out of raw text, with web-page leftovers blanked out.

Notices are often copied from a government web page: breadcrumbs, "来源/被阅读N次",
【打印】【关闭窗口】, comment boxes, share buttons, ads. Junk lines are blanked (line
numbers stay those of the file) and each removal is reported, never done silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from ..model.findings import Finding, finding
from .fold import fold

# Whole lines that are page furniture, not notice text.
_JUNK_LINE_RES = [re.compile(p) for p in (
    r"^(首页|当前位置|您(当前)?的?位置|所在位置)\s*[:\uff1a>›»].*",
    r".*(被阅读|阅读次数|浏览次数|点击数|访问量|阅读量|浏览量)\s*[:\uff1a]?\s*\d+.*",
    r".*【\s*(打印|关闭窗口|关闭|字体|字号|收藏|分享)\s*[】]?.*",
    r"^\s*(发布时间|发布日期|信息来源|来源)\s*[:\uff1a].{0,60}$",
    r"^\s*(评论一下|发表评论|网友评论|最热评论|最新评论|查看评论|我要评论|相关评论)\s*$",
    r"^\s*(评论|已有)\s*\d+\s*人参与.*",
    r".*(还没有评论|快来抢沙发).*",
    r"^\s*(分享到|扫一扫|扫码|微信扫一扫|用微信扫描).*",
    r"^\s*(上一篇|下一篇|相关链接|相关阅读|相关文章|热点推荐|猜你喜欢|推荐阅读|友情链接)\s*[:\uff1a]?.*",
    r".*(版权所有|ICP备|网站地图|技术支持\s*[:\uff1a]|网站标识码|公网安备|Copyright|©).*",
    r"^\s*(字号|字体)\s*[:\uff1a]?\s*[大中小\s【】\[\]]+$",
    r"^\s*(打印本页|关闭本页|关闭窗口|打印|关闭|返回顶部|TOP)\s*$",
    r"^\s*【?(广告|推广|赞助)】?\s*[:\uff1a].*",
)]
# Fragments pasted into a line of real text (an ad inside an item).
_JUNK_INLINE_RES = [re.compile(p) for p in (
    r"【\s*(广告|推广|打印|关闭窗口|关闭)\s*】?",
    r"(扫码|扫描二维码|长按二维码)(关注|下载|识别)[^。;\uff1b,\uff0c]*",
    r"(点击|立即)(进入|下载|购买|咨询|查看详情)[^。;\uff1b,\uff0c]*",
    r"(广告|推广)\s*[:\uff1a][^。;\uff1b,\uff0c]*",
    r"(咨询|热线)电话\s*[:\uff1a]?\s*1[3-9]\d{9}",
)]


@dataclass
class Line:
    """One line of the notice with its 1-based line number in the source."""

    no: int
    text: str


def short(text: str, n: int = 30) -> str:
    """The text stripped, cut to n characters with … (for messages)."""
    s = text.strip()
    return s if len(s) <= n else s[:n] + "…"


def is_junk_line(text: str) -> bool:
    """True for page furniture (breadcrumbs, counters, print/close, comment boxes, ads)."""
    s = text.strip()
    return bool(s) and any(r.match(s) for r in _JUNK_LINE_RES)


def strip_inline_junk(text: str) -> str:
    """A line with pasted ad fragments removed."""
    for r in _JUNK_INLINE_RES:
        text = r.sub("", text)
    return text


def clean_lines(text: str, source: str = "") -> tuple[list[Line], list[Finding]]:
    """Numbered, normalised lines with junk blanked; one finding lists what was removed."""
    # folded for recognition; the parser restores printed forms on output
    folded = [fold(raw).rstrip() for raw in re.split(r"\r\n?|\n", text)]
    out = [Line(i, "" if is_junk_line(s) else strip_inline_junk(s).rstrip())
           for i, s in enumerate(folded, 1)]
    removed = [ln.no for ln, s in zip(out, folded) if ln.text != s]  # blanked, or fragments cut
    return out, [finding("web-junk-removed", file=source, value=len(removed),
                         lines=_ranges(removed))] if removed else []


def _ranges(nos: list[int]) -> str:
    """1,2,3,7 → "1-3、7" (for messages)."""
    runs = [[n for _, n in run] for _, run in groupby(enumerate(nos), lambda p: p[1] - p[0])]
    return "、".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
