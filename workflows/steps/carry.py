"""Carrying out a batch of one process's events: the fast path of the automation (ADR 0013).

Each event on its own: its planned steps as plain calls in one transaction, its e-mails over the batch's one SMTP
connection (each recorded as sent the moment the SMTP server takes it), then the event settled (done). An event
that fails on this path is handed to `slow`, which tries it again on its own (the flows make that a Prefect task
run with retries, visible in the Prefect UI; the in-process runner calls it with the same attempts and no
waits). A batch never holds two events of one case (the worker's claim leaves a case's later event until its earlier one
is done), so the events of a case are carried out in order.

Prefect-free: the process's flow (workflows.flows.steps) runs `carry_out_batch` once per batch; tests may call
it directly. Nothing here weakens at-least-once: an event settled done has had every step committed and every
e-mail handed to the SMTP server; a kill anywhere before leaves it to be claimed again, and every step claims its
own `once()` key, every e-mail carries the same Message-ID whatever the attempt.
"""
from __future__ import annotations

import contextvars
import smtplib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, select, update

from workflows.config import Config
from workflows.domain.errors import NotFound
from workflows.services.casework.case_records import get_case
from workflows.services.deliveries import notify, sms
from workflows.store.automation import Notification, OutboxEvent
from workflows.store.base import utcnow
from workflows.store.cases import Case

from . import STEPS, StepResult
from .runtime import runtime, session_scope

@dataclass
class Outcome:
    """What became of one event of a batch: `error` empty when it was settled done."""
    event_id: int
    kind: str
    case_id: int | None = None
    emails: int = 0
    error: str = ""
    slow: bool = False  # carried out (or given up) on the slow path

    @property
    def done(self) -> bool:
        return not self.error


_one_at_a_time = threading.Lock()

# what the mailer records, built once (built for each e-mail, a statement cost more CPU than its execution)
_notifications, _outbox = Notification.__table__, OutboxEvent.__table__
_SENT = (update(_notifications)
         .where(_notifications.c.id == bindparam("notification"), _notifications.c.emailed_at.is_(None))
         .values(emailed_at=bindparam("at", type_=_notifications.c.emailed_at.type)))
_SETTLED = (update(_outbox).where(_outbox.c.id == bindparam("event"))
            .values(status="done", processed_at=bindparam("at", type_=_outbox.c.processed_at.type), last_error=""))


