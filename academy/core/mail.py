"""Outgoing mail: queued as a background job, delivered by SMTP when configured, otherwise to an outbox folder."""
from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from academy.core import jobs

#: Seconds an SMTP conversation may take in a worker, and when the mail is sent in-line during a request.
WORKER_TIMEOUT = 30
INLINE_TIMEOUT = 3


def queue_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message in the background (after the current transaction commits). Never raises: a mail
    server that is down or slow is the job's problem, logged and retried, never the request's."""
    jobs.enqueue(deliver, to, str(subject), body, description=f"mail: {subject}")


def deliver(to: str, subject: str, body: str) -> None:
    """The mail job: deliver one message now; raises OSError/SMTPException when delivery fails (the worker
    retries it)."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="kelisim.kz")
    msg.set_content(body)
    if cfg.get("MAIL_SERVER"):
        timeout = INLINE_TIMEOUT if jobs.running_inline() else WORKER_TIMEOUT
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)
        current_app.logger.info("mail sent: %s", subject)
        return
    outbox = Path(cfg["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(msg.as_bytes())
    current_app.logger.info("mail written to the outbox %s", outbox)
