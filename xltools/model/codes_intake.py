"""Finding codes of the intake stage: code -> (severity, Chinese message template).

Codes are stable once released. Templates may use {where}, {unit}, {task}, {value} and
any keyword passed to finding(); they say where the problem is and what to do.
"""
from __future__ import annotations

ERROR, WARNING, INFO = "错误", "警告", "提示"

CODES: dict[str, tuple[str, str]] = {
}
