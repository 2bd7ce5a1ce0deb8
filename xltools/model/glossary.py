"""The project's domain words and small rules, each said once.

Form kinds and their Chinese names, cell addresses ("A1" at the user's edge, 0-based
(row, col) inside) and the printed width of a text. Stages import these; nothing here
imports anything of the project.
"""
from __future__ import annotations

import re

# The forms a unit fills and sends back (FormIdentity.kind), with the names users see.
FORM_REPORT, FORM_TOWN, FORM_WORKPLAN = "report", "town", "workplan"
FORM_KINDS = (FORM_REPORT, FORM_TOWN, FORM_WORKPLAN)
FORM_NAMES = {FORM_REPORT: "季度报表", FORM_TOWN: "镇街指标表", FORM_WORKPLAN: "办理方案"}
# a report form is named by its period's kind, the letter after the year: 2019H1 -> 半年报表
REPORT_NAMES = {"Q": "季度报表", "H": "半年报表", "M": "月度报表", "Y": "年度报表"}


def form_name(kind: str, period_id: str = "") -> str:
    """季度报表 (半年报表 … for a period of that kind) / 镇街指标表 / 办理方案 for a form kind
    (the kind itself when unknown)."""
    if kind == FORM_REPORT:
        return REPORT_NAMES.get(period_id[4:5], FORM_NAMES[kind])
    return FORM_NAMES.get(kind, kind)


def col_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    """(0, 0) -> "A1": for messages and formulas only."""
    return f"{col_letter(col)}{row + 1}"


_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def col_index(letters: str) -> int:
    """"A" -> 0, "AA" -> 26 (col_letter's inverse)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def from_a1(ref: str) -> tuple[int, int] | None:
    """"C7" -> (6, 2); None when `ref` is not a cell address."""
    m = _A1.fullmatch(str(ref).strip())
    if not m or int(m.group(2)) < 1:
        return None
    return int(m.group(2)) - 1, col_index(m.group(1))


_NARROW_RUNS = re.compile(r"[\x00-\u2e7f]+")  # what is not CJK (from U+2E80 on) counts one


def text_width(text: object) -> int:
    """Printed width of a text in column units: a CJK character counts two, others one."""
    s = "" if text is None else str(text)
    if s.isascii():
        return len(s)
    # every character counts two, less one per narrow one; narrow ones come in runs, so
    # this matches far fewer times than a match per wide character would
    return 2 * len(s) - sum(map(len, _NARROW_RUNS.findall(s)))


def strip_endings(name: str, endings: tuple[str, ...]) -> str:
    """A document's name without the kind words it ends in, as often as they repeat
    (…重点任务分解意见 -> …重点任务 for ("意见", "分解")); never down to nothing."""
    changed = True
    while changed:
        changed = False
        for end in endings:
            if name.endswith(end) and len(name) > len(end):
                name, changed = name[:-len(end)], True
    return name


# -- punctuation: the full-width marks official Chinese text prints (GB/T 15834), named:
# never bare literals, which some editors and tools fold to ASCII
FW_LPAREN = "\uff08"
FW_RPAREN = "\uff09"
FW_COLON = "\uff1a"
FW_SEMICOLON = "\uff1b"
FW_COMMA = "\uff0c"
# the ASCII marks the seeds were folded to, and the full-width forms documents print
FULL_WIDTH_OF = {"(": FW_LPAREN, ")": FW_RPAREN, ":": FW_COLON, ";": FW_SEMICOLON, ",": FW_COMMA}
# what makes a neighbouring mark Chinese: CJK, its punctuation (、。《》…), full-width forms,
# the curly quotes and the dash and ellipsis Chinese text uses
_CHINESE = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
                      "\u201c\u201d\u2018\u2019\u2014\u2026]")


def official_marks(text: str) -> str:
    """xltools' own wording with the marks official text prints: an ASCII , : ; next to a
    Chinese character, and a bracket pair next to one or around one, become full width
    (“任务(1)” -> 任务\uff081\uff09; “(%)” after 完成率 too, so that a pair never mixes).
    For templates and fixed labels only: what units typed and file names keep every mark."""
    if not any(ch in FULL_WIDTH_OF for ch in text):
        return text
    out = list(text)
    n = len(text)

    def chinese(i: int) -> bool:  # (after the brackets: a mark beside a converted one too)
        return 0 <= i < n and _CHINESE.match(out[i]) is not None

    open_at: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            open_at.append(i)
        elif ch == ")":
            if open_at:
                a = open_at.pop()
                if chinese(a - 1) or chinese(i + 1) or _CHINESE.search(text, a + 1, i):
                    out[a], out[i] = FW_LPAREN, FW_RPAREN
            elif chinese(i - 1) or chinese(i + 1):  # (its "(" is in another piece)
                out[i] = FW_RPAREN
    for a in open_at:  # (its ")" is in another piece)
        if chinese(a - 1) or chinese(a + 1):
            out[a] = FW_LPAREN
    for i, ch in enumerate(text):
        if ch in ",:;" and (chinese(i - 1) or chinese(i + 1)):
            out[i] = FULL_WIDTH_OF[ch]
    return "".join(out)


def official_text(template: str, **values: object) -> str:
    """A template of xltools' own words (str.format fields) filled in: the words with
    official marks, the values (paths, names, what was typed) exactly as given."""
    return official_marks(template).format(**values)
