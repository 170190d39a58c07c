"""Sends `send_mail` actions by SMTP. SMTP cannot tell whether a letter was sent before, so a
retry may send it again: each letter carries a Message-ID made from the action's idempotency
key, which mail clients and list servers use to drop the copy."""

from __future__ import annotations

import email.policy
import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from connector.actions import SendMail
from connector.adapters import DONE, Adapter, Performed
from connector.errors import PermanentActionError, RetryableActionError
from connector.store.outbox import OutboxItem
from plugins.smtp.config import MailConfig

# Python folds long encoded-word headers losing the space between words (a Cyrillic subject
# arrives as «Электронныйрецепт»); RFC 5322 allows lines up to 998 characters, so don't fold.
POLICY = email.policy.SMTP.clone(max_line_length=998)


def message_id(key: str, sender: str) -> str:
    """The same letter, the same id: `<sha256(key)[:32]@sender's domain>`."""
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "helpdesk-connector"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


class SmtpMailer(Adapter):
    def __init__(self, config: MailConfig) -> None:
        self.config = config

    def perform(self, item: OutboxItem) -> Performed:
        if item.action.kind != "send_mail":
            raise PermanentActionError(f"mail cannot {item.action.kind}")
        p, cfg = item.action.params_as(SendMail), self.config
        letter = EmailMessage(policy=POLICY)
        letter["From"], letter["To"], letter["Subject"] = cfg.sender, ", ".join(p.to), p.subject
        letter["Date"] = formatdate(localtime=False)
        letter["Message-ID"] = message_id(item.idempotency_key, cfg.sender)
        letter.set_content(p.body)
        try:
            self._send(letter)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentActionError(f"SMTP refused every recipient: {exc.recipients}") from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentActionError(f"SMTP login refused ({exc.smtp_code}): check "
                                       "mail.username and mail.password") from exc
        except smtplib.SMTPResponseException as exc:
            said = exc.smtp_error.decode("utf-8", "replace") if isinstance(
                exc.smtp_error, bytes) else str(exc.smtp_error)
            if 500 <= exc.smtp_code < 600:
                raise PermanentActionError(f"SMTP {exc.smtp_code}: {said}") from exc
            raise RetryableActionError(f"SMTP {exc.smtp_code}: {said}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise RetryableActionError(f"SMTP {cfg.host}:{cfg.port}: {exc}") from exc
        return DONE

    def _send(self, letter: EmailMessage) -> None:
        cfg = self.config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = (
            smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_seconds, context=context)
            if cfg.security == "ssl" else
            smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds))
        with smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=context)
            if cfg.username:
                smtp.login(cfg.username, cfg.password.get_secret_value())
            refused = smtp.send_message(letter)
        if refused:  # some recipients were refused: the others have it; say who did not
            raise PermanentActionError(f"SMTP refused: {', '.join(sorted(refused))}")
