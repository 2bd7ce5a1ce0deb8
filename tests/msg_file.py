"""Build an Outlook .msg (MS-OXMSG in an OLE2 compound file, MS-CFB v3) for tests.

No maintained library writes .msg files (extract-msg only reads), so this is a minimal
writer: a message with a subject, sender, transport headers (From, Date), a submit time and
attachments by value. Streams under 4096 bytes go in the mini stream, as the format wants.
"""
from __future__ import annotations

import struct
from datetime import datetime, timezone

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR, MINI, CUTOFF = 512, 64, 4096
PT_LONG, PT_SYSTIME, PT_UNICODE, PT_BINARY = 0x0003, 0x0040, 0x001F, 0x0102


def _filetime(dt: datetime) -> int:
    epoch = datetime(1601, 1, 1, tzinfo=timezone.utc)
    return int((dt.astimezone(timezone.utc) - epoch).total_seconds() * 10_000_000)


def _props(header: bytes, fixed: list[tuple[int, int, int]], variable: dict[str, bytes]) -> dict:
    """A __properties_version1.0 stream and the __substg1.0_ streams of variable values."""
    body = b""
    out = {}
    for pid, ptype, value in fixed:
        body += struct.pack("<IIQ", (pid << 16) | ptype, 6, value)
    for tag, data in variable.items():
        pid, ptype = int(tag[:4], 16), int(tag[4:], 16)
        body += struct.pack("<IIII", (pid << 16) | ptype, 6, len(data) + (2 if ptype == PT_UNICODE else 0), 0)
        out[f"__substg1.0_{tag}"] = data
    out["__properties_version1.0"] = header + body
    return out


def _u(text: str) -> bytes:
    return text.encode("utf-16-le")


def msg_bytes(subject: str, sender: str, sent: datetime,
              attachments: list[tuple[str, bytes]]) -> bytes:
    """An .msg sent by `sender` ("名字 <a@b.cn>") at `sent` (aware) with attachments."""
    date = sent.strftime("%a, %d %b %Y %H:%M:%S %z")
    headers = f"From: {sender}\r\nDate: {date}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\r\n"
    addr = sender.split("<")[-1].rstrip(">").strip()
    root = _props(struct.pack("<8xIIII8x", 0, len(attachments), 0, len(attachments)),
                  [(0x0039, PT_SYSTIME, _filetime(sent)), (0x0E06, PT_SYSTIME, _filetime(sent))],
                  {"001A001F": _u("IPM.Note"), "0037001F": _u(subject),
                   "0C1F001F": _u(addr), "0C1A001F": _u(sender.split("<")[0].strip()),
                   "007D001F": _u(headers), "1000001F": _u("见附件。")})
    root["__nameid_version1.0"] = {"__substg1.0_00020102": b"", "__substg1.0_00030102": b"",
                                   "__substg1.0_00040102": b""}
    for i, (name, data) in enumerate(attachments):
        root[f"__attach_version1.0_#{i:08X}"] = _props(
            b"\x00" * 8, [(0x3705, PT_LONG, 1), (0x0E21, PT_LONG, i)],
            {"37010102": data, "3707001F": _u(name), "3704001F": _u(name[:8]),
             "3001001F": _u(name)})
    return cfb(root)


def cfb(tree: dict) -> bytes:
    """An OLE2 compound file (version 3) holding `tree`: name -> bytes (stream) or dict."""
    entries = [["Root Entry", 5, b"", []]]  # name, type, data, children ids

    def add(node: dict, parent: int) -> None:
        for name in sorted(node, key=lambda n: (len(n), n.upper())):
            value = node[name]
            idx = len(entries)
            entries.append([name, 1 if isinstance(value, dict) else 2,
                            b"" if isinstance(value, dict) else value, []])
            entries[parent][3].append(idx)
            if isinstance(value, dict):
                add(value, idx)
    add(tree, 0)
    mini = bytearray()
    minifat: list[int] = []
    big: list[tuple[int, bytes]] = []
    start = {}
    for i, (name, etype, data, _) in enumerate(entries):
        if etype != 2 or not data:
            continue
        if len(data) < CUTOFF:
            first = len(mini) // MINI
            n = -(-len(data) // MINI)
            minifat += [first + k + 1 for k in range(n - 1)] + [END]
            start[i] = first
            mini += data.ljust(n * MINI, b"\x00")
        else:
            big.append((i, data))
    sectors = lambda b: -(-len(b) // SECTOR)  # noqa: E731
    dir_bytes_len = -(-len(entries) // 4) * SECTOR
    minifat_bytes = b"".join(struct.pack("<I", x) for x in minifat)
    n_dir, n_minifat, n_mini = dir_bytes_len // SECTOR, sectors(minifat_bytes), sectors(mini)
    n_big = sum(sectors(d) for _, d in big)
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + n_minifat + n_mini + n_big:
        n_fat += 1
    fat: list[int] = [FATSECT] * n_fat
    pos = n_fat

    def chain(n: int) -> int:
        nonlocal pos
        if n == 0:
            return END
        first = pos
        fat.extend([pos + k + 1 for k in range(n - 1)] + [END])
        pos += n
        return first
    first_dir = chain(n_dir)
    first_minifat = chain(n_minifat)
    first_mini = chain(n_mini)
    for i, data in big:
        start[i] = chain(sectors(data))
    fat += [FREE] * (n_fat * 128 - len(fat))
    d = bytearray()
    for i, (name, etype, data, kids) in enumerate(entries):
        e = bytearray(128)
        raw = (name + "\x00").encode("utf-16-le")
        e[:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), etype, 1)
        siblings = entries[[j for j, x in enumerate(entries) if i in x[3]][0]][3] if i else [0]
        k = siblings.index(i)
        right = siblings[k + 1] if k + 1 < len(siblings) else NOSTREAM
        struct.pack_into("<III", e, 68, NOSTREAM, right, kids[0] if kids else NOSTREAM)
        if etype == 5:
            struct.pack_into("<IQ", e, 116, first_mini if mini else END, len(mini))
        elif etype == 2:
            struct.pack_into("<IQ", e, 116, start.get(i, END), len(data))
        else:
            struct.pack_into("<IQ", e, 116, 0, 0)
        d += e
    d = bytes(d).ljust(dir_bytes_len, b"\x00")
    hdr = bytearray(512)
    hdr[:8] = OLE_MAGIC
    struct.pack_into("<HHHHH", hdr, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", hdr, 40, 0, n_fat, first_dir, 0, CUTOFF,
                     first_minifat, n_minifat, END, 0)
    struct.pack_into("<109I", hdr, 76, *range(n_fat), *([FREE] * (109 - n_fat)))
    body = b"".join(struct.pack("<128I", *fat[k * 128:(k + 1) * 128]) for k in range(n_fat))
    body += d + minifat_bytes.ljust(n_minifat * SECTOR, b"\xff")
    body += bytes(mini).ljust(n_mini * SECTOR, b"\x00")
    for _, data in big:
        body += data.ljust(sectors(data) * SECTOR, b"\x00")
    return bytes(hdr) + body
