"""Notices: an inbox row per recipient (once per dedupe key), in the recipient's language, e-mailed when SMTP
is configured. What each notice says is declared in workflows/notices.py; this renders and stores it."""
from __future__ import annotations

import base64
import contextvars
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from sqlalchemy import event, select
from sqlalchemy.orm import Session, lazyload

from workflows.config import Config
from workflows.domain.roles import Role
from workflows.domain.settings import SETTINGS
from workflows.notices import KINDS, RIGHTS, RIGHTS_PARAMS, Kind, labels_of
from workflows.services.admin import settings as settings_service
from workflows.store.automation import Notification
from workflows.store.base import insert_unless_there, utcnow
from workflows.store.models import User, UserRole

TRANSLATIONS = Path(__file__).resolve().parents[3] / "webapp" / "translations"
DEFAULT_LOCALE = "zh_CN"  # a user who chose no language reads Chinese
PUBLIC_LOCALE = "zh_CN"  # announcements are public texts, in Chinese


@dataclass(frozen=True)
class Recipient:
    """What a notice needs of a user (`notice` takes these or User rows alike)."""
    id: int
    email: str | None
    locale: str | None


# {(role, department id): recipients} while a batch of events is carried out (`recipients_kept`), else None
_kept: contextvars.ContextVar[dict | None] = contextvars.ContextVar("recipients_kept", default=None)


@contextmanager
def recipients_kept() -> Iterator[None]:
    """Within this block, who holds a role (in a department) is read once, not once per notice: the automation
    carries out a batch of events (seconds) in one, so a role's recipients are those of the batch's start."""
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def users_with_role(session: Session, role: Role, department_id: int | None = None) -> list[User] | list[Recipient]:
    kept = _kept.get()
    if kept is not None and (role, department_id) in kept:
        return kept[(role, department_id)]
    # their own roles are not read here: not loaded with them (lazily, if something else asks)
    query = (select(User).join(UserRole).where(UserRole.role == role.value, User.active.is_(True))
             .options(lazyload(User.role_rows)))
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    users = list(session.scalars(query.order_by(User.id)))
    if kept is None:
        return users
    kept[(role, department_id)] = [Recipient(u.id, u.email, u.locale) for u in users]  # the same on every call
    return kept[(role, department_id)]


# --- rendering --------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def normal_locale(name: str | None) -> str:
    """A locale as the catalogue's folders name it ("zh_CN" -> "zh_Hans_CN"); Chinese when there is none. Kept
    per name: Babel looks through its locale data's folder at each parse (about 2 ms, three times a notice)."""
    try:
        return str(Locale.parse(name or DEFAULT_LOCALE))
    except (ValueError, TypeError, UnknownLocaleError):
        return str(Locale.parse(DEFAULT_LOCALE))


def locale_of(user: User | None) -> str:
    """The language a user reads notices in: the one chosen on the account, else Chinese."""
    return normal_locale(user.locale if user is not None else "")


@lru_cache(maxsize=8)
def translations(locale: str) -> NullTranslations:
    """The product's catalogue for a locale, loaded once per process; English is the message ids themselves.
    A catalogue not compiled yet is compiled in memory from its .po file."""
    locale = normal_locale(locale)
    found = Translations.load(dirname=str(TRANSLATIONS), locales=[locale])
    if isinstance(found, Translations) or locale.startswith("en"):
        return found
    po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():  # a notice in English to a Chinese reader would be a fault, never a fallback
        raise FileNotFoundError(f"no message catalogue for {locale} in {TRANSLATIONS}")
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def _value(spec: Kind, name: str, value, locale: str, t: NullTranslations) -> str:
    if name in spec.lines and isinstance(value, list):
        return "\n".join(t.gettext(spec.lines[name]) % {k: _value(spec, k, v, locale, t) for k, v in item.items()}
                         for item in value)
    if isinstance(value, Mapping) and "zh" in value:  # a name held in both languages
        return str((value.get("en") if locale.startswith("en") else None) or value["zh"])
    table = labels_of(spec).get(name)
    if table is not None and isinstance(value, str) and value in table:
        return t.gettext(table[value])
    return "" if value is None else str(value)


