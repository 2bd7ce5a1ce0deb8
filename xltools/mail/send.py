"""Sending: each unit one message (its forms, its feedback copies, or a reminder), recorded
in the ledger as it goes, so a re-run sends only what was not sent; --dry-run writes .eml."""
from __future__ import annotations

import hashlib
import re
import smtplib
from dataclasses import dataclass, field
from pathlib import Path

from ..collect.ledger import Ledger
from ..generate import build_form, form_jobs
from ..model.plan import Period, Plan
from ..sheet.blocks import safe_filename
from ..xlsx.writer import workbook_bytes
from .compose import Outgoing, message
from .records import SentRecord, record_sent, sent_keys
from .settings import MailError, MailSettings
from .transport import connection, reply

_SPLIT = re.compile("[;,\\s\uff1b\uff0c\u3001]+")  # ; , blanks and their full-width forms


@dataclass
class SendReport:
    """What one send did: messages sent (or written by --dry-run), skipped, refused."""

    purpose: str
    sent: list[SentRecord] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # --dry-run .eml files
    already: list[str] = field(default_factory=list)  # units sent to before (a re-run)
    no_address: list[str] = field(default_factory=list)  # units without an e-mail address
    refused: dict[str, str] = field(default_factory=dict)  # unit -> why the server refused

    def to_json(self) -> dict:
        return {"purpose": self.purpose,
                "sent": [{"unit": r.unit, "to": r.recipients, "message_id": r.message_id,
                          "attachments": r.attachments} for r in self.sent],
                "written": [str(p) for p in self.written], "already_sent": self.already,
                "no_address": self.no_address, "refused": self.refused}


def addresses(text: str) -> list[str]:
    """The e-mail addresses in a unit's contact field (several may be listed)."""
    return [a for a in _SPLIT.split(text or "") if "@" in a]


def outbox(plan: Plan, wanted: dict[str, list[tuple[str, bytes]]], purpose: str,
           report: SendReport, batch: dict[str, str] | None = None,
           reasons: dict | None = None) -> list[Outgoing]:
    """One Outgoing per unit of `wanted` (unit -> files) that has an address; the others
    are listed in report.no_address. batch: unit -> what makes its message new."""
    out = []
    for unit, files in wanted.items():
        to = addresses(getattr(plan.unit(unit), "email", ""))
        if not to:
            report.no_address.append(unit or "未识别单位")
            continue
        out.append(Outgoing(unit, purpose, to, files, (batch or {}).get(unit, ""),
                            (reasons or {}).get(unit, "")))
    return out


def form_files(plan: Plan, period: Period, units: list[str] | None = None
               ) -> dict[str, list[tuple[str, bytes]]]:
    """unit -> its forms of the period as .xlsx bytes (and its 办理方案 with the first
    period); built only for units with an address (the others get an empty list)."""
    first = plan.periods and plan.periods[0].id == period.id
    out: dict[str, list[tuple[str, bytes]]] = {}
    for job in form_jobs(plan, [period]):
        if (units and job.unit not in units) or (job.kind == "workplan" and not first):
            continue
        files = out.setdefault(job.unit, [])
        if addresses(getattr(plan.unit(job.unit), "email", "")):
            wb = build_form(plan, job)
            files.append((Path(wb.filename).name, workbook_bytes(wb)))
    return out


def feedback_files(plan: Plan, period: Period, ledger: Ledger
                   ) -> tuple[dict[str, list[tuple[str, bytes]]], dict[str, str]]:
    """unit -> its feedback copies (退回修改), rebuilt from the ledger as collect wrote them;
    and unit -> a key of what they say (the returns answered and their problems), so the
    same feedback is not sent twice (the workbooks' bytes carry the time they were built)."""
    from ..merge import ReceiptRow
    from ..report.feedback import feedback_for
    current = ledger.current(plan.plan_id, period.id)
    receipts = [ReceiptRow.from_ledger(r) for r in ledger.receipts(plan.plan_id, period.id)]
    files: dict[str, list[tuple[str, bytes]]] = {}
    said: dict[str, list[str]] = {}
    for fb in feedback_for(plan, period, current, receipts):
        files.setdefault(fb.unit, []).append((Path(fb.workbook.filename).name,
                                              workbook_bytes(fb.workbook)))
        said.setdefault(fb.unit, []).extend(
            [fb.source] + [f"{i.finding.code}@{i.cell}={i.finding.value}" for i in fb.items])
    keys = {u: hashlib.sha256("\n".join(sorted(v)).encode()).hexdigest()[:16]
            for u, v in said.items()}
    return files, keys


def deliver(plan: Plan, period: Period, mails: list[Outgoing], settings: MailSettings,
            report: SendReport, ledger: Ledger | None, pw: str | None,
            dry_run: Path | None = None) -> SendReport:
    """Send each message not sent before and record it at once; or write .eml to dry_run."""
    if dry_run is not None:
        dry_run.mkdir(parents=True, exist_ok=True)
        for m in mails:
            path = dry_run / safe_filename(f"{m.unit}_{period.name}", ext=".eml")
            path.write_bytes(bytes(message(plan, period, m, settings)))
            report.written.append(path)
        return report
    done = sent_keys(ledger, plan.plan_id, period.id, mails[0].purpose) if mails else set()
    todo = [m for m in mails if (m.unit, m.batch) not in done]
    report.already = [m.unit for m in mails if (m.unit, m.batch) in done]
    if not todo:
        return report
    with connection(settings, "smtp", pw) as conn:
        for m in todo:
            msg = message(plan, period, m, settings)
            try:
                conn.send_message(msg, from_addr=settings.sender, to_addrs=m.to)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                    smtplib.SMTPSenderRefused) as exc:
                report.refused[m.unit] = _refusal(exc)
                continue
            except (smtplib.SMTPException, OSError) as exc:
                raise MailError(f"发信服务器中断了连接({type(exc).__name__}),"
                                f"已发出的 {len(report.sent)} 封已记入台账;重新运行只发送其余的。") from None
            rec = SentRecord(plan.plan_id, period.id, m.purpose, m.unit, m.batch,
                             str(msg["Message-ID"]), m.to, str(msg["Subject"]), m.digests())
            record_sent(ledger, rec)
            report.sent.append(rec)
    return report


def _refusal(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "收件地址被服务器拒绝:" + "、".join(exc.recipients)
    return f"服务器拒收({getattr(exc, 'smtp_code', '')} {reply(exc)})"
