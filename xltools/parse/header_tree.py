"""Rebuilding a multi-level table header that was flattened row by row.

Flattening loses the merged-cell spans: "农业 | 工业经济 | 固定资产投资" then fourteen leaf
cells does not say which leaves sit under which category. The spans are inferred:
cells with a unit of measure "(万元)" are leaves; each row's cells are the children of
the groups of the row above, in order; among the consistent readings the one whose
children best resemble their parents (shared characters, a small lexicon of the usual
indicator families) wins. A growth column (增幅) or "其中…" never starts a group, and a
bare "责任目标" never follows a named indicator in the same group. The result is a
guess and is reported as such.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

_MEASURE_RE = re.compile(r"\(([^()]{1,8})\)$")
_PAREN_RE = re.compile(r"\([^()]*\)")
_DEPENDENT_RE = re.compile(r"^(增幅|增速|增长|其中|占比|同比|比上年)")
_GENERIC_RE = re.compile(r"^(责任目标|奋斗目标|目标|任务数|完成数|计划数|目标值|责任数)$")
_STOP = set("数率额的和及其中上下个总新增人次量值与或")
# Family knowledge: words that signal a column belongs under a category heading.
LEXICON: dict[str, tuple[str, ...]] = {
    "农": ("农", "林", "牧", "渔", "畜", "禽", "动物", "疫病", "造林", "粮", "水产", "蔬菜", "种植",
          "养殖"),
    "工业": ("工业", "规上", "企业", "技改", "制造"),
    "商务": ("消费", "零售", "限上", "商贸", "外贸", "出口", "进出口", "服务业", "电商", "法人"),
    "商贸": ("消费", "零售", "限上", "外贸", "出口", "服务业", "电商", "法人"),
    "商业": ("消费", "零售", "限上", "服务业", "电商", "法人"),
    "贸易": ("外贸", "出口", "进出口", "外资"),
    "招商": ("投资额", "引进", "签约", "到位", "外资", "过亿"),
    "项目": ("开工", "竣工", "投产", "项目"),
    "财政": ("收入", "税", "预算"),
    "税": ("收入", "税"),
    "城": ("管网", "道路", "街巷", "片区", "绿化", "植树", "棚改", "污水", "改造", "整治"),
    "建设": ("管网", "道路", "街巷", "片区", "植树", "棚改", "改造"),
    "交通": ("路", "公路", "桥", "里程", "运输"),
    "扶贫": ("贫", "脱贫"),
    "卫生": ("卫生", "健康", "病", "医", "血吸虫", "钉螺", "疫苗", "计生", "耕牛"),
    "食": ("厨", "餐", "食品", "药"),
    "药": ("厨", "餐", "食品", "药"),
    "就业": ("就业", "创业", "培训", "参保", "保险", "实习", "实训", "养老"),
    "保险": ("参保", "保险", "养老", "医保"),
    "教育": ("学校", "学生", "教师", "入学"),
    "环": ("空气", "水质", "排放", "减排", "污染", "环境"),
    "安全": ("事故", "安全"),
}


class HeaderCell:
    """One printed header cell (whitespace removed), with its measure and core name."""

    __slots__ = ("text", "measure", "name", "core", "dependent", "generic")

    def __init__(self, text: str) -> None:
        self.text = text
        m = _MEASURE_RE.search(text)
        self.measure = m.group(1) if m and not re.search(r"\d|仅|不含|包括", m.group(1)) else ""
        # the cell without its measure "(万元)" (other remarks kept as printed)
        self.name = text[: -len(self.measure) - 2] if self.measure else text
        self.core = _PAREN_RE.sub("", text)
        self.dependent = bool(_DEPENDENT_RE.match(self.core))
        self.generic = bool(_GENERIC_RE.match(self.core))


@dataclass
class Leaf:
    """A leaf column: its path from the top category, and its measure."""

    path: list[str]
    measure: str


@dataclass
class _Node:
    cell: HeaderCell
    children: list["_Node"] = field(default_factory=list)


@lru_cache(maxsize=65536)
def affinity(child: str, parent: str) -> float:
    """How much a column name resembles a heading: shared bigrams, characters, lexicon."""
    c, p = _PAREN_RE.sub("", child), _PAREN_RE.sub("", parent)
    pb = {p[i:i + 2] for i in range(len(p) - 1)}
    score = 2.0 * sum(1 for i in range(len(c) - 1) if c[i:i + 2] in pb) + len((set(c) & set(p)) - _STOP)
    lexicon = any(key in p and any(w in c for w in words) for key, words in LEXICON.items())
    return score + 3 if lexicon else score


def _assign(parents: list[HeaderCell], children: list[HeaderCell],
            top: bool = True) -> tuple[float, list[list[int]]]:
    """Best contiguous assignment of children to parents (a parent with a measure takes none)."""
    n, m = len(parents), len(children)
    neg = float("-inf")
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(1, n + 1):
        p = parents[i - 1]
        for j in range(m + 1):
            for k in range(0, j + 1):  # parent i takes children k..j-1
                if best[i - 1][k] == neg:
                    continue
                block = children[k:j]
                s = best[i - 1][k] + _block_score(p, block, k == 0, top) + 0.001 * len(block) * (n - i)
                if s > best[i][j]:
                    best[i][j], back[i][j] = s, k
    if best[n][m] == neg:
        return neg, []
    groups: list[list[int]] = []
    j = m
    for i in range(n, 0, -1):  # back from the last parent: each took children back[i][j]..j-1
        groups.append(list(range(back[i][j], j)))
        j = back[i][j]
    return best[n][m], groups[::-1]


def _block_score(parent: HeaderCell, block: list[HeaderCell], first_in_row: bool,
                 top: bool = True) -> float:
    if not block:
        return 0.0 if parent.measure else -20.0  # an unmeasured cell left childless: unlikely
    if parent.measure:
        return -100.0
    s = 0.0
    for c in block:
        a = affinity(c.core, parent.core)
        # a heading under a heading must plainly belong there (社会消费品零售总额 under 商务经济)
        s += a if c.measure or a >= 3 else a - 20
        # under a sub-heading, a named column must share words with it (新增就业 under 就业);
        # only bare 责任目标 / 增幅 may not
        if not top and a < 2 and not (c.generic or c.dependent):
            s -= 10
    if block[0].dependent and not first_in_row:
        s -= 20
    if not top and len(block) == 1 and not (block[0].generic or block[0].dependent):
        s -= 5  # one named column alone under a sub-heading: rather one cell printed in two
    # a bare 责任目标 right after a named column, a named column printed twice: -6 each
    s -= 6 * sum(1 for a, c in zip(block, block[1:]) if c.generic and not (a.generic or a.dependent))
    s -= 6 * sum(1 for i, c in enumerate(block) if not c.dependent and c.core in {b.core for b in block[:i]})
    return s


_MERGE_COST = 2.0


def infer_leaves(cells: list[str], width: int) -> tuple[list[Leaf], bool]:
    """Leaf columns in printed order for a header of `width` leaves; (leaves, inferred?)."""
    hc = [HeaderCell(s) for c in cells if (s := "".join(c.split()))]
    if not hc:
        return [], False
    if len(hc) == width and all(c.measure for c in hc):
        return [Leaf([c.name], c.measure) for c in hc], False
    best = _best_parse(hc, width)
    # A cell printed over two blocks ("下水管网" + "改造(处)"): try joining an unmeasured
    # cell of the leaf zone with the next one, keep the join only if the reading improves.
    for _ in range(3):
        first_leaf = next((i for i, c in enumerate(hc) if c.measure), len(hc))
        trials = []
        for i in range(first_leaf, len(hc) - 1):
            if hc[i].measure or hc[i + 1].dependent or hc[i + 1].generic:
                continue
            merged = hc[:i] + [HeaderCell(hc[i].text + hc[i + 1].text)] + hc[i + 2:]
            if (parsed := _best_parse(merged, width)) is not None:
                trials.append((parsed[0] - _MERGE_COST, merged, parsed))
        if not trials:
            break
        score, merged, parsed = max(trials, key=lambda t: t[0])
        if best is not None and score <= best[0]:
            break
        hc, best = merged, (score, parsed[1])
    return (_leaves(best[1], [], "") if best is not None else []), True


def _best_parse(hc: list[HeaderCell], width: int) -> tuple[float, list[_Node]] | None:
    """The best reading of the cells as up to three header rows with `width` leaves."""
    best: tuple[float, list[_Node]] | None = None
    n = len(hc)
    for a in range(1, n + 1):
        for b in range(a, n + 1):
            if b < n and b == a:
                continue
            rows = [r for r in (hc[:a], hc[a:b], hc[b:]) if r]
            parsed = _parse_rows(rows)
            if parsed is None or len(_leaves(parsed[1], [], "")) != width:
                continue
            if best is None or parsed[0] > best[0] + 1e-9:
                best = parsed
    return best


def _parse_rows(rows: list[list[HeaderCell]]) -> tuple[float, list[_Node]] | None:
    nodes = [[_Node(c) for c in r] for r in rows]
    total = 0.0
    for r in range(len(rows) - 1):
        # only cells without children yet can take the next row (all of them: row-major)
        score, groups = _assign([nd.cell for nd in nodes[r]], rows[r + 1], r == 0)
        if not groups:
            return None
        for nd, g in zip(nodes[r], groups):
            nd.children = [nodes[r + 1][i] for i in g]
        total += score
    if len(rows) > 1:  # an unmeasured cell in the lowest row: rather a heading
        total -= 3.0 * sum(1 for c in rows[-1] if not c.measure)
    return total, nodes[0]


def _leaves(nodes: list[_Node], path: list[str], measure: str) -> list[Leaf]:
    out: list[Leaf] = []
    for nd in nodes:  # a measure printed on a heading holds for the columns under it
        here, m = [*path, nd.cell.name], nd.cell.measure or measure
        out += _leaves(nd.children, here, m) if nd.children else [Leaf(here, m)]
    return out


def leaves_of_paths(paths: list[list[str]]) -> list[Leaf]:
    """Leaves of a header whose spans are known (a .docx grid): each column's cells top
    down; the lowest cell with a measure "(万元)" gives it."""
    columns = [[HeaderCell(s) for p in path if (s := "".join(p.split()))] for path in paths]
    return [Leaf([c.name for c in cells],
                 next((c.measure for c in reversed(cells) if c.measure), "")) for cells in columns]
