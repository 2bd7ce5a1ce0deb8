"""Where the Jinja2 templates are, and the environment that renders them.

The templates are package data (`xltools/templates/`), found through importlib.resources,
so a wheel installed anywhere (venv, --user, --prefix) renders every report. An office that
edits its own copies points `$XLTOOLS_TEMPLATES` at their folder; a template found there
wins over the bundled one of the same name.

HTML is always rendered with autoescape on: unit text is untrusted.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .model.errors import TemplateError

ENV_VAR = "XLTOOLS_TEMPLATES"
PACKAGE_DIR = "templates"


def bundled(name: str = "") -> Path:
    """A file (or, without `name`, the folder) of the bundled templates, as a real path."""
    res = resources.files("xltools").joinpath(PACKAGE_DIR)
    return Path(str(res.joinpath(name) if name else res))


def template_dirs() -> list[Path]:
    """Existing template folders, in the order they are searched."""
    own = os.environ.get(ENV_VAR)
    dirs = [Path(own), bundled()] if own else [bundled()]
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


def environment(autoescape: bool = True, dirs: list[Path] | None = None):
    """A Jinja2 environment on `dirs` (template_dirs() unless given); StrictUndefined, so a
    typo fails loudly."""
    import jinja2
    dirs = dirs or template_dirs()
    if not dirs:
        raise TemplateError("找不到 xltools 自带的模板文件夹 templates:安装可能不完整,请重新安装 xltools。")
    return jinja2.Environment(loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
                              autoescape=autoescape, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render(name: str, template: str | os.PathLike | None, context: dict) -> str:
    """The bundled text template `name`, or the clerk's own file `template`, rendered with
    `context` (no escaping); TemplateError when the clerk's file is missing or has an error."""
    import jinja2
    if template is None:
        return environment(autoescape=False).get_template(name).render(**context)
    path = Path(template)
    if not path.is_file():
        raise TemplateError(f"找不到模板文件“{path}”。请检查路径,或不加 --template 使用默认模板。")
    try:
        return environment(False, [path.parent.resolve()]).get_template(path.name).render(**context)
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, ArithmeticError,
            LookupError, UnicodeDecodeError) as exc:  # a clerk's typo, not a bug of ours
        raise TemplateError(f"模板“{path.name}”有误:{type(exc).__name__}:{exc}") from exc
