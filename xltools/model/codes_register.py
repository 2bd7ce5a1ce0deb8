"""Finding codes of the unit register (xltools units … check)."""
from __future__ import annotations

ERROR, WARNING, INFO = "错误", "警告", "提示"

CODES: dict[str, tuple[str, str]] = {
    "unit-without-contact": (WARNING, "{where}:单位“{unit}”没有登记{missing}。催报和发送表格时无法联系该单位,请补填,例如:xltools units 计划文件 set {unit} --contact 姓名 --phone 电话 --email 邮箱。"),
    "unit-email-invalid": (WARNING, "{where}:单位“{unit}”的电子邮箱“{value}”不像有效的邮箱地址(应形如 name@example.cn)。请改正。"),
}
