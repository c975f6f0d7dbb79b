"""Accounts: staff created by administrators, applicants who sign up and are confirmed."""
from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.domain.errors import N_, Conflict, InvalidInput, NotFound
from workflows.domain.process import Actor
from workflows.domain.roles import DEPARTMENT_ROLES, Role, parse_role
from workflows.domain.subjects import parse_subject_code
from workflows.services.admin import settings as settings_service
from workflows.services.casework import history
from workflows.services.lists.subjects import CLAIMED, DECLARED, name_subject, register_subject
from workflows.store.models import Department, Subject, User, UserRole

# argon2id: memory-hard, so a stolen hash table is slow to attack on GPUs
_hasher = PasswordHasher()


def use_fast_hashing_for_tests() -> None:
    """Still argon2id, with the smallest cost: the test suite hashes hundreds of demo passwords."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
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
) -> User:
    username = (username or "").strip()
    if not username:
        raise InvalidInput("a user name is required", field="username")
    if find_user(session, username) is not None:
        raise Conflict(N_("the user name '%(name)s' is taken"), field="username", name=username)
    _check_new_password(password)
    parsed = list(dict.fromkeys(parse_role(r) for r in roles))  # a role named twice is one role
    if not parsed:
        raise InvalidInput("at least one role is required", field="role")
    department = None
    if any(r in DEPARTMENT_ROLES for r in parsed):
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
        password_hash=hash_password(password),
        display_name=display_name or username,
        email=email,
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
    def __init__(self, message: str, locked_until: datetime | None = None):
        super().__init__(message)
        self.locked_until = locked_until


def authenticate(session: Session, username: str, password: str, *, now: datetime) -> User:
    """Check a password, counting failures; after MAX_FAILED_LOGINS the account locks for a while."""
    user = find_user(session, username)
    if user is None:
        _hasher.hash(password or "x")  # same cost either way, so timing does not reveal user names
        raise LoginRefused("wrong user name or password")
    if user.locked_until is not None and user.locked_until > now:
        raise LoginRefused("too many failed attempts: the account is locked for a while", user.locked_until)
    if not check_password(user, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until, user.failed_logins = now + LOCKOUT, 0
        raise LoginRefused("wrong user name or password")
    if not user.active:
        raise LoginRefused("this account is disabled")
    user.failed_logins, user.locked_until = 0, None
    return user
