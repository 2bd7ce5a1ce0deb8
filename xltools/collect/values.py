"""Understanding typed values: 完成进度, numbers, dates, phone numbers. Pure functions.

完成进度 (progress, 0-100). Accepted: 80, "80", "80%", "80\uff05", full-width digits, and a
fraction shown as a percent (0.8 in a cell formatted 0%, which is what typing 80% gives in
Excel, WPS and LibreOffice). A fraction strictly between 0 and 1 in a cell *not* known to be
a percent (General format, or .xls where the format is not read) is ambiguous: it is taken as
a share (0.8 -> 80) with a 警告, because a unit reporting 0.8 % progress is far rarer than
one typing the share; the warning asks to confirm. 0 and 1 are taken as they are.
Text such as "基本完成" is not a number (错误).
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip()
    return s.replace("\u2212", "-").replace(" ", "")


def number_from_text(text: str, suffixes: tuple[str, ...] = ()) -> float | None:
    """'8000', '8,000', '\uff18\uff10\uff10\uff10', '8000人' (a known measure suffix) -> 8000.0; else None."""
    s = _clean(text)
    for suf in suffixes:
        if suf and s.endswith(suf) and len(s) > len(suf):
            s = s[: -len(suf)]
            break
    if _GROUPED.match(s):
        s = s.replace(",", "")
    return as_number(float(s)) if _NUM.match(s) else None


def as_number(value: object, suffixes: tuple[str, ...] = ()) -> float | None:
    """A cell value as a finite number, or None when it is not one (bools and dates are not)."""
    if isinstance(value, str):
        return number_from_text(value, suffixes)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


PROGRESS_OK, PROGRESS_EMPTY, PROGRESS_BAD, PROGRESS_AMBIGUOUS = "ok", "empty", "bad", "ambiguous"


def progress_value(value: object, percent_format: bool | None = None) -> tuple[str, float | None]:
    """(verdict, progress in 0-100 terms) for a 完成进度 cell; range is checked by the caller.

    verdict: ok, empty, bad (not a number), ambiguous (a bare fraction taken as a share).
    percent_format: whether the cell shows a percent (None: unknown).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return PROGRESS_EMPTY, None
    if isinstance(value, str):
        s = _clean(value)
        x = number_from_text(s.removesuffix("%"))
        if x is not None and s.endswith("%"):
            return PROGRESS_OK, x
    else:
        x = as_number(value)
        if x is not None and percent_format and abs(x) <= 1:
            return PROGRESS_OK, round(x * 100, 9)  # (0.07 * 100 = 7.000000000000001)
    if x is None:
        return PROGRESS_BAD, None
    if 0 < x < 1:
        return PROGRESS_AMBIGUOUS, round(x * 100, 9)
    return PROGRESS_OK, x


def needs_format(value: object) -> bool:
    """Whether a progress value can only be understood with its cell's number format."""
    x = as_number(value) if not isinstance(value, str) else None
    return x is not None and (0 < abs(x) < 1 or x in (1.0, -1.0))


# Excel's day numbers for 2000-01-01 .. 2099-12-31: a date whose cell lost its format (the
# values pasted into a new workbook) reads as such a number; 20190408 as the digits of one
_SERIALS = range(36526, 73051)
_EXCEL_EPOCH = date(1899, 12, 30)  # (day 60 is Excel's 1900-02-29: none of ours)
_DATE_PATTERNS = (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
                  re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
                  re.compile(r"^(20\d\d)(\d\d)(\d\d)$", re.ASCII))


def date_value(value: object) -> date | None:
    """A 填报日期 as a date: a date cell, 2019-04-08, 2019/4/8, 2019.4.8, 2019年4月8日 (号); an
    Excel day number (43563) or 20190408, as a date cell reads once its format is lost."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    s = _clean(str(value))
    if s.isascii() and s.isdigit() and int(s) in _SERIALS:
        return _EXCEL_EPOCH + timedelta(days=int(s))
    for pat in _DATE_PATTERNS:
        if m := pat.match(s):
            try:
                return date(*map(int, m.groups()))
            except ValueError:
                return None
    return None


_PHONE_CHARS = re.compile(r"^[0-9\-()+转#~]+$")
_PHONE_SPLIT = re.compile(r"[,\uff0c、;\uff1b/]+|或")  # (and spaces: phone_ok)


def phone_ok(value: object) -> bool:
    """Mobile (11 digits, 1…) or landline (7-8 digits, optional 0-area code and extension);
    several numbers separated by 、 , ; / or spaces are each checked; spaces inside one
    number (139 0716 8888, 0716 8880001) are how people write it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(float(value)) or float(value) != int(value):
            return False
        value = str(int(value))
    if not isinstance(value, str):
        return False
    s = unicodedata.normalize("NFKC", value).strip()
    chunks = [c for c in _PHONE_SPLIT.split(s) if c.strip()]
    return bool(chunks) and all(
        _one_phone("".join(c.split())) or all(_one_phone(p) for p in c.split()) for c in chunks)


def _one_phone(p: str) -> bool:
    p = p.replace("(", "").replace(")", "")
    if not _PHONE_CHARS.match(p):
        return False
    main = re.split(r"转|#|~", p)[0]
    digits = re.sub(r"\D", "", main)
    return (len(digits) == 11 and digits[0] == "1") \
        or 7 <= len(digits) <= 8 or (digits[:1] == "0" and 10 <= len(digits) <= 12) \
        or (digits.startswith("86") and len(digits) == 13 and digits[2] == "1")
