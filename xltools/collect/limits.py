"""The bounds one collect run works within: one object, built by the CLI, passed down.

Every bound a user may need to raise is here, and only here (see docs/limits.md for the
table of what happens past each). Intake, the workbook reader (xlsx.cells, which takes this
object as a model.limits.ReadLimits), the worker processes and the ledger all take their
numbers from this one object.
"""
from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
GB = 1024 * MB


@dataclass(frozen=True)
class Limits:
    """Bounds on what a collect run reads; a user can raise any of them."""

    max_file_bytes: int = 50 * MB  # a received file (workbook or .zip) larger is not read
    max_uncompressed_bytes: int = 500 * MB  # a .zip attachment's members / a workbook's parts
    max_rows: int = 100_000  # rows holding a value in one sheet
    max_members: int = 2000  # files in one .zip attachment (nested incl.); parts of a workbook
    max_ratio: float = 100.0  # uncompressed:compressed of one attachment member (zip bomb)
    ratio_min_bytes: int = 1 * MB  # members smaller than this are never called bombs
    max_depth: int = 20  # folder levels below an inbox folder
    max_zip_nesting: int = 2  # an attachment inside an attachment; deeper is not opened
    file_timeout: float = 120.0  # seconds one workbook may take to read, in its worker
    max_memory_bytes: int = 1 * GB  # address space a reading worker may add to its start
    ledger_wait: float = 30.0  # seconds to wait for another collect holding the ledger

    @property
    def max_cells(self) -> int:
        """Cells in a sheet's bounding box handed to the native reader (≈32 bytes each)."""
        return max(2_000_000, self.max_rows * 50)

    @property
    def worker_memory_bytes(self) -> int:
        """The worker's extra address space: enough for the largest workbook allowed
        (measured: a 2-million-cell sheet read and turned into rows takes ≈190 MB)."""
        return max(self.max_memory_bytes, 2 * self.max_uncompressed_bytes,
                   100 * self.max_cells)

    @classmethod
    def from_options(cls, max_file_mb: float | None = None, max_unzipped_mb: float | None = None,
                     max_rows: int | None = None, **kw) -> "Limits":
        """Limits from the CLI's options (megabytes, rows); None keeps the default."""
        for name, value, unit in (("max_file_bytes", max_file_mb, MB),
                                  ("max_uncompressed_bytes", max_unzipped_mb, MB),
                                  ("max_rows", max_rows, 1)):
            if value is not None:
                kw[name] = int(value * unit)
            if name in kw and kw[name] <= 0:
                raise ValueError(name)
        return cls(**kw)


DEFAULT_LIMITS = Limits()
