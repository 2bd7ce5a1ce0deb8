"""Finding codes of the validate stage: code -> (severity, Chinese message template).

Codes are stable once released. Templates may use {where}, {unit}, {task}, {value} and
any keyword passed to finding(); they say where the problem is and what to do.

Groups: reading and identifying a returned workbook; its structure (what the unit must not
change); the values typed (task rows, targets, town lines, header). 错误 keeps the value of
that cell out of the merge (or, for identification, the whole file); 警告 informs.
"""
from __future__ import annotations

ERROR, WARNING, INFO = "错误", "警告", "提示"

CODES: dict[str, tuple[str, str]] = {
    # --- reading and identifying ------------------------------------------------------------
    "read-failed": (ERROR, "{where}:检查文件时发生意外错误({reason}),文件未汇总。请用 Excel/WPS 打开确认文件完好,另存为 .xlsx 后请单位重新报送,并把此文件提供给系统维护人员。"),
    "cell-damaged": (ERROR, "{where}:单元格内容已损坏({reason}),其中的值未采用。请单位用 Excel/WPS 打开原表,核对该单元格后另存为 .xlsx 重新报送。"),
    "sheet-empty": (ERROR, "{where}:工作表“{sheet_name}”是空的,没有任何内容。未汇总。请单位在下发的原表格中填写后重新报送。"),
    "sheet-unreadable": (ERROR, "{where}:工作表“{sheet_name}”存在但内容已损坏,无法读取。未汇总。请单位用 Excel/WPS 打开原表,确认内容完好后另存为 .xlsx 重新报送。"),
    "workbook-old-format": (ERROR, "{where}:这是旧格式的表格文件({reason}),无法读取。请单位用 Excel/WPS 打开后另存为 .xlsx 再报送。"),
    "workbook-unreadable": (ERROR, "{where}:无法作为表格读取:{reason}。请单位用 Excel/WPS 打开原表,另存为 .xlsx 后重新报送。"),
    "other-plan": (ERROR, "{where}:这是另一项工作(计划编号 {value})的表单,本次收集的是计划 {expected}。未汇总。请确认单位报送的是本次下发的表格。"),
    "other-period": (ERROR, "{where}:这是{value_name}({value})的表单,本次收集的是{expected_name}({expected})。未汇总。如单位报错了周期,请通知其填写{expected_name}的报表后重新报送。"),
    "unknown-unit-in-identity": (ERROR, "{where}:表单标识中的单位“{value}”{reason}。未汇总。请确认该表是否由本系统下发,或在计划中登记该单位后重新收集。"),
    "unknown-form-kind": (ERROR, "{where}:表单标识中的表单类型“{value}”无法识别。未汇总。请使用本系统下发的表格重新报送。"),
    # --- hostile or oversized workbooks (refused before any reader opens them) -------------
    "workbook-too-large-unzipped": (ERROR, "{where}:文件解压后({part}){size},超过上限 {limit},疑似“压缩炸弹”或内容异常,未读取(原件已存档)。报表通常只有几十 KB,请单位用 Excel/WPS 打开原表、另存为 .xlsx 后重新报送;如确需处理,请用 --max-unzipped-mb 提高上限后重新运行。"),
    "workbook-xml-unsafe": (ERROR, "{where}:文件中的“{part}”含有 DTD/实体声明(正常的 Excel、WPS、LibreOffice 文件不会有),可能是恶意构造的文件,未读取(原件已存档)。请单位用 Excel/WPS 另存为 .xlsx 后重新报送。"),
    "sheet-too-large": (ERROR, "{where}:工作表“{sheet_name}”的数据区域达 {rows} 行 × {cols} 列,超过上限 {limit} 行(或单元格总数上限),该表未读取。请删除表格下方或右侧多余的内容后重新报送;如确需处理,请用 --max-rows 提高上限后重新运行。"),
    "macro-ignored": (WARNING, "{where}:这是含宏的工作簿(.xlsm)。xltools 只读取单元格中的值,宏不会运行,也不会进入任何汇总文件。请提醒单位使用下发的 .xlsx 表格,不要启用宏。"),
    "text-too-long": (WARNING, "{where}:“{field}”填写了 {length} 个字符,超过 Excel 单元格上限 {limit} 个字符。台账中保存全文,汇总表中只能显示前 {limit} 个字符。请单位精简内容。"),
    "identity-conflict": (ERROR, "{where}:文件中指明报送单位的几处信息互相矛盾({value}),无法确定是哪个单位的报表。已暂缓记入:未计入任何单位,也未替代任何已收到的报表。请与报送单位核实后,用 xltools credit 命令确认归属。"),
    "credited-by-clerk": (WARNING, "{where}:文件中指明报送单位的信息互相矛盾,已按督办室的确认计入“{unit}”。"),
    "index-column-added": (WARNING, "{where}:表格最左侧多了一列行号(0、1、2……,用 pandas 等程序读出再写回时常见),其余内容整体右移了一列。已去掉这一列后按原表读取,请核对数值,并提醒单位直接在下发的表格中填写。"),
    "identified-by-content": (WARNING, "{where}:文件中的表单标识已丢失(表格可能被复制到了新文件),已根据标题、填报单位和任务序号确认为“{unit}”{form_name}。请提醒单位直接在下发的表格中填写。"),
    "not-identified": (ERROR, "{where}:无法确认这是哪个单位的哪张报表:{reason}。未汇总。请单位在下发的原表格中填写后重新报送。"),
    "fingerprint-mismatch": (WARNING, "{where}:表单指纹与按当前计划重新生成的表单不一致({reason})。已按任务序号读取数值,请核对该单位收到的表格是否为最新版本。"),
    "sheet-renamed": (WARNING, "{where}:工作表“{expected}”已被改名为“{value}”,已从该表读取。请提醒单位不要修改工作表名称。"),
    "sheet-missing": (ERROR, "{where}:找不到工作表“{expected}”(现有工作表:{value})。未汇总。请单位在下发的原表格中填写后重新报送。"),
    "form-not-in-plan": (ERROR, "{where}:按当前计划,“{unit}”没有{form_name}(可能计划已调整)。未汇总。请核对计划或重新下发表格。"),
    "form-not-mapped": (ERROR, "{where}:表格内容与下发的{form_name}对不上(没有找到任何任务行或指标行)。未汇总。请单位在下发的原表格中填写后重新报送。"),
    # --- structure: what the unit must not change ------------------------------------------
    "guarded-cell-changed": (ERROR, "{where}:该单元格不允许修改,{change}。请恢复原内容后重新报送;如内容确需调整,请与督办室联系。"),
    "row-deleted": (ERROR, "{where}:序号 {number} 的{what}“{expected}”(下发时在第 {expected_row} 行)整行已被删除,没有收到任何数值,此位置现在已是其他行的内容。请在此位置恢复该行并填写后重新报送。"),
    "row-inserted": (WARNING, "{where}:表格中多出了一行(内容:“{value}”),不属于下发的任何{what},其内容未汇总。请删除多余的行,内容写入对应行后重新报送。"),
    "rows-reordered": (WARNING, "{where}:{what}“{value}”的位置被移动(下发时在第 {expected_row} 行,现在在第 {found_row} 行)。已按序号读取数值,请提醒单位不要调整行的顺序。"),
    "task-renumbered": (ERROR, "{where}:任务序号被改为“{value}”,下发时为“{expected}”(已按任务内容对应)。请恢复原序号后重新报送。"),
    "layout-shifted": (WARNING, "{where}:表格整体位置与下发时不同(下发时第 {expected_row} 行,现在第 {found_row} 行),可能增删了表头上方的行。已按内容定位读取,请提醒单位不要增删行。"),
    "columns-changed": (WARNING, "{where}:表头列“{value}”的位置与下发时不同(下发时在 {expected} 列,现在在 {found} 列),可能增删了列。已按表头定位读取,请提醒单位不要增删列。"),
    "column-missing": (ERROR, "{where}:找不到表头列“{value}”,该列的数值无法读取。请恢复原表格的列后重新报送。"),
    # --- task rows ---------------------------------------------------------------------------
    "required-empty": (ERROR, "{where}:任务 {task} 的“{field}”没有填写。请补填后重新报送。"),
    "progress-not-number": (ERROR, "{where}:任务 {task} 的完成进度“{value}”不是数字。请填写 0—100 之间的数字(例如 80 表示完成 80%)。"),
    "progress-out-of-range": (ERROR, "{where}:任务 {task} 的完成进度 {value} 超出 0—100 的范围。请填写 0—100 之间的数字。"),
    "progress-ambiguous": (WARNING, "{where}:任务 {task} 的完成进度填的是 {value},已按 {understood}% 理解。如不对,请改为 0—100 之间的数字(例如 80 表示完成 80%)。"),
    "status-invalid": (ERROR, "{where}:任务 {task} 的状态“{value}”不在可选范围内。请从下拉列表中选择:{choices}。"),
    "progress-status-mismatch": (ERROR, "{where}:任务 {task} 的完成进度为 {progress}%,状态却是“{value}”。完成进度为 100 时状态应为“已完成”,状态为“已完成”时进度应为 100。请改正其中一项。"),
    # --- quantified targets and town lines ------------------------------------------------------
    "target-empty": (WARNING, "{where}:任务 {task} 的量化指标“{label}”没有填写累计完成数。请补填年初至本期末的累计数。"),
    "target-not-number": (ERROR, "{where}:任务 {task} 的量化指标“{label}”的累计完成“{value}”不是数字。请只填数字(单位见“计量单位”列:{measure})。"),
    "target-negative": (ERROR, "{where}:任务 {task} 的量化指标“{label}”的累计完成为负数 {value}。累计数不能为负,请改正。"),
    "target-decreased": (ERROR, "{where}:任务 {task} 的量化指标“{label}”的累计完成 {value} 比上期报送的 {previous} 还少。累计数应为年初至本期末的合计,请核对;如上期数据有误,请在“说明”中写明原因。"),
    "town-value-empty": (WARNING, "{where}:指标“{label}”没有填写累计完成数。请补填年初至本期末的累计数(增幅类指标填实际增幅)。"),
    "town-value-not-number": (ERROR, "{where}:指标“{label}”的累计完成“{value}”不是数字。请只填数字(计量单位:{measure})。"),
    "town-value-negative": (ERROR, "{where}:指标“{label}”的累计完成为负数 {value}。累计数不能为负,请改正。"),
    "town-value-decreased": (ERROR, "{where}:指标“{label}”的累计完成 {value} 比上期报送的 {previous} 还少。累计数应为年初至本期末的合计,请核对;如上期数据有误,请在“说明”中写明原因。"),
    "percent-figure-ambiguous": (WARNING, "{where}:“{label}”以百分数计,填的是 {value}(单元格不是百分比格式),已按 {value}% 汇总。如本意是 {value}×100%(例如输入了“3.1%”却显示为 0.03),请改填不带 % 的数字(如 3.1)。"),
    # --- header --------------------------------------------------------------------------------
    "header-missing": (ERROR, "{where}:“{field}”没有填写。请补填后重新报送,以便督办室联系核实。"),
    "date-missing": (WARNING, "{where}:“填报日期”没有填写。请补填(例如 2019-04-08)。"),
    "date-invalid": (WARNING, "{where}:填报日期“{value}”无法识别为日期。请按 2019-04-08 的格式填写。"),
    "phone-invalid": (WARNING, "{where}:联系电话“{value}”不像有效的电话号码。请填写手机号(11 位)或带区号的座机号(如 0716-8880001)。"),
}
