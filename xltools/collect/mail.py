"""E-mails as inbox items: a saved .eml (the standard library's email package) or Outlook
.msg (extract-msg) gives its attachments, when it was sent (Date) and who sent it (From).

The attachments are taken under the rules of a .zip (collect.intake): names xltools chooses
on disk, the same member and size budget. The mail is read in memory: intake only gets
here for a file within --max-file-mb.
"""
from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr
from typing import BinaryIO

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# header names a saved e-mail starts with (RFC 5322); an .mht web archive has them too, but
# it is multipart/related around an HTML page and has no attachments to take
_HEADERS = (b"received:", b"return-path:", b"from:", b"date:", b"message-id:", b"subject:",
            b"to:", b"mime-version:", b"x-", b"delivered-to:", b"dkim-signature:")


@dataclass
class Mail:
    """What an e-mail says: sent (ISO local time, "" when unknown), sender's address,
    attachments (file name, bytes); problem: why it could not be read ("" when it could)."""

    sent: str = ""
    sender: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    problem: str = ""


def mail_kind(f: BinaryIO, name: str, ole_names) -> str | None:
    """"eml" / "msg" when the bytes are a saved e-mail, else None (the name only helps)."""
    f.seek(0)
    head = f.read(4096)
    if head[:8] == OLE_MAGIC:
        names = ole_names(f) or set()
        return "msg" if any(n.startswith("__substg1.0_") for n in names) else None
    first = head.lstrip(b"\xef\xbb\xbf\r\n \t")[:40].lower()
    if not first.startswith(_HEADERS):
        return None
    low, eml = head.lower(), os.path.splitext(name)[1].lower() == ".eml"
    if b"multipart/related" in low and not eml:
        return None  # a web page saved as one file (.mht)
    return "eml" if eml or (b"\nfrom:" in low and b"\ndate:" in low) else None


def read_mail(data: bytes, kind: str) -> Mail:
    """Parse an .eml or .msg; never raises (problem says why nothing was read)."""
    try:
        return _read_eml(data) if kind == "eml" else _read_msg(data)
    except Exception as exc:  # noqa: BLE001 - a damaged e-mail is a finding, never a crash
        return Mail(problem=f"邮件无法解析({type(exc).__name__})")


def local_iso(dt: datetime | None) -> str:
    """A sent time as local ISO text, the form of file times (a naive time is taken as is)."""
    if dt is None:
        return ""
    if dt.tzinfo is not None:
        dt = dt.astimezone().replace(tzinfo=None)
    return dt.isoformat(timespec="seconds")


def _read_eml(data: bytes) -> Mail:
    msg = BytesParser(policy=policy.default).parsebytes(data)
    out = Mail()
    date = msg.get("Date")
    with contextlib.suppress(ValueError, OverflowError):  # (an impossible date: unknown)
        out.sent = local_iso(getattr(date, "datetime", None))
    out.sender = parseaddr(str(msg.get("From") or ""))[1].lower()
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if not name and part.get_content_disposition() != "attachment":
            continue  # the text of the mail
        payload = part.get_payload(decode=True)
        if payload is not None:
            out.attachments.append((name or "附件", payload))
    return out


def _read_msg(data: bytes) -> Mail:
    import extract_msg
    # its warnings about odd properties are English internals, not for the clerk's console
    logging.getLogger("extract_msg").addHandler(logging.NullHandler())
    logging.getLogger("extract_msg").propagate = False
    msg = extract_msg.openMsg(data, delayAttachments=False)
    try:
        out = Mail(sent=local_iso(getattr(msg, "date", None)))
        out.sender = parseaddr(str(getattr(msg, "sender", None) or ""))[1].lower()
        for att in getattr(msg, "attachments", []) or []:
            payload = getattr(att, "data", None)
            if isinstance(payload, (bytes, bytearray)):
                name = (getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
                        or "附件")
                out.attachments.append((str(name), bytes(payload)))
        return out
    finally:
        msg.close()
