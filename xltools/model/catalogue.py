"""The finding catalogue: code -> (severity, Chinese template), one dict per stage.

Codes are stable: never rename a released one. A template says what was found and what to
do; the place (file, sheet, cell, or a notice's line) is put before it when the finding is
shown. Templates may use {unit}, {task}, {value} and any parameter passed to finding();
{change} is worked out from {expected} and {value}.
"""
from __future__ import annotations

from .findings import ERROR, INFO, WARNING

# the plan, its register, and reading a notice into one
PLAN: dict[str, tuple[str, str]] = {
    # plan invariants
    "unknown-unit": (ERROR, "任务 {task} 的单位“{value}”不在单位名单中。请在“单位”表中登记该单位(或把它作为别名加到已有单位),或改正任务中的单位名称。"),
    "duplicate-task-number": (ERROR, "任务序号 {value} 重复出现。每个任务的序号必须唯一,请改正其中一个。"),
    "empty-group": (ERROR, "单位分组“{value}”没有成员单位。请在“单位分组”表中填写成员,否则该分组承担的任务不会下发给任何单位。"),
    "unknown-group-member": (ERROR, "单位分组“{group}”的成员“{value}”不在单位名单中。请先在“单位”表中登记。"),
    "duplicate-unit": (ERROR, "单位名称或别名“{value}”重复登记。请合并为一个单位,或删去重复的别名。"),
    "task-without-unit": (WARNING, "任务 {task} 没有责任单位,不会出现在任何单位的报表中。请补填责任单位。"),
    "task-without-text": (ERROR, "任务 {task} 没有任务内容。请补填。"),
    "bad-task-kind": (ERROR, "任务 {task} 的类型“{value}”无效,应为“指标”“任务”或“民生实事”。"),
    "bad-unit-kind": (ERROR, "单位“{unit}”的类型“{value}”无效,应为 镇/街道/部门/企业/其他 之一。"),
    "bad-target-value": (ERROR, "任务 {task} 的量化指标目标值“{value}”不是数字。请填写数字(例如 8000)。"),
    "bad-period": (ERROR, "报送周期“{value}”无效:{reason}。"),
    "duplicate-period": (ERROR, "报送周期编号“{value}”重复。"),
    "duplicate-period-name": (WARNING, "报送周期名称“{value}”用了不止一次:表单、汇总表和年度汇总都靠名称区分各期,请改成不同的名称。"),
    "no-periods": (WARNING, "计划中没有报送周期,无法生成季度报表。请在“报送周期”表中添加(例如 2019Q1)。"),
    "bad-matrix-value": (ERROR, "镇街目标“{row}”的“{column}”值“{value}”无法识别为数字。请填写数字、“\\”(不适用)或“118户、345人”式的复合值。"),
    "matrix-value-missing-measure": (WARNING, "镇街目标“{row}”的“{column}”值“{value}”缺少计量单位,已按表头“{measure}”理解,请核对原件。"),
    "matrix-total-mismatch": (WARNING, "“{column}”的合计“{value}”与各行之和 {expected}{part} 不一致(相差 {diff}{part})。请核对原件,xltools 不会自动改正。"),
    "matrix-unknown-town": (ERROR, "镇街目标的行“{row}”对应的单位“{value}”不在单位名单中。"),
    "missing-plan-sheet": (ERROR, "计划工作簿缺少工作表“{value}”。请使用 xltools 生成的计划模板。"),
    "bad-plan-header": (ERROR, "表头应为“{expected}”,实际为“{value}”。请不要修改计划工作簿的表头。"),
    "bad-plan-value": (ERROR, "值“{value}”无效:{reason}。"),
    # parsing a notice (xltools parse): the place is a line of the notice file
    "notice-unreadable": (ERROR, "无法读取通知文件“{value}”({reason})。请确认文件完整,或另存为 .docx 或 .txt 后重试。"),
    "register-unreadable": (ERROR, "无法读取单位名单“{value}”({reason})。请使用 .yaml 或 .json 格式的单位名单(含 units、groups),本次按通知自行整理单位。"),
    "notice-needs-libreoffice": (ERROR, "读取 {value} 格式的通知需要 LibreOffice,但本机未安装。请安装 LibreOffice,或在 WPS/Word 中另存为 .docx 后重试。"),
    "notice-encoding-damaged": (WARNING, "通知文本编码无法完全识别,有 {value} 个字符已替换为“�”。请核对原文,或另存为 UTF-8 文本后重试。"),
    "no-items-found": (ERROR, "未在通知中找到任何编号的任务(如“1.……(责任单位:……)”)。请确认文件是任务分解通知,必要时把附件正文复制为 .txt 后重试。"),
    "web-junk-removed": (INFO, "已删除网页残留内容(面包屑、阅读次数、打印/关闭、评论框、广告等)共 {value} 行,行号:{lines}。如误删了正文,请核对原文。"),
    "stray-text": (WARNING, "“{value}”不属于任何编号任务,已忽略。如它是任务内容的一部分,请在计划中补上。"),
    "annex-not-read": (WARNING, "附件{value}(第 {lines} 行)是一张表格,但未能识别它的表头和行列,未读取。如其中有任务或镇街目标,请在计划中补录。"),
    "text-not-read": (WARNING, "最后一项任务之后的文字“{value}”(第 {lines} 行)不属于任何任务,也不是能识别的附件表格,未读取。可能缺了“附件”标题行;如其中有任务或目标,请在计划中补上。"),
    "sub-items-with-units": (WARNING, "任务 {task} 下的分项各自写明了责任单位,已合为一项任务,各分项的单位合在一起(谁负责哪一分项在计划中看不出)。如各分项应分别下发、分别报送,请在计划中把它们拆成几项任务。"),
    "item-marker-unlike": (WARNING, "“{value}”的序号写法与其他任务(如“{usual}”)不同,按序号接续已作为任务 {task} 读取。请核对原文。"),
    "item-number-gap": (WARNING, "任务序号 {task} 紧跟在 {previous} 之后,序号不连续。请核对原文是否漏项或重号。"),
    "missing-responsibility": (WARNING, "任务 {task} 没有写明责任单位。请在计划中补填,否则该任务不会下发给任何单位。"),
    "responsibility-from-heading": (INFO, "任务 {task} 本身未写责任单位,已沿用所属标题“{value}”中的责任单位。"),
    "unclosed-bracket": (WARNING, "任务 {task} 的责任单位括号没有闭合,已把括号后到该任务结尾的文字都当作责任单位:“{value}”。请核对。"),
    "run-together-units": (WARNING, "任务 {task} 的“{value}”可能是几个单位连写(可能为:{parts}),无法确定,已原样保留。请在计划中改正或在单位名单中登记。"),
    "run-together-units-split": (INFO, "任务 {task} 的“{value}”是几个单位连写,已拆分为:{parts}。"),
    "unit-alias-recorded": (INFO, "“{value}”与“{canonical}”视为同一单位,已记为别名。如不是同一单位,请在单位名单中分别登记。"),
    "ambiguous-unit-alias": (WARNING, "“{value}”与“{candidates}”相似,无法确定是否同一单位,未合并。请确认后在单位名单中登记别名或单独登记。"),
    "unresolved-unit": (WARNING, "{kind}“{value}”(任务 {task})不在单位名单中。请在单位名单中登记(或作为别名加到已有单位)。"),
    "group-members-inferred": (INFO, "单位分组“{value}”的 {count} 个成员取自{basis},请核对。"),
    "group-members-unknown": (WARNING, "无法从通知中确定单位分组“{value}”包含哪些单位。请在“单位分组”中填写成员,否则该分组承担的任务不会下发。"),
    "unnumbered-targets": (INFO, "未编号的目标段落“{value}”含 {count} 个量化指标,已列入指标清单;它没有责任单位,不作为任务下发。如需报送,请在计划中补充任务。"),
    "annex2-unit-unknown": (WARNING, "附件2中的单位“{value}”在附件1中没有出现。请核对单位名称。"),
    "annex2-task-mismatch": (WARNING, "附件2把任务 {task} 列在“{unit}”名下,但附件1中任务 {task} 的责任单位是“{value}”。请核对以哪一份为准。"),
    "annex2-task-missing": (WARNING, "附件1中任务 {task} 的责任单位包括“{unit}”,但附件2中“{unit}”名下没有该任务。请核对。"),
    "annex2-unit-missing": (INFO, "附件1中的责任单位“{value}”在附件2中没有对应的任务表(任务 {tasks})。"),
    "annex2-unknown-task": (WARNING, "附件2中“{unit}”名下的任务序号 {task} 在附件1中不存在。请核对。"),
    "annex2-text-mismatch": (WARNING, "附件2中“{unit}”名下的任务 {task} 印的是任务 {value} 的内容。请核对以哪一份为准。"),
    "annex2-text-differs": (INFO, "附件2中“{unit}”名下任务 {task} 的文字与附件1不同:附件1为“{annex1}”,附件2为“{annex2}”。"),
    "annex2-leader-conflict": (WARNING, "附件2中“{unit}”的责任领导既写作“{value}”又写作“{other}”。请确认。"),
    "matrix-row-length": (WARNING, "附件3第{table}表中“{row}”有 {value} 个数值,表头为 {expected} 列。请核对该行是否缺项或多项。"),
    "matrix-header-inferred": (INFO, "附件3第{table}表的表头是多层合并单元格,已按文字推断出 {value} 列的归属。请核对“镇街目标”各列的名称。"),
    "matrix-header-unread": (WARNING, "无法识别附件3第{table}表的表头({value} 列),已按列序号命名。请在计划中补填列名称。"),
    "periods-from-notice": (INFO, "报送周期按通知的规定设置({value}):“{rule}”。"),
    "periods-default": (INFO, "通知未规定报送时间,已按 {value} 年四个季度、每季度结束后次月10日截止设置报送周期。如有不同,请在计划中修改。"),
    "breakdown-title-differs": (WARNING, "通知标题中的文件名是“{value}”,附件1的标题却是“{heading}”。生成的附件1按附件1的标题印制,请核对以哪一个为准。"),
    "year-not-found": (WARNING, "无法从通知中确定年度。请在计划中填写年度。"),
    "item-number-duplicate": (WARNING, "任务序号 {value} 重复出现,这一项已改记为 {task}(表格中的序号须唯一)。请核对原文是否重号。"),
    "table-row-short": (WARNING, "任务 {task} 在表格中只有 {value} 个单元格(表头 {expected} 列:{columns}),已按内容和顺序对应为:{assigned}。请核对牵头单位、责任单位是否对应正确。"),
    "table-row-unnumbered": (WARNING, "表格中“{value}”前没有序号,已作为上一项任务的续行。请核对。"),
    "annex1-table-read": (INFO, "附件1是表格(表头:{value}),已按表格读取 {count} 项任务。"),
    # writing outputs
    "file-name-shortened": (INFO, "{unit}的文件名过长,已缩短为“{value}”,以免超出 Windows 的路径长度上限(260 个字符)。末尾的 6 位编号区分名称开头相同的文件。"),
    "leader-in-responsibility": (INFO, "任务 {task} 写明了责任领导“{value}”,已单独记录,不作为责任单位。"),
    # the unit register (xltools units … check)
    "unit-without-contact": (WARNING, "单位“{unit}”没有登记{missing}。催报和发送表格时无法联系该单位,请补填,例如:xltools units 计划文件 set {unit} --contact 姓名 --phone 电话 --email 邮箱。"),
    "unit-email-invalid": (WARNING, "单位“{unit}”的电子邮箱“{value}”不像有效的邮箱地址(应形如 name@example.cn)。请改正。"),
    # reading a notice as printed: annotations, sentence-like names, empty groups
    "unit-annotation-note": (INFO, "任务 {task} 单位名单中的说明“{value}”已记为该任务的备注,不作为单位名称{rule}。"),
    "unit-name-sentence": (WARNING, "任务 {task} 的“{value}”读起来是一句说明而不是单位名称,未作为责任单位,也不会为它生成表格。请核对原文,在计划中改正该任务的单位。"),
    "group-empty-fill": (ERROR, "单位分组“{value}”没有成员,它承担的任务({tasks})不会下发给任何单位。请在计划文件“单位分组”表中填写成员,或运行 xltools units 计划文件 add-member {value} 单位1 单位2 …"),
    "generate-empty-groups": (ERROR, "以下单位分组没有成员,它们承担的任务不会下发给任何单位,本次没有生成任何文件:{groups}。请在计划文件“单位分组”表中填写成员,或运行 xltools units 计划文件 add-member 组名 单位1 单位2 …,然后重新生成。"),
    "generate-tasks-without-units": (ERROR, "任务 {tasks} 没有任何责任单位,不会下发给任何单位,本次没有生成任何文件。请在计划文件“任务”表中补填牵头单位或责任单位(工作台:计划页),然后重新生成。"),
    # reading a notice's tables (flattened text tables and .docx grids)
    "table-cell-unplaced": (WARNING, "表格中的“{value}”对应不到任务 {task} 的任何一列(表头:{columns}),没有放入其他栏目。请核对原文,必要时在计划中补上。"),
    "matrix-value-empty": (INFO, "附件3第{table}表“{row}”的“{column}”一格是空的,该项没有记录目标值(其余各列位置不变)。请核对原件。"),
    "text-before-items": (WARNING, "第一项任务之前的文字“{value}”含量化目标或责任单位,但没有认出它属于哪项任务或目标段落,它和它之前的文字未读取。请核对原文,如其中有任务或目标,请在计划中补上。"),
}