def render(kind_id: str, params: Mapping[str, object], locale: str) -> tuple[str, str]:
    """A kind's subject (an announcement's title) and body in a locale, its parameters shown by their labels."""
    spec = KINDS[kind_id]
    t = translations(locale)
    values = {name: _value(spec, name, value, locale, t) for name, value in params.items()}
    body = (t.gettext(spec.body) % values).strip()
    if spec.rights is not None and spec.rights.applies(params):
        body += "\n" + rights_statement(params, t)
    return t.gettext(spec.subject) % values, body


def rights_statement(params: Mapping[str, object], t: NullTranslations) -> str:
    """The right to administrative review and to litigation, with the bodies and limits the notice was sent with
    (the settings' defaults for a notice rendered without them)."""
    return t.gettext(RIGHTS) % {name: str(params.get(name) or SETTINGS[f"rights.{name}"].default)
                                for name in RIGHTS_PARAMS}


def rights_params(session: Session) -> dict[str, object]:
    """The review body, the court, where to file and the time limits, as the administrator set them."""
    return {name: settings_service.get(session, f"rights.{name}") for name in RIGHTS_PARAMS}


def bilingual(zh: str, en: str | None) -> dict[str, str]:
    """A name the records hold in Chinese and, perhaps, English: shown in the reader's language."""
    return {"zh": zh, "en": en or zh}


# --- sending ----------------------------------------------------------------------------------------

def notice(session: Session, kind_id: str, users: Iterable[User], *, key: Mapping[str, object] | None = None,
           case_id: int | None = None, **params) -> list[int]:
    """One inbox message of a catalogue kind per user, in that user's language, once per dedupe key (the
    kind's pattern filled from `key` and the parameters); a second call with the same key adds nothing."""
    spec = KINDS[kind_id]
    params = {name: (value.isoformat() if hasattr(value, "isoformat") else value) for name, value in params.items()}
    if spec.rights is not None and spec.rights.applies(params):
        params = {**rights_params(session), **params}
    prefix = spec.key.format(**{**params, **(key or {})})
    statement = _insert_notice(session.get_bind().dialect.name)
    created = []
    made = session.info.setdefault(MADE, {})
    for user in users:
        subject, body = render(kind_id, params, locale_of(user))
        row = session.execute(statement, dict(
            user_id=user.id, case_id=case_id, kind=kind_id, params=params, subject=subject[:300], body=body,
            dedupe_key=f"{prefix}:u{user.id}", email_to=user.email or "", created_at=utcnow(), email_error="",
        )).first()
        if row is not None:
            created.append(row.id)
            made[row.id] = Made(*row)
    return created


MADE = "credit_cases.notices_made"  # session.info: {id: Made} of the notices this transaction wrote


@dataclass(frozen=True)
class Made:
    """A notice just written, as its insert returned it: what `compose` reads, without reading the row again."""
    id: int
    kind: str
    subject: str
    body: str
    dedupe_key: str
    email_to: str
    emailed_at: None = None


def made_in(session: Session) -> dict[int, Made]:
    """The notices this session's transaction wrote, by id."""
    return session.info.get(MADE, {})


@event.listens_for(Session, "after_transaction_end")
def _forget_made(session: Session, transaction) -> None:
    """What a transaction wrote is forgotten with it (committed or rolled back): a long-lived session keeps none."""
    if transaction.parent is None:
        session.info.pop(MADE, None)


_NOTICE_COLUMNS = ("user_id", "case_id", "kind", "params", "subject", "body", "dedupe_key", "email_to", "created_at",
                   "email_error")


def _insert_notice(dialect: str):
    """One notice's row unless its dedupe key is taken, what `compose` needs of it returned."""
    return insert_unless_there(dialect, Notification.__table__, _NOTICE_COLUMNS, ("dedupe_key",),
                               ("id", "kind", "subject", "body", "dedupe_key", "email_to"))


def unsent_for_event(session: Session, event_id: int) -> list[int]:
    """The e-mails of an event's notifications not sent yet (every key starts with the event's id)."""
    return list(session.scalars(select(Notification.id).where(
        Notification.dedupe_key.like(f"e{event_id}:%"), Notification.emailed_at.is_(None),
        Notification.email_to != "").order_by(Notification.id)))


_ID_UNSAFE = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]")


def header_text(value: str) -> str:
    """A value fit for one e-mail header: on one line, whatever the text it came from held (a name with a line
    break must neither break the message nor add a header); line breaks and other control characters become
    spaces."""
    return " ".join("".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value or "").split())


