"""Where the Jinja2 templates are, and the environment that renders them.

The templates live in the top-level `templates/` folder of the repository, so a clerk
or a developer edits them without touching the code. They are found, first hit wins
per template name:

1. `$XLTOOLS_TEMPLATES` (a folder of the office's own edited copies; optional);
2. `<repository>/templates` — a checkout, or an editable install (`pip install -e .`);
3. `<sys.prefix>/share/xltools/templates` — a regular install: pyproject.toml ships
   `templates/*.j2` there as data files.

HTML is always rendered with autoescape on: unit text is untrusted.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_VAR = "XLTOOLS_TEMPLATES"


def template_dirs() -> list[Path]:
    """Existing template folders, in the order they are searched."""
    dirs: list[Path] = []
    own = os.environ.get(ENV_VAR)
    if own:
        dirs.append(Path(own))
    dirs += [ROOT / "templates", Path(sys.prefix) / "share" / "xltools" / "templates"]
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d not in seen:
            seen.append(d)
    return seen


def environment(autoescape: bool = True):
    """A Jinja2 environment on template_dirs(); StrictUndefined, so a typo fails loudly."""
    import jinja2

    dirs = template_dirs()
    if not dirs:
        raise FileNotFoundError("找不到模板文件夹 templates/:请在 xltools 代码目录中运行,或重新安装 xltools。")
    return jinja2.Environment(loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
                              autoescape=autoescape, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