@dataclass
class Mailer:
    """The batch thread's one SMTP connection: opened at its first e-mail, dropped after a failure (the next e-mail
    opens a new one), closed at the end of the batch; and the database connection on which it records each e-mail
    sent and each event settled."""
    config: Config
    _smtp: smtplib.SMTP | None = field(default=None, repr=False)
    _records: Connection | None = field(default=None, repr=False)  # e-mails sent and events settled

    def send(self, messages: list[tuple[int, notify.Envelope]]) -> tuple[list[int], Exception | None]:
        """Send in order, each e-mail recorded as sent the moment the SMTP server took it; stop at the first
        failure. Returns the ids sent, and the failure if any.

        One e-mail at a time in the whole process is between the SMTP server's acceptance and its record (the
        threads of a batch take turns here): a worker killed at any moment sends at most that one again on the
        event's next attempt, with the same Message-ID (ADR 0004). What needs no turn, each message's envelope and
        bytes, was made before it (`notify.compose`)."""
        sent = []
        for notification_id, envelope in messages:
            with _one_at_a_time:
                try:
                    if self._smtp is None:
                        self._smtp = smtplib.SMTP(self.config.smtp_host, self.config.smtp_port, timeout=10)
                    _send_over(self._smtp, envelope)
                except Exception as error:  # noqa: BLE001 - this e-mail failed: the event is tried again
                    self.close()
                    return sent, error
                self._record_sent(notification_id)
            sent.append(notification_id)
        return sent, None

    def _record_sent(self, notification_id: int) -> None:
        """The e-mail's record, committed at once (`_record`)."""
        self._record(_SENT, {"notification": notification_id, "at": utcnow()})

    def settle(self, event_id: int) -> None:
        """The event done, its steps committed and its e-mails sent (`_record`)."""
        self._record(_SETTLED, {"event": event_id, "at": utcnow()})

    def _record(self, statement, values: dict) -> None:
        """One statement in autocommit, on a database connection the mailer keeps from its first record to its
        close (one taken from the pool for each e-mail cost a ping and a commit more, each a round trip, while the
        other threads waited for their turn; a session for each event's settling, about a twelfth of the worker's
        CPU). A connection that failed is dropped; the failure is the event's, as the SMTP server's would be.

        On PostgreSQL these commits do not wait for the disk (`synchronous_commit` off on this connection alone,
        ADR 0013). A killed worker loses nothing the server took. Only a crash of the database server itself can
        forget the last of them, and any durable commit after them (the next event's transaction, the next
        claim) makes them durable too, so a case's later event is never carried out while its earlier one is
        forgotten. A forgotten record or settling means the event is carried out again: its steps find their
        once() keys, and an e-mail goes again with the same Message-ID, as after a killed worker."""
        try:
            if self._records is None:
                records = runtime().sessions.kw["bind"].connect().execution_options(isolation_level="AUTOCOMMIT")
                self._records = records
                if records.dialect.name == "postgresql":
                    records.exec_driver_sql("SET synchronous_commit TO off")
            self._records.execute(statement, values)
        except BaseException:
            self._close_records()
            raise

    def _close_records(self) -> None:
        """Back to the pool as the pool gave it (`synchronous_commit` as configured); a connection that cannot say
        so, or is broken, is discarded instead."""
        records, self._records = self._records, None
        if records is None:
            return
        try:
            if records.dialect.name == "postgresql":
                records.exec_driver_sql("RESET synchronous_commit")
        except Exception:  # noqa: BLE001 - broken, or not to be trusted with the setting: not back to the pool
            records.invalidate()
        try:
            records.close()
        except Exception:  # noqa: BLE001, S110 - a connection already broken is only discarded
            pass

    def close(self) -> None:
        self._close_records()
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except Exception:  # noqa: BLE001, S110 - a connection already broken needs no goodbye
                pass

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _send_over(smtp: smtplib.SMTP, envelope: notify.Envelope) -> None:
    smtp.ehlo_or_helo_if_needed()
    options: tuple[str, ...] = ()
    if envelope.international:
        if not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError("an address needs SMTPUTF8, which the SMTP server does not offer")
        options = ("SMTPUTF8", "BODY=8BITMIME")
    smtp.sendmail(envelope.sender, list(envelope.recipients), envelope.data, options)


def held_case(session, case_id: int) -> Case | None:
    """The event's case, held for its transaction as an action holds it (get_case), with what the steps read of
    it; None when it was erased meanwhile."""
    try:
        return get_case(session, case_id, for_update=True, applicant=True)
    except NotFound:  # erased meanwhile
        return None


def apply(plan: dict[str, list[str]], event_id: int, kind: str,
          again: bool = False) -> tuple[int | None, list[tuple[int, notify.Envelope]]]:
    """The event's planned steps in one transaction. Returns its case and the e-mails owed: those of the
    notices its steps created, and, on a later attempt (`again`, or a later claim of the event), those an earlier
    attempt committed but did not send."""
    config = runtime().config
    with session_scope() as session:
        event = session.get(OutboxEvent, event_id)
        if event is None:
            return None, []
        # held for the event's transaction, as an action holds it (its history chain's head is read under the hold,
        # not by a statement of its own at the flush), with what most steps read of it in the same query
        case = held_case(session, event.case_id) if event.case_id else None  # None: an entry's
        owed: list[int] = []
        for name in plan.get(kind, []):
            result = STEPS[name](session, event, case) or StepResult()
            sms.record(session, result.notifications, config)  # owed with the notices, in their transaction
            owed += result.notifications
        if again or event.attempts > 1:
            session.flush()
            owed += [n for n in notify.unsent_for_event(session, event_id) if n not in owed]
        notes: dict = dict(notify.made_in(session))  # the notices its steps wrote; earlier ones read again
        if missing := [n for n in owed if n not in notes]:
            notes.update({n.id: n for n in session.scalars(select(Notification).where(Notification.id.in_(missing)))})
        messages = [(n, m) for n in owed if (m := notify.compose(notes.get(n), config)) is not None]
        return event.case_id, messages


