"""Accounts: staff created by administrators, applicants who sign up and are confirmed."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound
from workflows.domain.process import Actor
from workflows.domain.roles import DEPARTMENT_ROLES, Role, parse_role
from workflows.domain.subjects import parse_subject_code
from workflows.services.admin import settings as settings_service
from workflows.services.casework import history
from workflows.services.deliveries import notify, sms
from workflows.services.lists.subjects import CLAIMED, DECLARED, name_subject, register_subject
from workflows.store import config_stamps
from workflows.store.models import Department, LoginThrottle, Subject, User, UserRole

# argon2id: memory-hard, so a stolen hash table is slow to attack on GPUs
_hasher = PasswordHasher()


def use_fast_hashing_for_tests() -> None:
    """Still argon2id, with the smallest cost: the test suite hashes hundreds of demo passwords."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# failed log-ins: a client may try THROTTLE_AFTER wrong passwords on one account name (CLIENT_THROTTLE_AFTER on any
# names) before each further attempt from it waits 1 s, 2 s, 4 s, ... up to THROTTLE_MAX; a quiet day forgets them
THROTTLE_AFTER = 5
CLIENT_THROTTLE_AFTER = 20
THROTTLE_MAX = timedelta(minutes=15)
THROTTLE_FORGET = timedelta(days=1)
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(N_("must be at least %(count)s characters"), field="password", count=MIN_PASSWORD_LENGTH)


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))


_SIGNED_IN = select(User).options(joinedload(User.role_rows)).where(User.id == bindparam("user_id"))
_SIGNED_IN_STAMPED = _SIGNED_IN.add_columns(config_stamps.AS_COLUMN)


def signed_in_user(session: Session, user_id: int) -> User | None:
    """The user a session cookie or a bearer token names, with its roles, in one query (every request asks; the
    statements are built once). As a request's first statement, it carries the configuration's stamps too
    (workflows/store/config_stamps): the request reads no stamps of their own."""
    found = config_stamps.first_row(session, _SIGNED_IN, _SIGNED_IN_STAMPED, {"user_id": user_id}, orm=True)
    return found[0] if found is not None else None


@dataclass(frozen=True)
class SignedIn:
    """Who a bearer token names, as the API's checks and every action need them (`actor_for` makes its Actor of
    it): a value, read by one plain statement, no account object loaded. A request that shows or changes the
    account itself reads its row (`account_of`)."""

    id: int
    username: str
    display_name: str
    department_id: int | None
    subject_id: int | None
    claim_status: str
    active: bool
    session_version: int
    roles: frozenset[Role]

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


_USERS, _USER_ROLES = User.__table__, UserRole.__table__
_SIGNED_IN_VALUE = select(
    _USERS.c.id, _USERS.c.username, _USERS.c.display_name, _USERS.c.department_id, _USERS.c.subject_id,
    _USERS.c.claim_status, _USERS.c.active, _USERS.c.session_version,
    select(func.aggregate_strings(_USER_ROLES.c.role, ",")).where(_USER_ROLES.c.user_id == _USERS.c.id)
    .scalar_subquery().label("roles"),
).where(_USERS.c.id == bindparam("user_id"))
_SIGNED_IN_VALUE_STAMPED = _SIGNED_IN_VALUE.add_columns(config_stamps.AS_COLUMN)


def signed_in(session: Session, user_id: int) -> SignedIn | None:
    """The user a bearer token names, as a value, in one statement (the API asks at every request); as the
    request's first statement it carries the configuration's stamps too, as `signed_in_user` does."""
    row = config_stamps.first_row(session, _SIGNED_IN_VALUE, _SIGNED_IN_VALUE_STAMPED, {"user_id": user_id})
    if row is None:
        return None
    return SignedIn(row.id, row.username, row.display_name, row.department_id, row.subject_id, row.claim_status,
                    row.active, row.session_version, frozenset(Role(r) for r in (row.roles or "").split(",") if r))


