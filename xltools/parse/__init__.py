"""Parsing a task-breakdown notice (通知) into a plan: `parse_notice_text`, `parse_notice_file`.

Rules are pure functions on strings (clean, structure, responsibility, names, targets,
annex2, annex3, meta); only `read` touches files. Problems come back as findings.
"""
from __future__ import annotations

from dataclasses import replace
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
    if Path(path).suffix.lower() in WORD_SUFFIXES:  # Word shows no line numbers: say the words
        lines = text.splitlines()
        result.findings[:] = [replace(f, near=opening_words(lines, f.line)) if f.line else f
                              for f in result.findings]
    result.findings[:0] = findings
    return result


WORD_SUFFIXES = (".docx", ".docm", ".doc", ".wps")
NEAR_CHARS = 16  # enough opening words to find a paragraph with Ctrl+F


def opening_words(lines: list[str], line: int) -> str:
    """The opening words of the paragraph at `line` (1-based) of a document's text."""
    text = next((t.strip() for t in lines[line - 1:] if t.strip()), "")
    return text[:NEAR_CHARS] + ("\u2026" if len(text) > NEAR_CHARS else "")


__all__ = ["parse_notice_text", "parse_notice_file", "ParseResult", "LooseTargets"]
