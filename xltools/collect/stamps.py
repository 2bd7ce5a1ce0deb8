"""The stamped copy (盖章件): units also send the form signed and stamped (主要领导审核并加盖
公章) as a PDF or a photo. One beside a return — in the same e-mail, the same .zip, the same
folder — or named for a unit is that unit's stamped copy for the period."""
from __future__ import annotations

import os
from typing import BinaryIO

from ..model import Plan
from ..model.returns import ACCEPTED, SUPERSEDED, Received

STAMP = "stamp"  # Received.file_type and the ledger's form kind of a stamped copy
_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")
ARCHIVE_EXTS = {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff"}
HOW = {"container": "与报表在同一邮件或压缩包中", "folder": "与报表在同一文件夹中",
       "name": "文件名中有单位名称"}


def is_stamp(f: BinaryIO) -> bool:
    """A PDF or an image, by its first bytes."""
    f.seek(0)
    return f.read(8).startswith(_MAGIC)


def archive_ext(rec: Received) -> str:
    """The archive keeps a stamped copy under its own extension (the clerk opens it)."""
    ext = os.path.splitext(rec.name)[1].lower()
    return ext[1:] if ext in ARCHIVE_EXTS else "bin"


def _container(display: str, sep: str) -> str:
    return display.rsplit(sep, 1)[0] if sep in display else ""


def whose(rec: Received, returns: list[tuple[str, str, str]], plan: Plan,
          sep: str) -> tuple[str, str] | None:
    """(unit, how) of a stamped copy, or None when no one unit is certain.

    returns: (display, status, unit) of this run's returns.
    """
    ok = [(d, u) for d, s, u in returns if s in (ACCEPTED, SUPERSEDED) and u]
    box, folder = _container(rec.display, sep), _container(rec.display, "/")
    stem = os.path.splitext(rec.name)[0]
    # the units each way names, in order of certainty: the first that names one says
    named = {"container": {u for d, u in ok if box and _container(d, sep) == box},
             "folder": {u for d, u in ok if folder and not box and sep not in d
                        and _container(d, "/") == folder},
             "name": {u.name for u in plan.units
                      if any(n and n in stem for n in (u.name, *getattr(u, "aliases", [])))}}
    return next(((units.pop(), how) for how, units in named.items() if len(units) == 1), None)
