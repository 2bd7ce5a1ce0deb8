"""The ledger's mail tables (collect.ledger, schema 3): what was sent to whom, and which
messages of the mailbox were fetched (UIDVALIDITY + UID), each write one transaction."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import astuple, dataclass, field, fields
from datetime import datetime

from ..collect.ledger import Ledger
from ..model.errors import LedgerError


@dataclass
class SentRecord:
    """One message sent: for whom, why, its Message-ID and what it carried (name, sha256)."""

    plan_id: str
    period: str
    purpose: str  # forms / feedback / remind
    unit: str
    batch: str
    message_id: str
    recipients: list[str]
    subject: str
    attachments: list[dict] = field(default_factory=list)
    sent_at: str = ""


@dataclass
class FetchedRecord:
    """One message fetched from the mailbox and archived whole."""

    account: str
    folder: str
    uidvalidity: int
    uid: int
    sha256: str
    message_id: str = ""
    sender: str = ""
    sent: str = ""
    unit: str = ""
    archived: str = ""
    findings: list[dict] = field(default_factory=list)


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _write(ledger: Ledger, table: str, kind: type, recs: list, verb: str = "INSERT", **more) -> None:
    """Records (dataclasses of `kind`, their lists as JSON) and the `more` columns, as rows
    of `table` in one transaction: all recorded, or none."""
    names = [f.name for f in fields(kind)] + list(more)
    rows = [tuple(json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                  for v in [*astuple(r), *more.values()]) for r in recs]
    try:
        ledger.conn.execute("BEGIN IMMEDIATE")
        ledger.conn.executemany(f"{verb} INTO {table}({', '.join(names)}) "
                                f"VALUES ({', '.join('?' * len(names))})", rows)
        ledger.conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if ledger.conn.in_transaction:
            ledger.conn.execute("ROLLBACK")
        raise LedgerError(f"无法写入台账 {ledger.db_path}({exc})。本次未记录。") from exc


def sent_keys(ledger: Ledger, plan_id: str, period: str, purpose: str) -> set[tuple[str, str]]:
    """(unit, batch) of every message already sent for this purpose: what a re-run skips."""
    return {(r[0], r[1]) for r in ledger.conn.execute(
        "SELECT unit, batch FROM mail_sent WHERE plan_id = ? AND period = ? AND purpose = ?",
        (plan_id, period, purpose))}


def record_sent(ledger: Ledger, rec: SentRecord) -> None:
    """Record one message just sent (its own commit: a crash later keeps it)."""
    rec.sent_at = rec.sent_at or _now()
    _write(ledger, "mail_sent", SentRecord, [rec])


def sent_messages(ledger: Ledger, plan_id: str | None = None) -> list[SentRecord]:
    """Every message sent (of one plan), oldest first."""
    sql = "SELECT * FROM mail_sent" + (" WHERE plan_id = ?" if plan_id else "") + " ORDER BY id"
    return [SentRecord(r["plan_id"], r["period"], r["purpose"], r["unit"], r["batch"],
                       r["message_id"], json.loads(r["recipients"]), r["subject"],
                       json.loads(r["attachments"]), r["sent_at"])
            for r in ledger.conn.execute(sql, (plan_id,) if plan_id else ())]


def last_uid(ledger: Ledger, account: str, folder: str, uidvalidity: int) -> int:
    """The highest UID fetched from this folder while it kept this UIDVALIDITY (0: none)."""
    row = ledger.conn.execute(
        "SELECT coalesce(max(uid), 0) FROM mail_fetched WHERE account = ? AND folder = ? "
        "AND uidvalidity = ?", (account, folder, uidvalidity)).fetchone()
    return int(row[0])


def fetched_shas(ledger: Ledger) -> set[str]:
    """The sha256 of every message fetched (a renumbered folder fetches none twice)."""
    return {r[0] for r in ledger.conn.execute("SELECT sha256 FROM mail_fetched")}


def record_fetched(ledger: Ledger, recs: list[FetchedRecord]) -> None:
    """Record the messages of one fetch, all in one transaction."""
    _write(ledger, "mail_fetched", FetchedRecord, recs, "INSERT OR IGNORE", fetched_at=_now())
