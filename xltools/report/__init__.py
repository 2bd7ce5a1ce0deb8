"""Report workbooks (layouts): the 汇总表 and the 校验报告. Written by xltools.xlsx.writer."""
from .summary_book import SHEETS as SUMMARY_SHEETS, summary_filename, summary_workbook
from .validation_book import validation_filename, validation_workbook

__all__ = ["SUMMARY_SHEETS", "summary_filename", "summary_workbook", "validation_filename",
           "validation_workbook"]
