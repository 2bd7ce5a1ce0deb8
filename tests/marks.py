"""Notice text printed the way official documents print it, for the parse tests and fixtures."""
from __future__ import annotations

from xltools.parse.fold import RESTORE_MARKS

_FULL_WIDTH = str.maketrans(RESTORE_MARKS)


def restore_marks(text: str) -> str:
    """( ) : ; , printed full width, as official documents print them."""
    return text.translate(_FULL_WIDTH)
