"""A big worksheet part compressed in pieces, so that the next file can copy the pieces that
come out the same instead of compressing them again (the 汇总表 after a late return: most of
its 10-60 MB of XML is the rows the previous file holds, at the same rows).

The part's XML is cut before every 64th row (<row r="64">, <row r="128">…: rows that did not
move are the same bytes at the same cut). Each piece is deflated with the 32 KB before it as
its window (the stream's own history: nothing is lost to the cuts but 0.3 %) and ended with
a sync flush, so it ends on a byte and pieces are joined as they are; the part ends with an
empty final block. A piece of the previous file is copied only when inflating it, with the
new window, gives exactly the bytes of the new piece and ends where its sync flush does:
the outcome never depends on the record being right. The record (per part: its pieces' digests, offsets and lengths) goes
into the caller's manifest.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections.abc import Iterable

from .bounds import member_data

SEGMENT_ROWS = 64  # a piece: about 45 KB of the 汇总表's XML
MIN_PART_BYTES = 1 << 20  # smaller parts are compressed whole, as usual
_FINAL = b"\x03\x00"  # an empty final block (fixed Huffman): the end of the stream
_SYNC = b"\x00\x00\xff\xff"  # the empty stored block a sync flush ends with
_ROW = re.compile(rb'<row r="(\d+)"')
WINDOW = 1 << 15  # deflate's history: a piece is compressed after the 32 KB before it


def _compress(piece: bytes, window: bytes) -> bytes:
    """A piece deflated after `window` (what the stream holds before it), ending on a byte
    (sync flush), not final."""
    # (an empty zdict, the first piece's, sets no dictionary: the same bytes as none)
    c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15, zdict=window)
    return c.compress(piece) + c.flush(zlib.Z_SYNC_FLUSH)


def _inflates_to(raw: bytes, piece: bytes, window: bytes) -> bool:
    """Whether `raw`, after `window`, is exactly `piece` in whole blocks ending on a byte (its
    sync marker last): ended there, the stream is complete (a piece that ends mid-block or
    takes the next one's first bytes would inflate to the piece all the same)."""
    if not raw.endswith(_SYNC):
        return False
    d = zlib.decompressobj(-15, zdict=window)
    try:
        return d.decompress(raw + _FINAL) == piece and d.eof and not d.unused_data
    except zlib.error:
        return False


class Pieces:
    """A zipfile compressor (compress, flush) that deflates a part piece by piece, copying
    the pieces `old` holds (digest -> deflated bytes) when they inflate to the same bytes."""

    def __init__(self, old: dict[str, bytes]) -> None:
        self.old, self.table = old, []  # table: [digest, offset, length] of each piece
        self.buf, self.next, self.out_at, self.copied = bytearray(), SEGMENT_ROWS, 0, 0
        self.window = b""  # the last 32 KB of XML before the next piece

    def compress(self, data: bytes) -> bytes:
        self.buf += data
        out, start = [], 0
        while (cut := self._cut(start)) is not None:
            out.append(self._piece(bytes(self.buf[start:cut])))
            start = cut
        del self.buf[:start]
        return b"".join(out)

    def flush(self) -> bytes:
        last = self._piece(bytes(self.buf)) if self.buf else b""
        self.buf = bytearray()
        return last + _FINAL

    def _cut(self, start: int) -> int | None:
        """Where the next piece begins (before row self.next, or the first row after it when
        it has no <row> element), past `start`; None until the buffer holds it."""
        at = self.buf.find(b'<row r="%d"' % self.next, start + 1)
        if at < 0:  # not yet read, or a row left out: the first row beyond it, if any is here
            last = self.buf.rfind(b'<row r="', start + 1)
            got = _ROW.match(self.buf, last) if last >= 0 else None
            if got is None or int(got.group(1)) <= self.next:
                return None
            at = next(m.start() for m in _ROW.finditer(self.buf, start + 1)
                      if int(m.group(1)) > self.next)
            row = int(_ROW.match(self.buf, at).group(1))
            self.next = (row // SEGMENT_ROWS) * SEGMENT_ROWS
        self.next += SEGMENT_ROWS
        return at

    def _piece(self, piece: bytes) -> bytes:
        key, window = hashlib.blake2b(piece, digest_size=16).hexdigest(), self.window
        raw = self.old.get(key)
        if raw is not None and _inflates_to(raw, piece, window):
            self.copied += 1
        else:
            raw = _compress(piece, window)
        self.window = (window + piece)[-WINDOW:]
        self.table.append([key, self.out_at, len(raw)])
        self.out_at += len(raw)
        return raw


class PartPieces:
    """The pieces of a workbook's big parts: those the previous file holds (its record and
    its bytes) and those written now (for the next run's record)."""

    def __init__(self, record: object = None, previous: zipfile.ZipFile | None = None,
                 data: bytes = b"") -> None:
        self.old: dict[str, bytes] = {}
        if previous is not None and isinstance(record, dict):
            for part, table in record.items():
                self.old.update(_held(previous, data, part, table))
        self.written: dict[str, list] = {}  # part -> its pieces' table: the next run's record
        self.copied = 0

    def compressor(self, part: str, size: int) -> Pieces | None:
        """The compressor for `part` (size bytes of XML), or None: compressed whole."""
        big = part.startswith("xl/worksheets/sheet") and size >= MIN_PART_BYTES
        return Pieces(self.old) if big else None

    def done(self, part: str, pieces: Pieces) -> None:
        self.written[part] = pieces.table
        self.copied += pieces.copied


def _held(previous: zipfile.ZipFile, data: bytes, part: object, table: object
          ) -> Iterable[tuple[str, bytes]]:
    """digest -> deflated bytes of a part's recorded pieces, if the record is in the shape
    written and tiles the part's data exactly (else none: compressed again)."""
    if not isinstance(part, str) or not isinstance(table, list):
        return ()
    try:
        info = previous.getinfo(part)
    except KeyError:
        return ()
    held = member_data(data, info) if info.compress_type == zipfile.ZIP_DEFLATED else None
    if held is None:
        return ()
    raw = bytes(held)
    at, out = 0, []
    for entry in table:
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
                and entry[1] == at and type(entry[2]) is int and entry[2] > 0):
            return ()
        out.append((entry[0], raw[at:at + entry[2]]))
        at += entry[2]
    return out if raw[at:] == _FINAL else ()
