"""One message per unit: subject and body from the editable Jinja2 template 邮件.txt.j2
(first line the subject), the unit's files attached, a Message-ID to match its reply."""
from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from ..model.plan import Period, Plan
from ..sheet.blocks import date_cn
from ..templating import environment
from .settings import MailError, MailSettings

TEMPLATE = "邮件.txt.j2"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Outgoing:
    """One message to write: to whom, why (forms / feedback / remind) and what it carries."""

    unit: str
    purpose: str
    to: list[str]
    files: list[tuple[str, bytes]] = field(default_factory=list)
    batch: str = ""  # what makes it new for a re-run (feedback: what it says; remind: the day)
    reason: str = ""  # remind: 未报送 / 有错误待修改

    def digests(self) -> list[dict]:
        """[{name, sha256, size}] of the attachments, as the ledger records them."""
        return [{"name": n, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                for n, b in self.files]


def render(plan: Plan, period: Period, out: Outgoing, settings: MailSettings) -> tuple[str, str]:
    """(subject, body) from the template; MailError for a template that does not render."""
    unit = plan.unit(out.unit)
    try:
        text = environment(autoescape=False).get_template(TEMPLATE).render(
            purpose=out.purpose, unit=out.unit, contact=getattr(unit, "contact", "") or "",
            plan=plan, period=period, period_title=plan.period_title(period),
            issuer=settings.from_name or plan.issuer or "督办室",
            deadline=date_cn(period.deadline) if period.deadline else "规定时间",
            files=[n for n, _ in out.files], phone=settings.phone, reason=out.reason)
    except Exception as exc:  # noqa: BLE001 - an office's edited template: one clear message
        raise MailError(f"邮件模板 {TEMPLATE} 有误({type(exc).__name__}:{exc})。请改正模板。") from exc
    subject, _, body = text.lstrip("\n").partition("\n")
    return " ".join(subject.split()), body.strip("\n") + "\n"


def message(plan: Plan, period: Period, out: Outgoing, settings: MailSettings) -> EmailMessage:
    """The whole message, with a fresh Message-ID on the sender's domain."""
    subject, body = render(plan, period, out, settings)
    msg = EmailMessage()
    msg["From"] = formataddr((settings.from_name or plan.issuer or "", settings.sender))
    msg["To"] = ", ".join(out.to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid("xltools", domain=settings.sender.rpartition("@")[2] or None)
    msg.set_content(body)
    for name, data in out.files:
        ctype = XLSX if name.lower().endswith(".xlsx") else \
            mimetypes.guess_type(name)[0] or "application/octet-stream"
        main, sub = ctype.split("/", 1)
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg
