"""What a workbook reader needs to know of a run's limits; the numbers live in collect.limits."""
from __future__ import annotations

from typing import Protocol


class ReadLimits(Protocol):
    """The bounds one returned workbook is read within (collect.limits.Limits provides them)."""

    max_file_bytes: int  # the file itself
    max_uncompressed_bytes: int  # all parts of a zipped workbook, inflated
    max_members: int  # parts of a zipped workbook
    max_rows: int  # rows holding a value in one sheet
    max_cells: int  # a sheet's bounding box handed to the native reader
