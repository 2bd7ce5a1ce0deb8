"""Notice text printed the way official documents print it, for the parse tests and fixtures."""
from __future__ import annotations

from xltools.model.glossary import FULL_WIDTH_OF

_FULL_WIDTH = str.maketrans(FULL_WIDTH_OF)


def restore_marks(text: str) -> str:
    """( ) : ; , printed full width, as official documents print them."""
    return text.translate(_FULL_WIDTH)
