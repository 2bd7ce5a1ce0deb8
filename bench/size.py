"""The size of xltools/ as issue 13 counts it: code lines, i.e. lines that are not blank, not
a comment and not a docstring, per package; with --base REV, the same of a git revision beside it.

    python bench/size.py [--base REV] [--files]
"""
from __future__ import annotations

import argparse
import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "xltools"


def code_lines(source: str) -> int:
    """Lines of source that are neither blank, nor a comment, nor part of a docstring."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    return sum(1 for number, line in enumerate(source.splitlines(), 1)
               if line.strip() and not line.strip().startswith("#") and number not in docstrings)


def sources(rev: str | None) -> dict[str, str]:
    """path -> text of every .py file under xltools/, in the working tree or at rev."""
    if rev is None:
        return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted((ROOT / PACKAGE).rglob("*.py"))}
    names = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, PACKAGE], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    return {n: subprocess.run(["git", "show", f"{rev}:{n}"], cwd=ROOT, capture_output=True,
                              text=True, encoding="utf-8", check=True).stdout
            for n in names if n.endswith(".py")}


def by_package(files: dict[str, str]) -> dict[str, tuple[int, int]]:
    """package folder -> (all lines, code lines)."""
    sizes: dict[str, tuple[int, int]] = {}
    for name, text in files.items():
        folder = name.rsplit("/", 1)[0]
        lines, code = sizes.get(folder, (0, 0))
        sizes[folder] = (lines + len(text.splitlines()), code + code_lines(text))
    return sizes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="a git revision to compare with")
    ap.add_argument("--files", action="store_true", help="also each file's code lines")
    args = ap.parse_args()
    now = by_package(sources(None))
    then = by_package(sources(args.base)) if args.base else {}
    head = f"{'package':<20}{'lines':>8}{'code':>8}" + (f"{'code@' + args.base[:9]:>16}" if then else "")
    print(head)
    for folder in sorted(now.keys() | then.keys()):
        lines, code = now.get(folder, (0, 0))
        row = f"{folder:<20}{lines:>8}{code:>8}"
        print(row + (f"{then.get(folder, (0, 0))[1]:>16}" if then else ""))
    total = f"{'total':<20}{sum(v[0] for v in now.values()):>8}{sum(v[1] for v in now.values()):>8}"
    print(total + (f"{sum(v[1] for v in then.values()):>16}" if then else ""))
    if args.files:
        for name, text in sorted(sources(None).items(), key=lambda kv: -code_lines(kv[1])):
            print(f"{code_lines(text):>6} {name}")


if __name__ == "__main__":
    main()
