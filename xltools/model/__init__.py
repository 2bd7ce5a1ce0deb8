"""The pure model: plan, findings, periods and value rules. Imports nothing of the project."""
from .check import check_plan, column_measures
from .catalogue import CATALOGUE
from .findings import ERROR, WARNING, Finding, Result, WithFindings, finding, relocate
from .periods import make_period, quarterly
from .plan import (DIRECTION_LABELS, SECTION_SEP, TASK_KIND_LABELS, UNIT_KINDS, Group,
                   MatrixColumn, MatrixRow, Period, Plan, Target, Task, TownMatrix, Unit,
                   normalize_name)
from .serialize import plan_from_dict, plan_to_dict
from .values import parse_value