def account_of(session: Session, signed: SignedIn) -> User:
    """The account a `SignedIn` names, as a row to show or change."""
    return session.get(User, signed.id)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    roles: list[str],
    actor: Actor,
    department_code: str | None = None,
    subject_code: str | None = None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    hashed: str | None = None,
) -> User:
    """A user of the given roles; `hashed`: the hash of `password`, already made (the demo's accounts share one:
    each hashing costs about a second)."""
    username = (username or "").strip()
    phone = sms.check_mobile(phone)
    if not username:
        raise InvalidInput("a user name is required", field="username")
    if find_user(session, username) is not None:
        raise Conflict(N_("the user name '%(name)s' is taken"), field="username", name=username)
    _check_new_password(password)
    parsed = list(dict.fromkeys(parse_role(r) for r in roles))  # a role named twice is one role
    if not parsed:
        raise InvalidInput("at least one role is required", field="role")
    department = None
    # the accepting office sits in a department too (the credit office's), when one is given: urged there, it replies
    if any(r in DEPARTMENT_ROLES for r in parsed) or (department_code and Role.ACCEPTING_OFFICE in parsed):
        if not department_code:
            raise InvalidInput("a department role needs its department", field="department")
        department = session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise NotFound(N_("no department with code '%(code)s'"), field="department", code=department_code)
    subject = None
    if Role.APPLICANT in parsed:
        if not subject_code:
            raise InvalidInput("an applicant must be bound to a subject", field="subject")
        subject = session.scalar(select(Subject).where(Subject.code == subject_code.strip().upper()))
        if subject is None:
            raise NotFound(N_("no subject with code '%(code)s'"), field="subject", code=subject_code)
    user = User(
        username=username,
        password_hash=hashed or hash_password(password),
        display_name=display_name or username,
        email=email,
        phone=phone,
        department=department,
        subject=subject,
        claim_status="confirmed" if subject else "none",
        role_rows=[UserRole(role=r.value) for r in parsed],
    )
    session.add(user)
    session.flush()
    history.record(session, actor=actor, action="create_user", entity_type="user", entity_id=user.id,
                   data={"roles": [r.value for r in parsed]})
    return user


def sign_up_applicant(
    session: Session, *, code: str, name: str, username: str, password: str, email: str, phone: str
) -> User:
    """A citizen or enterprise signs up online; its claim waits for the accepting office.

    With `accounts.confirm_applicants` off, a claim is confirmed at once only when the sign-up brings its subject
    into being: a subject that exists already has a record (a listing, a case, a file, another account's contact
    data), so a claim to it always waits, whatever the setting. The name the sign-up declares is its own word
    (`declared`): it never renames an existing subject and gives way to a listing department's."""
    if find_user(session, username) is not None:  # the person must choose another name: an input to correct
        raise InvalidInput(N_("the user name '%(name)s' is taken"), field="username", name=username)
    _check_new_password(password)
    phone = sms.check_mobile(phone)
    existed = session.scalar(select(Subject.id).where(Subject.code == parse_subject_code(code).value)) is not None
    needs_confirmation = existed or settings_service.get(session, "accounts.confirm_applicants")
    subject = register_subject(session, code=code, name=name, email=email, phone=phone,
                               source=DECLARED if needs_confirmation else CLAIMED)
    user = User(
        username=username.strip(),
        password_hash=hash_password(password),
        display_name=name,
        email=email,
        phone=phone,
        subject=subject,
        claim_status="pending" if needs_confirmation else "confirmed",
        role_rows=[UserRole(role=Role.APPLICANT.value)],
    )
    session.add(user)
    session.flush()
    history.record(session, actor=Actor(user_id=user.id, label=user.username), action="sign_up",
                   entity_type="user", entity_id=user.id, to_state=user.claim_status)
    return user


def end_sessions(user: User) -> None:
    """Every session and token the user holds stops working (log-out, a new password, disabling)."""
    user.session_version = (user.session_version or 1) + 1


def change_password(session: Session, user: User, current: str, new: str) -> User:
    """The user's own new password, given the current one; every session and token of the user ends."""
    if not check_password(user, current or ""):
        raise InvalidInput("the current password is not right", field="current_password")
    _check_new_password(new)
    if new == current:
        raise InvalidInput("the new password must differ from the current one", field="password")
    user.password_hash = hash_password(new)
    end_sessions(user)
    history.record(session, actor=Actor(user_id=user.id, label=user.username), action="change_password",
                   entity_type="user", entity_id=user.id)
    return user


