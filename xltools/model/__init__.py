"""The pure model: plan, findings, periods and value rules. Imports nothing of the project."""
from .check import check_matrix, check_plan, column_measures
from .findings import ERROR, INFO, WARNING, CATALOGUE, Finding, Result, finding, relocate
from .periods import make_period, period_bounds, quarterly
from .plan import (DIRECTION_LABELS, ROLE_LEAD, ROLE_SUPPORT, SECTION_SEP, TASK_KIND_LABELS,
                   TASK_KINDS, UNIT_KINDS, Group, MatrixColumn, MatrixRow, Period, Plan, Target,
                   Task, TownMatrix, Unit, normalize_name)
from .serialize import plan_from_dict, plan_to_dict
from .values import CellValue, format_number, parse_value

__all__ = [name for name in dir() if not name.startswith("_")]