def carry_out(plan: dict[str, list[str]], event_id: int, kind: str, mailer: Mailer, again: bool = False) -> Outcome:
    """One event, start to settled; raises if a step or an e-mail failed (what was sent stays marked sent)."""
    case_id, messages = apply(plan, event_id, kind, again)
    sent, error = mailer.send(messages)
    if error is not None:
        raise error
    mailer.settle(event_id)
    return Outcome(event_id, kind, case_id, emails=len(sent))


def carry_out_alone(plan: dict[str, list[str]], event_id: int, kind: str) -> Outcome:
    """One event with an SMTP connection of its own: the slow path's unit of work."""
    with Mailer(runtime().config) as mailer:
        return carry_out(plan, event_id, kind, mailer, again=True)


# the slow path: (event id, kind) -> Outcome, raising once its attempts are spent
SlowPath = Callable[[int, str], Outcome]


THREADS = 4  # events of different cases carried out side by side (PostgreSQL: each thread's session its own)


def carry_out_batch(plan: dict[str, list[str]], events: list[tuple[int, str, int | None]],
                    slow: SlowPath) -> list[Outcome]:
    """Each event of the batch (id, kind, case id) on its own; then those that failed, one by one on the slow
    path. One that fails neither fails nor delays the others: they are settled before its retries begin. The
    batch holds one event per case, so on PostgreSQL a few threads carry a batch of cases' events out side by
    side, each with its own SMTP connection; on SQLite (one writer at a time), and for events of no case, one
    thread does, in order."""
    outcomes: dict[int, Outcome] = {}
    failed: list[tuple[int, str, int | None]] = []
    threads = THREADS if runtime().sessions.kw["bind"].dialect.name == "postgresql" else 1
    with notify.recipients_kept(), ExitStack() as mailers:
        local = threading.local()

        def fast(event_id: int, kind: str) -> Outcome:
            if not hasattr(local, "mailer"):
                local.mailer = mailers.enter_context(Mailer(runtime().config))
            return carry_out(plan, event_id, kind, local.mailer)

        # a case's events never share a batch; a list entry's (no case) may, so those keep one thread and their order
        if threads > 1 and len(events) > 1 and all(case_id is not None for _, _, case_id in events):
            context = contextvars.copy_context()  # the batch's kept recipients, seen by every thread
            with ThreadPoolExecutor(max_workers=min(threads, len(events))) as pool:
                futures = [pool.submit(context.copy().run, fast, event_id, kind) for event_id, kind, _ in events]
            results = [future.exception() or future.result() for future in futures]
        else:
            results = [_caught(fast, event_id, kind) for event_id, kind, _ in events]
        for (event_id, kind, case_id), result in zip(events, results):
            if isinstance(result, Outcome):
                outcomes[event_id] = result
            else:  # a failure is this event's alone: the slow path
                failed.append((event_id, kind, case_id))
        for event_id, kind, case_id in failed:
            try:
                outcome = slow(event_id, kind)
            except Exception as error:  # noqa: BLE001 - its attempts spent: released for a later try
                outcome = Outcome(event_id, kind, case_id, error=f"{type(error).__name__}: {error}")
            outcome.slow = True
            outcomes[event_id] = outcome
    return [outcomes[event_id] for event_id, _, _ in events]


# the slow path's attempts after the fast one: the flows' task run retries after these many seconds
RETRY_DELAYS = (0.5, 2, 5)


def in_process(plan: dict[str, list[str]], events: list[tuple[int, str, int | None]]) -> list[Outcome]:
    """The same batch without Prefect, the slow path's attempts made at once (most flow tests)."""
    slow = attempts(lambda event_id, kind: carry_out_alone(plan, event_id, kind), 1 + len(RETRY_DELAYS))
    return carry_out_batch(plan, events, slow)


def failures(outcomes: list[Outcome]) -> dict[int, str]:
    """{event id: error} of the events still failing."""
    return {o.event_id: o.error for o in outcomes if not o.done}


def _caught(function: Callable, *args) -> Outcome | Exception:
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - the caller tells an outcome from a failure
        return error


def attempts(function: Callable, tries: int) -> Callable:
    """`function` tried up to `tries` times without waiting (as a task with `tries - 1` retries would be)."""
    def call(*args):
        for _ in range(tries - 1):
            try:
                return function(*args)
            except Exception:  # noqa: BLE001, S112 - as Prefect retries any failure
                continue
        return function(*args)  # the last attempt: its failure is the caller's

    return call
