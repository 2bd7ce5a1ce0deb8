"""Finding codes of the intake stage: code -> (severity, Chinese message template).

Codes are stable once released. Templates may use {where}, {unit}, {task}, {value} and
any keyword passed to finding(); they say where the problem is and what to do.
Intake findings name the file by its display name (`附件.zip › 区发改局.xlsx`); a refused
member of a .zip attachment is reported on the attachment, with the member in {value}.
"""
from __future__ import annotations

ERROR, WARNING, INFO = "错误", "警告", "提示"

CODES: dict[str, tuple[str, str]] = {
    # --- what a file is (typed by its content, not by its name) ---
    "junk-ignored": (INFO, "{where}:这是{reason},不是报表,已忽略(已记录在案)。无需处理。"),
    "empty-file": (ERROR, "{where}:文件是空的(0 字节),可能在下载附件或保存时出错。请重新下载附件,或请报送单位重新报送。"),
    "unsupported-file": (ERROR, "{where}:这是{format},不是报表,未处理。请报送单位在下发的报表(.xlsx、.xls 或 .ods)中填写后重新报送。"),
    "html-disguised-as-xls": (ERROR, "{where}:文件名是电子表格,内容却是{format}(常见于从网页或办公系统导出的“假 xls”),无法作为报表读取。请用 Excel 或 WPS 打开后“另存为”Excel 工作簿(.xlsx)再报送。"),
    "text-disguised-as-spreadsheet": (ERROR, "{where}:文件名是电子表格,内容却是纯文本或 CSV,没有报表的格式和标识。请报送单位在下发的报表中填写,另存为 .xlsx 后重新报送。"),
    "word-document": (ERROR, "{where}:这是{format},不是电子表格。请报送单位在下发的报表(.xlsx)中填写后重新报送,不要把表格复制到文档中。"),
    "wps-et-file": (ERROR, "{where}:这是 WPS 表格专用格式(.et),无法可靠读取。请在 WPS 中“另存为”Excel 工作簿(.xlsx)后重新报送。"),
    "ole-not-workbook": (ERROR, "{where}:这是旧版 Office 格式的文件,但其中没有工作表{format}。请确认报送的是报表本身,用 Excel 或 WPS 另存为 .xlsx 后重新报送。"),
    "password-protected": (ERROR, "{where}:文件设置了打开密码,无法读取。请报送单位取消打开密码后重新报送,或在命令中提供密码(--password)。"),
    "password-wrong": (ERROR, "{where}:文件设置了打开密码,用所提供的密码(--password)无法打开。请核对密码后重新运行,或请报送单位取消打开密码后重新报送。原件已存档。"),
    "decrypt-failed": (ERROR, "{where}:文件设置了打开密码,但加密方式无法解开({reason})。请报送单位取消打开密码、另存为 .xlsx 后重新报送。原件已存档。"),
    "damaged-file": (ERROR, "{where}:文件已损坏或不完整({reason}),无法读取。请重新下载附件;如仍不行,请报送单位用 Excel 或 WPS 打开、重新保存后再报送。"),
    "unsupported-archive": (ERROR, "{where}:这是 {format} 压缩包,只能自动打开 .zip 压缩包。请解压后把报表放入收件目录,或重新压缩为 .zip。"),
    "extension-mismatch": (INFO, "{where}:扩展名与内容不符,内容实际是 {format} 格式,已按内容读取。"),
    # --- reading files and folders ---
    "input-not-found": (ERROR, "{where}:找不到该文件或文件夹,未处理。请检查路径是否写对。"),
    "file-unreadable": (ERROR, "{where}:无法读取该文件({reason}),未处理。{advice}"),
    "file-vanished": (ERROR, "{where}:文件在处理过程中被删除或移走,未处理。如仍需处理,请放回原处后重新运行。"),
    "file-changed-while-reading": (ERROR, "{where}:文件在读取过程中被修改(可能仍在下载或保存),未处理。请等文件保存完成后重新运行。"),
    "file-too-large": (ERROR, "{where}:文件大小 {size} 超过上限 {limit},未作为报表读取(原件已存档)。报表通常只有几十 KB,请确认文件是否正确;如确需处理,请提高文件大小上限后重新运行。"),
    "special-file-skipped": (WARNING, "{where}:不是普通文件(管道、设备等),已跳过。"),
    "symlink-skipped": (WARNING, "{where}:是符号链接(快捷方式),为安全起见未跟随。如需处理它指向的文件,请把文件本身放入收件目录。"),
    "folder-too-deep": (ERROR, "{where}:文件夹嵌套超过 {limit} 层,更深处的文件未处理。请把文件移到较浅的文件夹后重新运行,或提高层数上限。"),
    "folder-unreadable": (ERROR, "{where}:无法打开该文件夹({reason}),其中的文件未处理。{advice}"),
    # --- .zip attachments ---
    "zip-extracted": (INFO, "{where}:压缩包,已解压出 {count} 个文件分别处理。"),
    "stamp-received": (INFO, "{where}:{unit}的盖章件(PDF/图片,{how}),已存档,记为该单位本期的盖章件。"),
    "stamp-unmatched": (WARNING, "{where}:PDF/图片文件,可能是盖章件,但无法确定是哪个单位的(没有与报表放在同一邮件、压缩包或文件夹中,文件名中也没有单位名称)。已存档;请以单位名称命名,或与该单位的报表放在同一文件夹后重新运行。"),
    "mail-extracted": (INFO, "{where}:邮件(发件人 {sender},发送时间 {sent}),已取出 {count} 个附件分别处理,收到时间以邮件发送时间为准。"),
    "sender-mismatch": (WARNING, "{where}:邮件发件人 {value} 与“{unit}”登记的联系邮箱 {expected} 不一致。请核实这份报表是否由该单位发送;如邮箱已变更,请用 xltools units 更新。"),
    "zip-member-unsafe": (ERROR, "{where}:压缩包中的“{value}”{reason},可能是恶意构造的压缩包,该文件已拒绝解压。请报送单位直接发送报表文件。"),
    "zip-too-many-members": (ERROR, "{where}:压缩包含 {count} 个文件,超过上限 {limit} 个,未解压。请拆分后重新报送,或提高文件个数上限后重新运行。"),
    "zip-too-large": (ERROR, "{where}:压缩包解压后共 {size},超过上限 {limit},{what}。请确认压缩包内容;如确需处理,请提高解压大小上限后重新运行。"),
    "zip-bomb": (ERROR, "{where}:压缩包中的“{value}”解压后 {size},压缩比 {ratio}:1 超过上限 {limit}:1,疑似“压缩炸弹”,已拒绝解压。请报送单位直接发送报表文件。"),
    "zip-nested-too-deep": (ERROR, "{where}:压缩包里套压缩包超过 {limit} 层,这一层未解压。请解压后把报表直接放入收件目录。"),
    "zip-encrypted": (ERROR, "{where}:压缩包中的“{value}”设置了密码,无法解压。请报送单位去掉压缩包密码后重新报送。"),
    "zip-member-damaged": (ERROR, "{where}:压缩包中的“{value}”无法解压({reason})。请重新下载附件,或请报送单位用常见压缩软件重新压缩为 .zip 后报送。"),
    # --- mail fetched from the office mailbox (xltools fetch) ---
    "mail-from-stranger": (WARNING, "{where}:邮件发件人 {value} 不是任何单位登记的联系邮箱,也不是对督办室所发邮件的回复。请核实是谁发来的;如是某单位的新邮箱,请用 xltools units 计划文件 set 单位 --email 邮箱 更新。"),
    "mail-reply": (INFO, "{where}:这是对督办室 {sent} 发给“{unit}”的邮件的回复。"),
    # --- ledger ---
    "duplicate-file": (INFO, "{where}:与已收到的“{value}”内容完全相同,按同一份报送处理,不重复计入。"),
    "superseded": (INFO, "{where}:已被后来报送的“{value}”替代,不再计入汇总(仍保留在记录和存档中)。"),
    "archive-failed": (ERROR, "{where}:原件未能存入存档目录({reason})。本次结果已记录,请检查存档目录的权限和磁盘空间后重新运行,以补存原件。"),
}
