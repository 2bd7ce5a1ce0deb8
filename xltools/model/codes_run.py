"""Finding codes of the collect run itself: lateness and reader isolation."""
from __future__ import annotations

ERROR, WARNING, INFO = "错误", "警告", "提示"

CODES: dict[str, tuple[str, str]] = {
    "late-return": (WARNING, "{where}:{unit}的报表于 {value} 收到(依据:{evidence}),晚于报送截止日期 {deadline}。已接收并计入汇总,在“按单位汇总”中标为逾期。"),
    "reader-crashed": (ERROR, "{where}:读取该文件时读取程序异常退出({reason})。文件可能已损坏或构造异常,已存档但未汇总;请让报送单位用 Excel 或 WPS 重新另存为 .xlsx 后再发。"),
    "reader-memory-unbounded": (WARNING, "{where}:本机无法限制读取文件的子进程所用的内存({reason}),构造异常的文件可能占满内存。每个文件仍在单独的子进程中读取,超时({seconds} 秒)和崩溃照常隔离;请安装 psutil(pip install psutil)以启用内存上限。"),
    "reader-timeout": (ERROR, "{where}:读取该文件超过 {seconds} 秒仍未完成,已停止读取。文件已存档但未汇总;请让报送单位重新另存为 .xlsx 后再发。"),
}
