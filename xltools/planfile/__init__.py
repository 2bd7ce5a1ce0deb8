"""Load and save a plan as plan.xlsx (for clerks) or YAML/JSON (for machines)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from ..model import Plan, Result, check_plan, plan_from_dict, plan_to_dict, relocate
from ..model.errors import PlanFileError, data_file_problem, file_open_problem, internals
from ..xlsx.reader import read_sheets
from ..xlsx.writer import write_workbook
from .workbook import plan_from_sheets, plan_workbook

FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xlsx", ".ods": "xlsx", ".yaml": "yaml",
           ".yml": "yaml", ".json": "json"}


def load_plan(path: str | os.PathLike) -> Result:
    """Read a plan file; Result.value is the Plan (None if unusable), with findings."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise PlanFileError(f"无法识别计划文件“{p.name}”的格式:应为 .xlsx、.yaml 或 .json。")
    if not p.is_file():
        raise PlanFileError(f"找不到计划文件“{p}”。请检查路径。")
    try:  # the file itself (bad input, not a bug): any reader failure is one clear message
        if fmt == "xlsx":
            sheets = read_sheets(p)
        else:
            raw = p.read_text(encoding="utf-8-sig")
            data = yaml.safe_load(raw) if fmt == "yaml" else json.loads(raw)
    except Exception as exc:  # noqa: BLE001
        why = data_file_problem(exc) if fmt != "xlsx" else file_open_problem(exc) \
            if isinstance(exc, OSError) else "文件已损坏或不是表格" + internals(exc)
        raise PlanFileError(f"无法读取计划文件“{p.name}”:{why}。") from exc
    if fmt == "xlsx":
        return Result(*plan_from_sheets(sheets, p.name))
    if not isinstance(data, dict):
        raise PlanFileError(f"计划文件“{p.name}”的内容不是计划(顶层应为键值表)。")
    plan = plan_from_dict(data)
    return Result(plan, [relocate(f, file=p.name) for f in check_plan(plan)])


def require_plan(path: str | os.PathLike) -> Result:
    """load_plan, and PlanFileError when the file holds no usable plan."""
    res = load_plan(path)
    if res.value is None:
        raise PlanFileError(f"计划文件“{Path(path).name}”中没有可用的计划。")
    return res


def save_plan(plan: Plan, path: str | os.PathLike) -> Path:
    """Write a plan as .xlsx, .yaml or .json (chosen by the extension)."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt == "xlsx" and p.suffix.lower() == ".xlsx":
        return write_workbook(plan_workbook(plan, p.name), p.parent)
    p.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "yaml":
        p.write_text(yaml.safe_dump(plan_to_dict(plan), allow_unicode=True, sort_keys=False,
                                    width=120), encoding="utf-8")
    elif fmt == "json":
        p.write_text(json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        raise PlanFileError(f"不能把计划保存为“{p.suffix}”格式:请用 .xlsx、.yaml 或 .json。")
    return p
