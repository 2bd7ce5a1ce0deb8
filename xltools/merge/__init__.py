"""Accepted values → pandas frames → summary tables. Pure: no files, no Excel."""
from .common import (BLOCKED, LATE, NOT_DUE, NOT_FILLED, NOT_REPORTED, ON_TIME,
                     OVERALL_STATUSES, STATUSES, UNCLEAR, UNIT_CATEGORIES, is_late)
from .receipts import ReceiptRow
from .summary import Summary, summarize

__all__ = ["BLOCKED", "LATE", "NOT_DUE", "NOT_FILLED", "NOT_REPORTED", "ON_TIME",
           "OVERALL_STATUSES", "ReceiptRow", "STATUSES", "Summary", "UNCLEAR", "UNIT_CATEGORIES",
           "is_late", "summarize"]
