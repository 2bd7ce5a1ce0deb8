"""The one normalisation boundary: text folded for recognition, the original kept for output.

`fold` is length-preserving (one character in, one character out), so an offset in the
folded text indexes the original: rules match on folded text and slice the original.
Full-width ASCII forms (U+FF01–U+FF5E) become ASCII, odd spaces become a space, other
single-character compatibility forms are folded by NFKC; 、 。 and CJK stay as printed.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import replace
from functools import cache

from ..model.glossary import FULL_WIDTH_OF

ELLIPSIS = "\u2026"

_SPACES = frozenset("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                    "\u200a\u200b\u202f\u205f\u3000\ufeff")


def _fold_char(ch: str) -> str:
    o = ord(ch)
    if o < 0x80:
        return ch
    if ch in _SPACES:
        return " "
    if ch == "\u2236":  # the ratio sign, typed for a colon (责任单位\u2236…)
        return ":"
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    if o < 0xF900 and not 0x2100 <= o < 0x2200 and not 0x3200 <= o < 0x3400:
        return ch  # CJK, 、。, dashes, quotes, circled numbers: as printed
    # Circled numbers, enclosed forms and the like carry meaning (①… are item markers): kept.
    n = unicodedata.normalize("NFKC", ch) if unicodedata.category(ch) != "No" else ch
    return n if len(n) == 1 else ch


class _Folds(dict):
    """Code point → folded character, each worked out once (str.translate's mapping)."""

    def __missing__(self, o: int) -> str:
        self[o] = _fold_char(chr(o))
        return self[o]


_TABLE = _Folds()


def fold(text: str) -> str:
    """Text for recognition: same length as `text`, full-width/odd forms folded to ASCII."""
    return text.translate(_TABLE)


class Unfolder:
    """Maps strings cut from folded text back to the document's own characters."""

    def __init__(self, original: str):
        self.original = original
        self.folded = fold(original)
        # The text as rules join it (lines stripped and run together), with offsets back.
        self._index = [i for i, ch in enumerate(self.folded) if ch not in "\r\n"]
        self._joined = "".join(self.folded[i] for i in self._index)
        forms: dict[str, set[str]] = defaultdict(set)
        for o, f in zip(original, self.folded):
            if o != f or f in FULL_WIDTH_OF:
                forms[f].add(o)
        self._changed = frozenset(f for f, s in forms.items() if s - {f})
        # A folded character the document prints in one form only maps back to that form.
        self._single = {f: next(iter(s)) for f, s in forms.items() if len(s) == 1 and f not in s}

    def __call__(self, text: str) -> str:
        """`text` in the document's own characters (unchanged when it was never folded)."""
        if not any(ch in self._changed for ch in text):
            return text
        found = self._printed(text)
        return found if found is not None else "".join(self._single.get(ch, ch) for ch in text)

    def quoted(self, text: str) -> str:
        """A piece of the document quoted in a message, as printed there; anything else (a
        path, xltools' own words) as given, never guessed character by character."""
        core = text.strip(ELLIPSIS)  # an excerpt ("…打造林、沙口…") is looked up without its marks
        if not core or not any(ch in self._changed for ch in core):
            return text
        found = self._printed(core)
        return text if found is None else text.replace(core, found, 1)

    def _printed(self, text: str) -> str | None:
        at = self._joined.find(text)
        return None if at < 0 else "".join(self.original[self._index[at + k]] for k in range(len(text)))


def restore_printed(result, original: str, register_names: bool = False) -> None:
    """Map the parse result's outgoing strings back to `original`'s characters, in place: the
    rules read folded text, and every text, heading, name and number they produce comes
    back here, once, so a notice printed with full-width brackets and colons gives them
    back in the plan. Task keys (Task.number) stay folded: forms, ledger and plan files
    rely on them. Unit and group names are mapped one way per name (the same name
    everywhere); with a register (`register_names`) the register's own spelling is kept.
    """
    if (plan := result.plan) is None:
        return
    unfold = Unfolder(original)
    name = cache(unfold)  # one mapping per name, the same everywhere

    def texts(obj, *attrs: str, by=unfold) -> None:  # a string, or each string of a list
        for a in attrs:
            v = getattr(obj, a)
            setattr(obj, a, [by(x) for x in v] if isinstance(v, list) else by(v))

    texts(plan, "title", "issuer", "doc_number")
    for t in plan.tasks:
        texts(t, "text", "deadline", "lead_leader", "notes", "section")
        # digits as ASCII: unfold maps a number by its first occurrence anywhere in the text, so
        # items numbered in full-width digits came back full width or not, as the sentences had it
        printed = "".join(fold(c) if c.isdecimal() else c for c in unfold(t.printed_number))
        t.printed = "" if printed == t.number else printed  # kept only where it differs
        texts(t, "lead_units", "responsible_units", by=name)
        for x in t.targets:
            texts(x, "label", "text")
    if not register_names:
        for e in [*plan.units, *plan.groups]:
            texts(e, "name", "aliases", by=name)
        for g in plan.groups:
            g.members = [name(m) for m in g.members]
        for e in result.annex2:
            e.unit = name(e.unit)
    if plan.matrix is not None:  # headings as printed; row labels stay keys of the values
        texts(plan.matrix, "title")
        for c in plan.matrix.columns:
            texts(c, "path")
        for r in plan.matrix.rows:
            r.unit = name(r.unit) if r.unit and not register_names else r.unit
    for lt in result.loose_targets:
        texts(lt, "text", "section")
    # what the findings quote of the notice, as it is printed (a clerk searches for it)
    result.findings[:] = [replace(f, params={k: unfold.quoted(v) if isinstance(v, str) else v
                                             for k, v in f.params.items()})
                          for f in result.findings]