# intake: a file is typed by its content, not its name; a refused member of a .zip is
# reported on the attachment, with the member in {value}
INTAKE: dict[str, tuple[str, str]] = {
    # --- what a file is (typed by its content, not by its name) ---
    "junk-ignored": (INFO, "这是{reason},不是报表,已忽略(已记录在案)。无需处理。"),
    "own-file-skipped": (INFO, "这是 xltools 自己的文件或文件夹(本次回收的输出文件夹、台账及其存档,或计划文件),不是报表,没有读取。无需处理;以后可把输出文件夹和台账放在收件夹之外。"),
    "empty-file": (ERROR, "文件是空的(0 字节),可能在下载附件或保存时出错。请重新下载附件,或请报送单位重新报送。"),
    "unsupported-file": (ERROR, "这是{format},不是报表,未处理。请报送单位在下发的报表(.xlsx、.xls 或 .ods)中填写后重新报送。"),
    "html-disguised-as-xls": (ERROR, "文件名是电子表格,内容却是{format}(常见于从网页或办公系统导出的“假 xls”),无法作为报表读取。请用 Excel 或 WPS 打开后“另存为”Excel 工作簿(.xlsx)再报送。"),
    "text-disguised-as-spreadsheet": (ERROR, "文件名是电子表格,内容却是纯文本或 CSV,没有报表的格式和标识。请报送单位在下发的报表中填写,另存为 .xlsx 后重新报送。"),
    "word-document": (ERROR, "这是{format},不是电子表格。请报送单位在下发的报表(.xlsx)中填写后重新报送,不要把表格复制到文档中。"),
    "wps-et-file": (ERROR, "这是 WPS 表格专用格式(.et),无法可靠读取。请在 WPS 中“另存为”Excel 工作簿(.xlsx)后重新报送。"),
    "ole-not-workbook": (ERROR, "这是旧版 Office 格式的文件,但其中没有工作表{format}。请确认报送的是报表本身,用 Excel 或 WPS 另存为 .xlsx 后重新报送。"),
    "password-protected": (ERROR, "文件设置了打开密码,无法读取。请报送单位取消打开密码后重新报送(或把密码告知督办室,回收时一并提供)。"),
    "password-wrong": (ERROR, "文件设置了打开密码,用所提供的密码(--password)无法打开。请核对密码后重新运行,或请报送单位取消打开密码后重新报送。原件已存档。"),
    "decrypt-failed": (ERROR, "文件设置了打开密码,但加密方式无法解开({reason})。请报送单位取消打开密码、另存为 .xlsx 后重新报送。原件已存档。"),
    "damaged-file": (ERROR, "文件已损坏或不完整({reason}),无法读取。请重新下载附件;如仍不行,请报送单位用 Excel 或 WPS 打开、重新保存后再报送。"),
    "unsupported-archive": (ERROR, "这是 {format} 压缩包,只能自动打开 .zip 压缩包。请解压后把报表放入收件目录,或重新压缩为 .zip。"),
    "extension-mismatch": (INFO, "扩展名与内容不符,内容实际是 {format} 格式,已按内容读取。"),
    # --- reading files and folders ---
    "input-not-found": (ERROR, "找不到该文件或文件夹,未处理。请检查路径是否写对。"),
    "file-unreadable": (ERROR, "无法读取该文件({reason}),未处理。{advice}"),
    "file-vanished": (ERROR, "文件在处理过程中被删除或移走,未处理。如仍需处理,请放回原处后重新运行。"),
    "file-changed-while-reading": (ERROR, "文件在读取过程中被修改(可能仍在下载或保存),未处理。请等文件保存完成后重新运行。"),
    "file-too-large": (ERROR, "文件大小 {size} 超过上限 {limit},未作为报表读取(原件已存档)。报表通常只有几十 KB,请确认文件是否正确;如确需处理,请提高文件大小上限后重新运行。"),
    "special-file-skipped": (WARNING, "不是普通文件(管道、设备等),已跳过。"),
    "symlink-skipped": (WARNING, "是符号链接(快捷方式),为安全起见未跟随。如需处理它指向的文件,请把文件本身放入收件目录。"),
    "folder-too-deep": (ERROR, "文件夹嵌套超过 {limit} 层,更深处的文件未处理。请把文件移到较浅的文件夹后重新运行,或提高层数上限。"),
    "folder-unreadable": (ERROR, "无法打开该文件夹({reason}),其中的文件未处理。{advice}"),
    # --- .zip attachments ---
    "zip-extracted": (INFO, "压缩包,已解压出 {count} 个文件分别处理。"),
    "stamp-received": (INFO, "{unit}的盖章件(PDF/图片,{how}),已存档,记为该单位本期的盖章件。"),
    "stamp-unmatched": (WARNING, "PDF/图片文件,可能是盖章件,但无法确定是哪个单位的(没有与报表放在同一邮件、压缩包或文件夹中,文件名中也没有单位名称)。已存档;请以单位名称命名,或与该单位的报表放在同一文件夹后重新运行。"),
    "mail-extracted": (INFO, "邮件(发件人 {sender},发送时间 {sent}),已取出 {count} 个附件分别处理,收到时间以邮件发送时间为准。"),
    "sender-mismatch": (WARNING, "邮件发件人 {value} 与“{unit}”登记的联系邮箱 {expected} 不一致。请核实这份报表是否由该单位发送;如邮箱已变更,请用 xltools units 更新。"),
    "zip-member-unsafe": (ERROR, "压缩包中的“{value}”{reason},可能是恶意构造的压缩包,该文件已拒绝解压。请报送单位直接发送报表文件。"),
    "zip-too-many-members": (ERROR, "压缩包含 {count} 个文件,超过上限 {limit} 个,未解压。请拆分后重新报送,或提高文件个数上限后重新运行。"),
    "zip-too-large": (ERROR, "压缩包解压后共 {size},超过上限 {limit},{what}。请确认压缩包内容;如确需处理,请提高解压大小上限后重新运行。"),
    "zip-bomb": (ERROR, "压缩包中的“{value}”解压后 {size},压缩比 {ratio}:1 超过上限 {limit}:1,疑似“压缩炸弹”,已拒绝解压。请报送单位直接发送报表文件。"),
    "zip-nested-too-deep": (ERROR, "压缩包里套压缩包超过 {limit} 层,这一层未解压。请解压后把报表直接放入收件目录。"),
    "zip-encrypted": (ERROR, "压缩包中的“{value}”设置了密码,无法解压。请报送单位去掉压缩包密码后重新报送。"),
    "zip-member-damaged": (ERROR, "压缩包中的“{value}”无法解压({reason})。请重新下载附件,或请报送单位用常见压缩软件重新压缩为 .zip 后报送。"),
    # --- mail fetched from the office mailbox (xltools fetch) ---
    "mail-from-stranger": (WARNING, "邮件发件人 {value} 不是任何单位登记的联系邮箱,也不是对督办室所发邮件的回复。请核实是谁发来的;如是某单位的新邮箱,请用 xltools units 计划文件 set 单位 --email 邮箱 更新。"),
    "mail-reply": (INFO, "这是对督办室 {sent} 发给“{unit}”的邮件的回复。"),
    # --- ledger ---
    "duplicate-file": (INFO, "与已收到的“{value}”内容完全相同,按同一份报送处理,不重复计入。"),
    "received-for-other-period": (INFO, "与已收到的“{value}”内容完全相同,那份文件记在{period}的回收中。"),
    "superseded": (INFO, "已被后来报送的“{value}”替代,不再计入汇总(仍保留在记录和存档中)。"),
    "superseded-same-time": (WARNING, "与“{value}”的收到时间相同(如同一封邮件的两个附件),无法判断哪份在后,"
                                      "已按文件名采用“{value}”,本文件不计入汇总(仍保留在记录和存档中)。"
                                      "请核对两份文件;如应采用本文件,请该单位重新报送。"),
    "archive-failed": (ERROR, "原件未能存入存档目录({reason})。本次结果已记录,请检查存档目录的权限和磁盘空间后重新运行,以补存原件。"),
    # --- the collect run: lateness and reader isolation ---
    "late-return": (WARNING, "{unit}的报表于 {value} 收到(依据:{evidence}),晚于报送截止日期 {deadline}。已接收并计入汇总,在“按单位汇总”中标为逾期。"),
    "reader-crashed": (ERROR, "读取该文件时读取程序异常退出({reason})。文件可能已损坏或构造异常,已存档但未汇总;请让报送单位用 Excel 或 WPS 重新另存为 .xlsx 后再发。"),
    "reader-timeout": (ERROR, "读取该文件超过 {seconds} 秒仍未完成,已停止读取。文件已存档但未汇总;请让报送单位重新另存为 .xlsx 后再发。"),
}

