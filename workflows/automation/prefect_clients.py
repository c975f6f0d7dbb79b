"""The Prefect clients a worker thread's flow runs share, from one batch to the next.

Each Prefect client made afresh builds a TLS context from the certificate store (about 25 ms of CPU, even for a
plain-HTTP API), and a batch's flow run needs two: the synchronous one its task runs report through and the
asynchronous one of the flow run itself, tied to its event loop. So each thread that runs flows keeps one event
loop (`asyncio.Runner`) and both clients, and runs every batch on that loop, in a copy of the caller's context
(its Prefect settings and tags) with the two clients put in. The loop and its clients are made again when
Prefect's settings in force change (another API address, as in the tests' outages), and after a batch that
broke or whose clients could not be made (the server down): nothing broken is kept.
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import contextvars
import threading
from collections.abc import Coroutine
from typing import Any

_held = threading.local()  # .session: this thread's _Session, if any


class _Session:
    def __init__(self, settings):
        self.settings = settings  # the SettingsContext it was made under
        self.runner = asyncio.Runner()
        self.stack = contextlib.AsyncExitStack()

    async def _enter(self) -> None:
        from prefect.context import AsyncClientContext, SyncClientContext

        self.sync = self.stack.enter_context(SyncClientContext.get_or_create())
        self.async_ = await self.stack.enter_async_context(AsyncClientContext.get_or_create())

    def context(self) -> contextvars.Context:
        """The caller's context, with this session's clients in force."""
        from prefect.context import AsyncClientContext, SyncClientContext

        context = contextvars.copy_context()
        context.run(SyncClientContext.__var__.set, self.sync)
        context.run(AsyncClientContext.__var__.set, self.async_)
        return context

    def open(self) -> "_Session":
        try:
            self.runner.run(self._enter())
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        try:
            self.runner.run(self.stack.aclose())
        except Exception:  # noqa: BLE001 - closing what may already be broken (the server gone)
            pass
        finally:
            self.runner.close()


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a flow's coroutine on this thread's loop, with its clients kept for the next batch."""
    from prefect.context import SettingsContext

    settings = SettingsContext.get()
    session = getattr(_held, "session", None)
    if session is not None and session.settings is not settings:
        forget()
        session = None
    if session is None:
        try:
            session = _Session(settings).open()
        except BaseException:
            coroutine.close()
            raise
        _held.session = session
        atexit.register(session.close)
    try:
        return session.runner.run(coroutine, context=session.context())
    except BaseException:
        forget()  # a broken batch's clients are not kept (the next batch makes new ones)
        raise


def forget() -> None:
    """Close this thread's loop and clients, if any."""
    session = getattr(_held, "session", None)
    _held.session = None
    if session is not None:
        atexit.unregister(session.close)
        session.close()
