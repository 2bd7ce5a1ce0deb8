"""Look-alike characters in the sources are written as escapes (the brief): a bare full-width
comma or minus sign is folded to ASCII by some editors and tools without a trace, as happened to
annex 3's thousands separator and to the parse tests' full-width cases."""
from __future__ import annotations

import subprocess

import pytest

from conftest import ROOT

# full-width ASCII forms, the ideographic and no-break spaces, the minus sign, the middle dots
LOOKALIKE = {*range(0xFF01, 0xFF5F), 0x3000, 0x00A0, 0x2212, 0x00B7, 0x30FB}


def _sources() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = []
    return out or [str(p.relative_to(ROOT)) for d in ("xltools", "tests", "bench")
                   for p in (ROOT / d).rglob("*.py")]


def bare_lookalikes(text: str) -> list[tuple[int, str]]:
    """(line, U+XXXX) of every look-alike character written bare."""
    return [(n, f"U+{ord(ch):04X}") for n, line in enumerate(text.splitlines(), 1)
            for ch in line if ord(ch) in LOOKALIKE]


def test_the_check_sees_a_bare_full_width_comma():
    assert bare_lookalikes('x = ","\ny = "\uff0c\u2212"\n') == [(2, "U+FF0C"), (2, "U+2212")]


def test_sources_write_lookalikes_as_escapes():
    files = _sources()
    assert len(files) > 100, files
    found = {f: hits for f in files if (hits := bare_lookalikes((ROOT / f).read_text(encoding="utf-8")))}
    assert not found, found
