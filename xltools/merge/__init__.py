"""Accepted values → tables (model.table) → what the summaries print. Pure: no files, no Excel."""
from .receipts import ReceiptRow
from .summary import Summary, summarize

__all__ = ["ReceiptRow", "Summary", "summarize"]