@dataclass(frozen=True)
class Envelope:
    """An e-mail ready for the SMTP conversation: its sender, recipients and bytes, made before the worker's
    one-e-mail-at-a-time turn (workflows/steps/carry.py)."""
    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @property
    def international(self) -> bool:
        """An address beyond ASCII: the SMTP server must offer SMTPUTF8."""
        return international(self.sender, *self.recipients)


def international(*addresses: str) -> bool:
    return not "".join(addresses).isascii()


def compose(note: Notification | Made | None, config: Config) -> Envelope | None:
    """The e-mail of one notification, or None when it needs none (sent already, no address, no SMTP configured:
    the inbox is then the channel).

    A classic MIME message (a UTF-8 text part in base64, RFC 2047 words in the headers), its lines written here
    from the email package's encoders: the package's generator folded every header again for each message (about
    a tenth of the worker's CPU), and `email.message.EmailMessage` costs four times more still. Addresses beyond
    ASCII take that richer way, as SMTPUTF8 needs."""
    if note is None or note.emailed_at is not None or not note.email_to or not config.smtp_host:
        return None
    (sender_header, sender, sender_name), (to_header, to, to_name) = _address(config.smtp_sender), \
        _address(note.email_to)
    headers = {
        "Subject": header_text(note.subject),
        # the same for every attempt: a message resent after a crash (SMTP accepted it, the worker died before
        # recording that) carries the same Message-ID, so mail systems drop the duplicate
        "Message-ID": f"<n{note.id}.{_ID_UNSAFE.sub('.', note.dedupe_key)}@credit-cases>",
        "X-Notice-Kind": header_text(note.kind),  # the notice's kind (workflows/notices.py), for mail rules
    }
    if not international(sender, to):
        lines = [*_MIME_TEXT, _address_line("From", sender_name, sender), _address_line("To", to_name, to),
                 *(_header_line(name, value) for name, value in headers.items())]
        body = base64.encodebytes(note.body.encode("utf-8")).replace(b"\n", b"\r\n")
        return Envelope(sender, (to,), "\r\n".join(lines).encode("ascii") + b"\r\n\r\n" + body)
    message = EmailMessage()
    message["From"], message["To"] = sender_header, to_header
    for name, value in headers.items():
        message[name] = value
    message.set_content(note.body)
    with BytesIO() as data:
        BytesGenerator(data, policy=message.policy.clone(utf8=True)).flatten(message, linesep="\r\n")
        return Envelope(sender, (to,), data.getvalue())


_MIME_TEXT = ('Content-Type: text/plain; charset="utf-8"', "MIME-Version: 1.0", "Content-Transfer-Encoding: base64")


@lru_cache(maxsize=4096)
def _address(value: str) -> tuple[str, str, str]:
    """A From or To value: its text on one line, its bare address, and its name (the sender is the same for every
    message, and recipients repeat)."""
    text = header_text(value)
    name, address = parseaddr(text)
    return text, address, name


@lru_cache(maxsize=4096)
def _address_line(field: str, name: str, address: str) -> str:
    """A From or To header of a classic message: a name beyond ASCII in RFC 2047 words, as many as lines of 78
    characters need (one long word, as `formataddr` writes it, made lines of any length), then the address, on a
    line of its own when the last one has no room left."""
    if not name or name.isascii():
        return _header_line(field, formataddr((name, address)))
    words = Header(name, "utf-8", header_name=field).encode(linesep="\r\n")
    last = words.rsplit("\r\n", 1)[-1] if "\r\n" in words else f"{field}: {words}"
    return f"{field}: {words}" + ("\r\n" if len(last) + len(address) + 3 > 78 else "") + f" <{address}>"


def _header_line(name: str, value: str) -> str:
    """One header as the email package writes it: as it is when short and ASCII, else in RFC 2047 words (text
    beyond ASCII) folded to lines of 78 characters."""
    if value.isascii() and len(name) + 2 + len(value) <= 78:
        return f"{name}: {value}"
    charset = "us-ascii" if value.isascii() else "utf-8"
    return f"{name}: " + Header(value, charset, header_name=name).encode(linesep="\r\n")


def unread_count(session: Session, user_id: int) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def shown_value(kind_id: str, name: str, value, locale: str) -> str:
    """One parameter of a notice as its reader sees it (a result by its label, a name in the reader's language)."""
    return _value(KINDS[kind_id], name, value, normal_locale(locale), translations(locale))
