"""Parsing a task-breakdown notice (通知) into a plan: `parse_notice_text`, `parse_notice_file`.

Rules are pure functions on strings (clean, structure, responsibility, names, targets,
annex2, annex3, meta); only `read` touches files. Problems come back as findings.
"""
from __future__ import annotations

from pathlib import Path

from ..model.plan import Plan
from .notice import parse_notice_text
from .read import Converter, read_notice_full, read_register
from .result import LooseTargets, ParseResult


def parse_notice_file(path: str | Path, register: Plan | str | Path | None = None,
                      convert: Converter | None = None) -> ParseResult:
    """Read a .txt/.docx/.doc/.wps notice and parse it; unreadable files give findings.

    `register` is the clerk's unit list as a Plan, or the path of a .yaml/.json file
    holding one (keys title, year, units, groups). `convert` turns a .doc/.wps into a .docx
    (the api passes LibreOffice's, xltools.office.docx_converter()).
    """
    text, tables, findings = read_notice_full(path, convert)
    name = Path(path).name
    if register is not None and not isinstance(register, Plan):
        register, more = read_register(register)
        findings += more
    if text is None:
        return ParseResult(plan=None, findings=findings, source=name)
    result = parse_notice_text(text, register=register, source=name, tables=tables)
    result.findings[:0] = findings
    return result


__all__ = ["parse_notice_text", "parse_notice_file", "ParseResult", "LooseTargets"]