# validate: reading and identifying a returned workbook; its structure (what the unit must
# not change); the values typed. ERROR keeps the value of that cell out of the merge (or,
# for identification, the whole file); WARNING informs.
VALIDATE: dict[str, tuple[str, str]] = {
    # --- reading and identifying ------------------------------------------------------------
    "read-failed": (ERROR, "检查文件时发生意外错误({reason}),文件未汇总。请用 Excel/WPS 打开确认文件完好,另存为 .xlsx 后请单位重新报送,并把此文件提供给系统维护人员。"),
    "cell-damaged": (ERROR, "单元格内容已损坏({reason}),其中的值未采用。请单位用 Excel/WPS 打开原表,核对该单元格后另存为 .xlsx 重新报送。"),
    "sheet-empty": (ERROR, "工作表“{sheet_name}”是空的,没有任何内容。未汇总。请单位在下发的原表格中填写后重新报送。"),
    "sheet-unreadable": (ERROR, "工作表“{sheet_name}”存在但内容已损坏,无法读取。未汇总。请单位用 Excel/WPS 打开原表,确认内容完好后另存为 .xlsx 重新报送。"),
    "workbook-old-format": (ERROR, "这是旧格式的表格文件({reason}),无法读取。请单位用 Excel/WPS 打开后另存为 .xlsx 再报送。"),
    "workbook-unreadable": (ERROR, "无法作为表格读取:{reason}。请单位用 Excel/WPS 打开原表,另存为 .xlsx 后重新报送。"),
    "other-plan": (ERROR, "这是另一项工作(计划编号 {value})的表单,本次收集的是计划 {expected}。未汇总。请确认单位报送的是本次下发的表格。"),
    "other-period": (ERROR, "这是{value_name}({value})的表单,本次收集的是{expected_name}({expected})。未汇总。如单位报错了周期,请通知其填写{expected_name}的报表后重新报送。"),
    "unknown-unit-in-identity": (ERROR, "表单标识中的单位“{value}”{reason}。未汇总。请确认该表是否由本系统下发,或在计划中登记该单位后重新收集。"),
    "unknown-form-kind": (ERROR, "表单标识中的表单类型“{value}”无法识别。未汇总。请使用本系统下发的表格重新报送。"),
    # --- hostile or oversized workbooks (refused before any reader opens them) -------------
    "workbook-too-large-unzipped": (ERROR, "文件解压后({part}){size},超过上限 {limit},疑似“压缩炸弹”或内容异常,未读取(原件已存档)。报表通常只有几十 KB,请单位用 Excel/WPS 打开原表、另存为 .xlsx 后重新报送;如确需处理,请用 --max-unzipped-mb 提高上限后重新运行。"),
    "workbook-xml-unsafe": (ERROR, "文件中的“{part}”含有 DTD/实体声明(正常的 Excel、WPS、LibreOffice 文件不会有),可能是恶意构造的文件,未读取(原件已存档)。请单位用 Excel/WPS 另存为 .xlsx 后重新报送。"),
    "sheet-too-large": (ERROR, "工作表“{sheet_name}”的数据区域达 {rows} 行 × {cols} 列,超过上限 {limit} 行(或单元格总数上限),该表未读取。请删除表格下方或右侧多余的内容后重新报送;如确需处理,请用 --max-rows 提高上限后重新运行。"),
    "macro-ignored": (WARNING, "这是含宏的工作簿(.xlsm)。xltools 只读取单元格中的值,宏不会运行,也不会进入任何汇总文件。请提醒单位使用下发的 .xlsx 表格,不要启用宏。"),
    "text-too-long": (WARNING, "“{field}”填写了 {length} 个字符,超过 Excel 单元格上限 {limit} 个字符。台账中保存全文,汇总表中只能显示前 {limit} 个字符。请单位精简内容。"),
    "identity-conflict": (ERROR, "文件中指明报送单位的几处信息互相矛盾({value}),无法确定是哪个单位的报表。已暂缓记入:未计入任何单位,也未替代任何已收到的报表。请与报送单位核实后,用 xltools credit 命令确认归属。"),
    "credited-other-units-form": (WARNING, "这是下发给“{owner}”的表格,已按督办室的确认计入“{credited}”:只按任务序号和任务内容对应“{credited}”的任务,表格中其他任务的行不采用,“{credited}”有而表格中没有的任务记为缺失。请“{credited}”在自己的表格中填写后重新报送。"),
    "credited-by-clerk": (WARNING, "文件中指明报送单位的信息互相矛盾,已按督办室的确认计入“{unit}”。"),
    "index-column-added": (WARNING, "表格最左侧多了一列行号(0、1、2……,用 pandas 等程序读出再写回时常见),其余内容整体右移了一列。已去掉这一列后按原表读取,请核对数值,并提醒单位直接在下发的表格中填写。"),
    "identified-by-content": (WARNING, "文件中的表单标识已丢失(表格可能被复制到了新文件),已根据标题、填报单位和任务序号确认为“{unit}”{form_name}。请提醒单位直接在下发的表格中填写。"),
    "not-identified": (ERROR, "无法确认这是哪个单位的哪张报表:{reason}。未汇总。请单位在下发的原表格中填写后重新报送。"),
    "fingerprint-mismatch": (WARNING, "表单指纹与按当前计划重新生成的表单不一致({reason})。已按任务序号读取数值,请核对该单位收到的表格是否为最新版本。"),
    "formula-in-cell": (WARNING, "单元格中是公式“{formula}”,不是直接填写的内容;已按它最后一次算出的结果“{value}”读取。请直接填写数值或文字,不要使用公式或 HYPERLINK 链接。"),
    "extra-sheet-ignored": (WARNING, "工作簿中多出了工作表“{sheet_name}”,不属于下发的表格,其中的内容没有读取、未汇总。如有需要报送的内容,请填入下发的表格后重新报送。"),
    "sheet-renamed": (WARNING, "工作表“{expected}”已被改名为“{value}”,已从该表读取。请提醒单位不要修改工作表名称。"),
    "sheet-missing": (ERROR, "找不到工作表“{expected}”(现有工作表:{value})。未汇总。请单位在下发的原表格中填写后重新报送。"),
    "form-not-in-plan": (ERROR, "按当前计划,“{unit}”没有{form_name}(可能计划已调整)。未汇总。请核对计划或重新下发表格。"),
    "form-not-filled": (ERROR, "这是下发的{form_name}原样,任务行和指标都没有填写,不计为已报送。请单位填写后重新报送。"),
    "form-not-mapped": (ERROR, "表格内容与下发的{form_name}对不上(没有找到任何任务行或指标行)。未汇总。请单位在下发的原表格中填写后重新报送。"),
    # --- structure: what the unit must not change ------------------------------------------
    "guarded-cell-changed": (ERROR, "该单元格不允许修改,{change}。请恢复原内容后重新报送;如内容确需调整,请与督办室联系。"),
    "row-deleted": (ERROR, "序号 {number} 的{what}“{expected}”(下发时在第 {expected_row} 行)整行已被删除,没有收到任何数值,此位置现在已是其他行的内容。请在此位置恢复该行并填写后重新报送。"),
    "row-inserted": (WARNING, "表格中多出了一行(内容:“{value}”),不属于下发的任何{what},其内容未汇总。请删除多余的行,内容写入对应行后重新报送。"),
    "rows-reordered": (WARNING, "{what}“{value}”的位置被移动(下发时在第 {expected_row} 行,现在在第 {found_row} 行)。已按序号读取数值,请提醒单位不要调整行的顺序。"),
    "task-renumbered": (ERROR, "任务序号被改为“{value}”,下发时为“{expected}”(已按任务内容对应)。请恢复原序号后重新报送。"),
    "layout-shifted": (WARNING, "表格整体位置与下发时不同(下发时第 {expected_row} 行,现在第 {found_row} 行),可能增删了表头上方的行。已按内容定位读取,请提醒单位不要增删行。"),
    "columns-changed": (WARNING, "表头列“{value}”的位置与下发时不同(下发时在 {expected} 列,现在在 {found} 列),可能增删了列。已按表头定位读取,请提醒单位不要增删列。"),
    "header-label-changed": (WARNING, "表头“{expected}”被改成了“{value}”;这一列仍在下发时的位置,已照常读取。请恢复原表头,不要修改表头文字。"),
    "column-added": (WARNING, "“{value}”列不是下发表格中的列,其中 {count} 个单元格的内容没有汇总。如需报告,请单位写入“存在问题”等原有栏目。"),
    "column-missing": (ERROR, "找不到表头列“{value}”,该列的数值无法读取。请恢复原表格的列后重新报送。"),
    # --- task rows ---------------------------------------------------------------------------
    "required-empty": (ERROR, "任务 {task} 的“{field}”没有填写。请补填后重新报送。"),
    "progress-not-number": (ERROR, "任务 {task} 的完成进度“{value}”不是数字。请填写 0—100 之间的数字(例如 80 表示完成 80%)。"),
    "progress-out-of-range": (ERROR, "任务 {task} 的完成进度 {value} 超出 0—100 的范围。请填写 0—100 之间的数字。"),
    "progress-ambiguous": (WARNING, "任务 {task} 的完成进度填的是 {value},已按 {understood}% 理解。如不对,请改为 0—100 之间的数字(例如 80 表示完成 80%)。"),
    "status-invalid": (ERROR, "任务 {task} 的状态“{value}”不在可选范围内。请从下拉列表中选择:{choices}。"),
    "progress-status-mismatch": (ERROR, "任务 {task} 的完成进度为 {progress}%,状态却是“{value}”。完成进度为 100 时状态应为“已完成”,状态为“已完成”时进度应为 100。请改正其中一项。"),
    # --- quantified targets and town lines ------------------------------------------------------
    "target-empty": (WARNING, "任务 {task} 的量化指标“{label}”没有填写累计完成数。请补填年初至本期末的累计数。"),
    "target-not-number": (ERROR, "任务 {task} 的量化指标“{label}”的累计完成“{value}”不是数字。请只填数字(单位见“计量单位”列:{measure})。"),
    "target-negative": (ERROR, "任务 {task} 的量化指标“{label}”的累计完成为负数 {value}。累计数不能为负,请改正。"),
    "target-decreased": (ERROR, "任务 {task} 的量化指标“{label}”的累计完成 {value} 比上期报送的 {previous} 还少。累计数应为年初至本期末的合计,请核对;如上期数据有误,请在“说明”中写明原因。"),
    "town-value-empty": (WARNING, "指标“{label}”没有填写累计完成数。请补填年初至本期末的累计数(增幅类指标填实际增幅)。"),
    "town-value-not-number": (ERROR, "指标“{label}”的累计完成“{value}”不是数字。请只填数字(计量单位:{measure})。"),
    "town-value-negative": (ERROR, "指标“{label}”的累计完成为负数 {value}。累计数不能为负,请改正。"),
    "town-value-decreased": (ERROR, "指标“{label}”的累计完成 {value} 比上期报送的 {previous} 还少。累计数应为年初至本期末的合计,请核对;如上期数据有误,请在“说明”中写明原因。"),
    "percent-figure-ambiguous": (WARNING, "“{label}”以百分数计,填的是 {value}(单元格不是百分比格式),已按 {value}% 汇总。如本意是 {value}×100%(例如输入了“3.1%”却显示为 0.03),请改填不带 % 的数字(如 3.1)。"),
    # --- header --------------------------------------------------------------------------------
    "header-missing": (ERROR, "“{field}”没有填写。请补填后重新报送,以便督办室联系核实。"),
    "date-missing": (WARNING, "“填报日期”没有填写。请补填(例如 2019-04-08)。"),
    "date-invalid": (WARNING, "填报日期“{value}”无法识别为日期。请按 2019-04-08 的格式填写。"),
    "phone-invalid": (WARNING, "联系电话“{value}”不像有效的电话号码。请填写手机号(11 位)或带区号的座机号(如 0716-8880001)。"),
}

CATALOGUE: dict[str, tuple[str, str]] = {**PLAN, **INTAKE, **VALIDATE}
