"""Fetching: the office mailbox's messages since the last fetch (UIDVALIDITY + UID in the
ledger), each archived whole as .eml beside the ledger and handed to collect as an inbox
item (its Date is the time received); replies and strangers named; nothing is deleted."""
from __future__ import annotations

import base64
import hashlib
import imaplib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr
from itertools import groupby
from pathlib import Path

from ..collect.ledger import Ledger
from ..collect.mail import local_iso, read_mail
from ..model.findings import Finding, finding
from ..model.plan import Plan
from ..sheet.blocks import safe_filename
from ..xlsx.writer import write_atomically
from .records import FetchedRecord, fetched_shas, last_uid, sent_messages
from .send import addresses
from .settings import MailError, MailSettings
from .transport import connection

# beside the ledger's content archive; not a two-letter folder, which the ledger sweeps
MAIL_DIR = "mail"
# what --json says of each message
MESSAGE_FIELDS = ("uid", "sender", "sent", "unit", "message_id", "archived")


@dataclass
class Fetched:
    """One fetch: the new messages' records, the .eml files for collect, their findings
    (replies, strangers); then the collect run that took the files, and a failed move."""

    messages: list[FetchedRecord] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    letters: int = 0  # messages without attachments: archived and recorded, not collected
    collected: object = None  # api.CollectReport
    move_problem: str = ""

    def to_json(self) -> dict:
        return {"messages": [{k: getattr(r, k) for k in MESSAGE_FIELDS} for r in self.messages],
                "findings": [f.to_dict() for f in self.findings],
                "collect": self.collected.to_json() if self.collected else None,
                "letters": self.letters, "move_problem": self.move_problem}


def imap_utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3), quoted: 已回收 -> "&XfJW3mU2-"."""
    out = []
    for printable, run in groupby(name, key=lambda ch: " " <= ch <= "~"):
        text = "".join(run)  # printable ASCII as itself, any other run base64 of its UTF-16
        out.append(text.replace("&", "&-") if printable else "&" + base64.b64encode(
            text.encode("utf-16-be")).decode().rstrip("=").replace("/", ",") + "-")
    return '"' + "".join(out).replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_new(plan: Plan, settings: MailSettings, pw: str | None, ledger: Ledger,
              since: str = "") -> Fetched:
    """Download every message not fetched before into the archive (nothing recorded yet:
    record_fetched after collect took them). Only what arrived on or after `since` (an ISO
    date, the period's start): the years of mail before it hold no returns."""
    res = Fetched()
    sent = {r.message_id: r for r in sent_messages(ledger)}  # to attribute replies
    seen = fetched_shas(ledger)
    contacts = {a.lower(): u.name for u in plan.units for a in addresses(u.email)}
    folder = ledger.archive_dir / MAIL_DIR
    account = f"{settings.user}@{settings.imap_host}"
    with connection(settings, "imap", pw) as conn:
        typ, _ = conn.select(imap_utf7(settings.imap_folder), readonly=True)
        if typ != "OK":
            raise MailError(f"邮箱中没有文件夹“{settings.imap_folder}”。请核对 [mail.imap] folder。")
        validity = int((conn.response("UIDVALIDITY")[1] or [b"0"])[0] or 0)
        last = last_uid(ledger, account, settings.imap_folder, validity)
        # SINCE the day as IMAP writes it (01-Jan-2019: English months whatever the locale)
        day = datetime.fromisoformat(since[:10]).replace(tzinfo=timezone.utc) if since else None
        when = f" SINCE {imaplib.Time2Internaldate(day)[1:12]}" if day else ""
        typ, data = conn.uid("SEARCH", None, f"UID {last + 1}:*{when}")
        for uid in sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > last):
            typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
            if typ != "OK":
                raise MailError(f"从邮箱读取第 {uid} 封邮件失败,本次未记录任何邮件。请稍后重新运行。")
            raw = next((d[1] for d in data if isinstance(d, tuple)), None)
            if raw is None:  # deleted by another mail client since the search
                continue
            rec, name, said = _describe(raw, account, settings.imap_folder, validity, uid,
                                        sent, contacts)
            res.messages.append(rec)
            if rec.sha256 in seen:  # the folder was renumbered: this one is in already
                continue
            rec.archived = str(_archive(folder, name, raw))
            mail = read_mail(raw, "eml")
            if mail.attachments or mail.problem:  # a return, or for collect to say why not
                res.files.append(Path(rec.archived))
                res.findings += said
            else:  # a letter without attachments: archived and recorded, nothing to collect
                rec.findings = []
                res.letters += 1
    return res


def _describe(raw: bytes, account: str, folder: str, validity: int, uid: int,
              sent: dict, contacts: dict[str, str]) -> tuple[FetchedRecord, str, list[Finding]]:
    """The record of one message, with its reply / stranger finding, and its file name."""
    sha = hashlib.sha256(raw).hexdigest()
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        sender = parseaddr(str(msg.get("From") or ""))[1].lower()
        when = local_iso(getattr(msg.get("Date"), "datetime", None))
        mid = str(msg.get("Message-ID") or "").strip()
        refs = f"{msg.get('In-Reply-To') or ''} {msg.get('References') or ''}".split()
    except Exception:  # noqa: BLE001 - damaged headers: collect says so about the file
        sender, when, mid, refs = "", "", "", []
    name = safe_filename(f"邮件_{when[:16].replace(':', '').replace('T', '_')}_"
                         f"{sender or '未知发件人'}_{sha[:8]}", ext=".eml")
    rec = FetchedRecord(account, folder, validity, uid, sha, mid, sender, when)
    if (reply := next((sent[r] for r in refs if r in sent), None)) is not None:
        rec.unit = reply.unit
        f = finding("mail-reply", file=name, unit=reply.unit,
                    sent=reply.sent_at[:16].replace("T", " "))
    elif sender in contacts:
        rec.unit, f = contacts[sender], None
    else:
        f = finding("mail-from-stranger", file=name, value=sender or "(无)")
    said = [f] if f is not None else []
    rec.findings = [x.to_dict() for x in said]
    return rec, name, said


def _archive(folder: Path, name: str, raw: bytes) -> Path:
    """Write the whole message atomically (an identical file there is kept)."""
    path = folder / name
    if path.is_file() and path.stat().st_size == len(raw):
        return path
    return write_atomically(path, raw)


def move(settings: MailSettings, pw: str | None, uids: list[int], target: str) -> str:
    """Move fetched messages to `target` (created when missing); never deletes otherwise.
    Returns "" or why it could not (a warning: the messages were fetched)."""
    if not uids:
        return ""
    try:
        with connection(settings, "imap", pw) as conn:
            conn.create(imap_utf7(target))  # NO when it exists: fine
            typ, _ = conn.select(imap_utf7(settings.imap_folder))
            uid_set = ",".join(map(str, uids))
            caps = conn.capability()[1][0].upper().split()  # after login: the full list
            if typ == "OK":  # without MOVE a copy: the original is never deleted
                typ, _ = conn.uid("MOVE" if b"MOVE" in caps else "COPY", uid_set,
                                  imap_utf7(target))
            return "" if typ == "OK" else f"服务器未能把邮件移到“{target}”"
    except MailError as exc:
        return str(exc)
