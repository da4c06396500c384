"""The edge to the mail server: builds the MIME message (Thai subject encoded, plain text plus
HTML) and sends it with the standard library's smtplib. Every foreign exception becomes either
`MessageRefused` (the server refused this one message: others may still go) or DeliveryError
(the server cannot be reached, refuses us, or the connection broke: stop the run, exit 3).

The password is read at connect time from an environment variable or from a file that only
its owner can read, and never appears in a message, a log line or an error.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import socket
import ssl
import stat
from datetime import datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, getaddresses

from sheets_sync.config.settings import SmtpSettings
from sheets_sync.core.errors import ConfigError, DeliveryError


class MessageRefused(Exception):
    """The server refused one message (a recipient, its content); the connection is still good."""


def read_password(smtp: SmtpSettings, where: str = "settings") -> str | None:
    """The SMTP password from `password_env` or `password_file`; None when no login is configured.
    A file that others can read, or that belongs to another user, is refused (ConfigError)."""
    if smtp.password_env:
        value = os.environ.get(smtp.password_env)
        if not value:
            raise ConfigError(f"{where}: notify.smtp.password_env: the environment variable {smtp.password_env} "
                              f"is not set")
        return value
    if smtp.password_file:
        try:
            info = os.stat(smtp.password_file)
            if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise ConfigError(f"{where}: notify.smtp.password_file: {smtp.password_file} can be read by others "
                                  f"(mode {stat.S_IMODE(info.st_mode):04o}); run `chmod 600 {smtp.password_file}`")
            if info.st_uid != os.geteuid():
                raise ConfigError(f"{where}: notify.smtp.password_file: {smtp.password_file} belongs to another user; "
                                  f"it must belong to the user the worker runs as")
            with open(smtp.password_file, encoding="utf-8-sig") as f:  # Notepad's BOM is no part of it
                value = f.read().strip("\r\n")
        except OSError as e:
            raise ConfigError(f"{where}: notify.smtp.password_file: cannot read {smtp.password_file}: "
                              f"{e.strerror}") from None
        if not value:
            raise ConfigError(f"{where}: notify.smtp.password_file: {smtp.password_file} is empty")
        return value
    return None


def build_message(smtp: SmtpSettings, to: tuple[str, ...], subject: str, text: str, html: str, key: str,
                  now: datetime) -> Message:
    """A multipart/alternative message: plain text first, HTML second (clients show the last they can).

    Built with the classic (compat32) MIME classes on purpose: their `Header` encodes a Thai
    subject as RFC 2047 encoded-words with the spaces inside the words, whereas the newer
    EmailMessage folding puts a space between two encoded-words, where every decoder drops it
    ("2566) แล้ว" arrived as "2566)แล้ว"). The Message-ID is derived from the ledger key, so a
    message sent again after a crash is recognisably the same message."""
    msg = MIMEMultipart("alternative")
    msg["From"] = formataddr((smtp.from_name, smtp.from_address), charset="utf-8") if smtp.from_name \
        else smtp.from_address
    msg["To"] = ", ".join(to)
    if smtp.reply_to:
        msg["Reply-To"] = smtp.reply_to
    msg["Subject"] = Header(subject, "utf-8")
    msg["Date"] = format_datetime(now)
    domain = smtp.from_address.rsplit("@", 1)[1] if "@" in smtp.from_address else "sheets-sync.invalid"
    msg["Message-ID"] = f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{domain}>"
    # RFC 3834: no vacation auto-replies to a robot; Exchange honours its own header.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.attach(MIMEText(text, "plain", "utf-8"))
    msg.attach(MIMEText(html, "html", "utf-8"))
    return msg


class SmtpMailer:
    """One SMTP session for a batch: `open`, `send` each message, `close`."""

    def __init__(self, smtp: SmtpSettings, password: str | None = None) -> None:
        self.smtp = smtp
        self._password = password
        self._conn: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"mail server {self.smtp.host}:{self.smtp.port}"

    def _tls(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.smtp.ca_file or None)
        if not self.smtp.verify_tls:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def open(self) -> None:
        s = self.smtp
        try:
            if s.security == "tls":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=self._tls())
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
            try:
                conn.ehlo()
                if s.security == "starttls":
                    conn.starttls(context=self._tls())
                    conn.ehlo()
                if s.user:
                    conn.login(s.user, self._password or "")
            except BaseException:
                conn.close()
                raise
        except UnicodeEncodeError:
            # smtplib sends the user name and password as ASCII only.
            raise ConfigError("notify.smtp: the user name or password has non-ASCII characters, which Python's "
                              "smtplib cannot send; use an ASCII password (or an app password)") from None
        except smtplib.SMTPAuthenticationError as e:
            raise DeliveryError(f"{self.where} refused the login of {s.user!r}: {_reply(e)}") from None
        except smtplib.SMTPNotSupportedError as e:
            raise DeliveryError(f"{self.where} does not offer {'STARTTLS' if s.security == 'starttls' else 'login'}"
                                f" ({e}); check notify.smtp.security and port") from None
        except (smtplib.SMTPException, OSError) as e:
            raise DeliveryError(f"{self.where}: {describe(e, s.timeout_s)}") from None
        self._conn = conn

    def send(self, msg: Message) -> dict[str, tuple[int, bytes]]:
        """Sends one message; returns the recipients the server refused while taking it for the
        others. MessageRefused when the server refused it; DeliveryError when the connection is
        gone (the message may or may not have been delivered)."""
        if self._conn is None:
            raise DeliveryError(f"{self.where}: not connected")
        foreign = [a for _, a in getaddresses(msg.get_all("To", [])) if not a.isascii()]
        if foreign:
            # smtplib raises a TypeError for a non-ASCII address in a compat32 message (see
            # build_message), which stopped the whole run with the message left in flight.
            raise MessageRefused(f"{', '.join(foreign)}: the address has non-ASCII characters and cannot be sent to; "
                                 f"give its ASCII address")
        try:
            refused = self._conn.send_message(msg)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as e:
            if _closing(e):
                # 421: the server ends the session ("try again later") and smtplib has closed it: no
                # refusal of this message, and the next one must not be tried on a closed connection.
                # Answered to the sender too (a busy server says it at any step): then the sender is
                # not at fault, and "check notify.smtp.from_address" sent a coordinator to a good setting.
                self.close()
                raise DeliveryError(f"{self.where} ended the session: {_closing(e)} (421: the server is busy or "
                                    f"unavailable for now; the next run tries again)") from None
            if isinstance(e, smtplib.SMTPSenderRefused):
                raise DeliveryError(f"{self.where} refused the sender {e.sender}: {_reply(e)}; "
                                    f"check notify.smtp.from_address") from None
            if isinstance(e, smtplib.SMTPDataError):
                raise MessageRefused(f"message refused: {_reply(e)}") from None
            raise MessageRefused("every recipient refused: " + "; ".join(
                f"{r} {code_text(c, t)}" for r, (c, t) in e.recipients.items())) from None
        except (smtplib.SMTPException, OSError) as e:
            self.close()
            raise DeliveryError(f"{self.where}: {describe(e, self.smtp.timeout_s)}") from None
        return refused

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> "SmtpMailer":
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def describe(e: BaseException, timeout_s: float) -> str:
    """A foreign network or SMTP error as a few plain words."""
    if isinstance(e, (socket.timeout, TimeoutError)):
        return f"no answer within {timeout_s:g} s (timed out)"
    if isinstance(e, ConnectionRefusedError):
        return "connection refused (nothing listens on that port, or a firewall says no)"
    if isinstance(e, socket.gaierror):
        return "unknown host name (DNS)"
    if isinstance(e, ssl.SSLError):
        return f"TLS failed: {e.reason or e}"
    if isinstance(e, smtplib.SMTPServerDisconnected):
        return f"the server closed the connection ({e or 'no reason given'})"
    if isinstance(e, smtplib.SMTPConnectError):
        return f"the server refused the connection: {_reply(e)}"
    if isinstance(e, smtplib.SMTPResponseException):
        return f"unexpected answer: {_reply(e)}"
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return f"{type(e).__name__}: {e}"


def _closing(e: smtplib.SMTPException) -> str:
    """The server's 421 reply that ended the session during a message, or "" (smtplib closes the
    connection on a 421 to any recipient or to the data, and raises as for a refusal)."""
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        return next((code_text(c, t) for c, t in e.recipients.values() if c == 421), "")
    return _reply(e) if isinstance(e, smtplib.SMTPResponseException) and e.smtp_code == 421 else ""


def _reply(e: smtplib.SMTPResponseException) -> str:
    return code_text(e.smtp_code, e.smtp_error)


def code_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"