def reset_password(session: Session, user_id: int, new: str, actor: Actor) -> User:
    """An administrator sets a user's password (told to the user outside the system); every session and token of
    the user ends."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user", field="user")
    _check_new_password(new)
    user.password_hash = hash_password(new)
    end_sessions(user)
    history.record(session, actor=actor, action="reset_password", entity_type="user", entity_id=user.id)
    return user


# why a claim that is not pending cannot be decided, by its status
ALREADY_DECIDED = {"confirmed": N_("this claim is already confirmed"), "rejected": N_("this claim is already rejected"),
                   "none": N_("this account has no claim to decide")}


def decide_claim(session: Session, user_id: int, *, confirm: bool, actor: Actor, reason: str = "") -> User:
    user = session.get(User, user_id)
    if user is None or Role.APPLICANT not in user.roles:
        raise NotFound("no such applicant", field="user")
    if user.claim_status != "pending":
        raise Conflict(ALREADY_DECIDED.get(user.claim_status, ALREADY_DECIDED["none"]), field="user")
    if not confirm and not reason.strip():
        raise InvalidInput("a reason is required to reject a claim", field="reason")
    before = user.claim_status
    user.claim_status = "confirmed" if confirm else "rejected"
    if confirm and user.subject is not None:  # the name it declared is now a confirmed claim's, unless listed
        name_subject(user.subject, user.display_name, CLAIMED)
    history.record(session, actor=actor, action="confirm_claim" if confirm else "reject_claim",
                   entity_type="user", entity_id=user.id, from_state=before, to_state=user.claim_status,
                   reason=reason)
    return user


class LoginRefused(Exception):
    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after  # seconds this client waits before its next attempt


def _dummy_hash() -> str:
    """A hash of no one's password, checked for a name no account has: every answer costs one hash check."""
    key = id(_hasher)
    if key not in _DUMMY:
        _DUMMY[key] = _hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY[key]


_DUMMY: dict[int, str] = {}


def _throttle_keys(client: str, username: str) -> tuple[str, str]:
    name = (username or "").strip().lower()[:200]
    return f"{client[:90]}|{name}", f"{client[:90]}|*"


def _delay(failures: int, allowed: int) -> timedelta | None:
    """The wait after `failures` failures once `allowed` are used up: 1 s, 2 s, 4 s, ... at most THROTTLE_MAX."""
    if failures < allowed:
        return None
    return min(THROTTLE_MAX, timedelta(seconds=2 ** min(failures - allowed, 20)))


def authenticate(session: Session, username: str, password: str, *, now: datetime, client: str = "") -> User:
    """Check a password. Failed attempts are counted per client and account name (and per client over all names):
    after a few, each further attempt from that client waits a growing delay. The account is never locked: its
    owner logs in from elsewhere meanwhile, and is told by a notice. The answers and their time are the same for
    an account that exists and one that does not (one hash check each time, a dummy hash for an unknown name)."""
    by_name, by_client = _throttle_keys(client, username)
    throttles = {key: session.get(LoginThrottle, key) for key in (by_name, by_client)}
    user = find_user(session, username)
    try:
        right = _hasher.verify(user.password_hash if user is not None else _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        right = False
    waits = [t.blocked_until for t in throttles.values() if t and t.blocked_until and t.blocked_until > now]
    if waits:
        raise LoginRefused("too many failed log-ins from here: wait a moment before the next attempt",
                           retry_after=max(1, int((max(waits) - now).total_seconds() + 0.999)))
    if user is None or not right:
        _count_failure(session, throttles, by_name, by_client, now, user, client)
        raise LoginRefused("wrong user name or password")
    if not user.active:
        raise LoginRefused("this account is disabled")
    if throttles[by_name] is not None:
        session.delete(throttles[by_name])  # the owner, from here: this client's count on the name starts again
    return user


def _count_failure(session: Session, throttles: dict, by_name: str, by_client: str, now: datetime,
                   user: User | None, client: str) -> None:
    for key, allowed in ((by_name, THROTTLE_AFTER), (by_client, CLIENT_THROTTLE_AFTER)):
        throttle = throttles[key]
        if throttle is None:
            throttle = throttles[key] = LoginThrottle(key=key, failures=0)
            session.add(throttle)
        elif throttle.last_failure_at is not None and now - throttle.last_failure_at > THROTTLE_FORGET:
            throttle.failures = 0  # a failure long ago no longer counts
        throttle.failures += 1
        throttle.last_failure_at = now
        delay = _delay(throttle.failures, allowed)
        throttle.blocked_until = now + delay if delay else None
    if user is not None and throttles[by_name].failures == THROTTLE_AFTER:
        tell_owner_of_failed_logins(session, user, client, THROTTLE_AFTER, now)
    session.flush()


def tell_owner_of_failed_logins(session: Session, user: User, client: str, failures: int, now: datetime) -> None:
    """An inbox notice (and e-mail) to the account's owner: someone keeps trying its password. One per client and
    hour."""
    notify.notice(session, "account.failed_logins", [user], key={"hour": f"{now:%Y%m%d%H}"},
                  client=client or "?", failures=failures, username=user.username)

def set_contact(session: Session, user: User, *, phone: str, sms_opt_in: bool) -> User:
    """The user's own mobile number (a Chinese mobile number, or none) and whether notices also come by SMS."""
    user.phone = sms.check_mobile(phone)
    user.sms_opt_in = bool(sms_opt_in)
    history.record(session, actor=Actor(user_id=user.id, label=user.username), action="set_contact",
                   entity_type="user", entity_id=user.id, data={"sms": user.sms_opt_in})
    return user
