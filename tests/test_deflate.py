"""xlsx.deflate: a worksheet part compressed in pieces inflates to exactly its XML however it
is fed; the next file copies the pieces that did not change and compresses the rest; a
record that lies about the previous pieces never puts a wrong byte in the new file."""
from __future__ import annotations

import io
import random
import zipfile
import zlib

import pytest

from xltools.xlsx import deflate
from xltools.xlsx.deflate import PartPieces, Pieces

PART = "xl/worksheets/sheet1.xml"


def _sheet(rows: range, text=lambda r: f"第{r}行" * (r % 7 + 1), skip=()) -> bytes:
    """Worksheet XML shaped as xlsxwriter writes it (a row element per row, inline strings)."""
    body = "".join(f'<row r="{r}" spans="1:3"><c r="A{r}" t="inlineStr"><is><t>{text(r)}</t>'
                   f'</is></c><c r="B{r}"><v>{r * 3}</v></c></row>'
                   for r in rows if r not in skip)
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData>' + body +
            "</sheetData><mergeCells/></worksheet>").encode()


def _deflated(comp: Pieces, data: bytes, chunk: int) -> bytes:
    return b"".join(comp.compress(data[i:i + chunk]) for i in range(0, len(data), chunk)) + comp.flush()


def _zip(data: bytes, pieces: PartPieces) -> tuple[zipfile.ZipFile, bytes]:
    """A zip holding the part, compressed in pieces (what the next run reads)."""
    comp = pieces.compressor(PART, len(data))
    raw = _deflated(comp, data, 1 << 20)
    pieces.done(PART, comp)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(PART)
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w") as dest:
            dest._compressor = _Given(raw)
            dest.write(data)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue())), buf.getvalue()


class _Given:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def compress(self, data: bytes) -> bytes:
        return b""

    def flush(self) -> bytes:
        return self.raw


@pytest.fixture(autouse=True)
def small(monkeypatch):
    monkeypatch.setattr(deflate, "MIN_PART_BYTES", 0)


@pytest.mark.parametrize("chunk", [1 << 20, 4096, 7, 1])
def test_pieces_inflate_to_the_part_however_it_is_fed(chunk):
    data = _sheet(range(1, 300), skip={64, 65, 192})  # (rows left out where a cut falls)
    comp = Pieces({})
    raw = _deflated(comp, data, chunk)
    assert zlib.decompress(raw, -15) == data
    starts = [e[1] for e in comp.table]
    assert starts == sorted(starts) and len(comp.table) == 300 // deflate.SEGMENT_ROWS + 1
    # the cuts fall before the same rows, however the bytes arrived
    assert [e[0] for e in comp.table] == [e[0] for e in _table(data, 1 << 20)]


def _table(data: bytes, chunk: int) -> list:
    comp = Pieces({})
    _deflated(comp, data, chunk)
    return comp.table


def test_pieces_cost_next_to_nothing_in_size():
    rnd = random.Random(7)
    data = _sheet(range(1, 3000), text=lambda r: "".join(rnd.choice("任务完成推进落实") for _ in range(30)))
    whole = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    size = len(whole.compress(data) + whole.flush())
    assert len(_deflated(Pieces({}), data, 1 << 20)) < size * 1.02


def test_next_file_copies_the_unchanged_pieces_and_compresses_the_changed():
    def text(r):  # (rows of the 汇总表's size: a piece is more than deflate's 32 KB window)
        return f"第{r}行" * 60
    before = _sheet(range(1, 1000), text)
    old_zip, old_data = _zip(before, first := PartPieces())
    record = first.written
    after = _sheet(range(1, 1000), text=lambda r: "改了" if r == 500 else text(r))
    pieces = PartPieces(record, old_zip, old_data)
    comp = pieces.compressor(PART, len(after))
    raw = _deflated(comp, after, 4096)
    assert zlib.decompress(raw, -15) == after
    n = len(comp.table)
    # the changed piece and the one after it (its window changed) are compressed again
    assert n - 2 <= comp.copied < n
    assert PartPieces(record, old_zip, old_data).compressor("xl/styles.xml", 10 ** 7) is None


@pytest.mark.parametrize("lie", ["swapped", "shifted", "short", "foreign", "garbage", "grown",
                                 "shrunk"])
def test_a_record_that_lies_puts_no_wrong_byte_in_the_new_file(lie):
    before = _sheet(range(1, 1000))
    old_zip, old_data = _zip(before, first := PartPieces())
    table = first.written[PART]
    if lie == "swapped":  # every piece named as another
        digests = [e[0] for e in table]
        for e, d in zip(table, digests[1:] + digests[:1]):
            e[0] = d
    elif lie == "shifted":
        table[3][1] += 1
    elif lie == "short":
        table.pop()
    elif lie in ("grown", "shrunk"):  # a piece ends a byte later or earlier, the rest still
        by = 1 if lie == "grown" else -1  # tiles the part: inflated, it is the piece all the same
        table[3][2] += by
        table[4][1] += by
        table[4][2] -= by
    elif lie == "foreign":
        table = {"xl/worksheets/sheet9.xml": table}
    else:
        table = [["x", "y", 3]]
    record = table if lie == "foreign" else {PART: table}
    comp = PartPieces(record, old_zip, old_data).compressor(PART, len(before))
    raw = _deflated(comp, before, 1 << 20)
    assert zlib.decompress(raw, -15) == before
    # (moved ends: the two pieces concerned are compressed again, the others copied)
    assert comp.copied == (len(table) - 2 if lie in ("grown", "shrunk") else 0)
