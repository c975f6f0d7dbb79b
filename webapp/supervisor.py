"""Start the parts of `credit-cases up` as child processes, watch them, stop them together.

Pure stdlib + httpx: this runs in the parent process, which should stay small and must not
import Flask or Prefect (each part imports what it needs in its own process).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import httpx


@dataclass
class Part:
    """One child process. `env` is laid over the supervisor's own environment."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    health_url: str | None = None  # None: "ready" means "still alive after ALIVE_SECONDS"
    ready_timeout: float = 30.0  # for the health check
    early: bool = False  # spawned with the first part, awaited in its turn: a slow part that needs no other


class PartFailed(RuntimeError):
    """A part died or did not become healthy; `part` names it."""

    def __init__(self, part: str, message: str):
        super().__init__(f"part {part!r} {message}")
        self.part = part


class _StopRequested(Exception):
    """A signal arrived while the parts were starting."""


ALIVE_SECONDS = 1.0  # long enough for a bad argv or a failing import to show as an exit


def prefect_api_url(port: int = 4200) -> str:
    return f"http://127.0.0.1:{port}/api"


# The Prefect server's own settings for the product's load (ADR 0013), the same in deploy/prefect.env: the task
# runs that remain (the slow path) are written in batches, and flow runs older than a week are deleted by the
# server's vacuum service (at one or two flow runs a second its database would otherwise grow without end).
PREFECT_SERVER_TUNING = {
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "50",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "50",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
    "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "events,flow_runs",
    "PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD": "604800",
}


def prefect_server_part(home: Path, port: int = 4200, python: str = sys.executable) -> Part:
    """The local Prefect server, with its own SQLite database in `home` (PREFECT_HOME).

    The UI stays on: its assets are bundled in the wheel and it loaded with no request leaving
    127.0.0.1. Measured on 2 cores: health answers after ~13 s on a fresh `home` (migrations),
    ~4 s afterwards.
    """
    api_url = prefect_api_url(port)
    env = {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        # The UI takes its API address from these settings, not from --port: without them a
        # server on another port shows "Can't connect to Server API at ...:4200".
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_UI_API_URL": api_url,
        "PREFECT_API_URL": api_url,
        # Telemetry posts to sens-o-matic.prefect.io at start-up; the product stays offline.
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
        # `server start` offers to edit the user's profile when it thinks it has a terminal.
        "PREFECT_CLI_PROMPT": "false",
        **PREFECT_SERVER_TUNING,
    }
    argv = [python, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    # early: its start-up (migrations on a fresh home) overlaps the web app's instead of following it
    return Part("prefect", argv, env, f"{api_url}/health", ready_timeout=120.0, early=True)


class Supervisor:
    """Starts parts in order, each once the previous one is ready; stops them in reverse order."""

    def __init__(self, parts: Iterable[Part], *, grace: float = 10.0, out: TextIO | None = None):
        self.parts = list(parts)
        self.grace = grace  # seconds between SIGTERM and SIGKILL, per part
        self.procs: dict[str, subprocess.Popen] = {}
        self._out = out  # None: sys.stdout at write time (pytest swaps it)
        self._width = max([2, *(len(p.name) for p in self.parts)])  # 2: "up", our own lines
        self._write_lock = threading.Lock()
        self._stop_lock = threading.Lock()
        self._readers: list[threading.Thread] = []
        self._stopped = False
        self._wake = threading.Event()  # set by a signal: stop waiting now
        self._hurry = threading.Event()  # set by a second signal: skip the grace period
        self._signals = 0

    # -- starting ------------------------------------------------------------------------

    def start(self) -> None:
        """Start every part and wait until it is ready. On any failure, stop all and re-raise."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        early = {part.name: self._spawn(part) for part in self.parts if part.early}
        for part in self.parts:
            proc = early.get(part.name) or self._spawn(part)
            self._wait_ready(part, proc)

    def _spawn(self, part: Part) -> subprocess.Popen:
        proc = subprocess.Popen(
            part.argv,
            # Unbuffered, or a Python child's lines reach the pipe only in 8 KiB lumps.
            env={**os.environ, "PYTHONUNBUFFERED": "1", **part.env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            # Own process group: Ctrl-C in the terminal reaches only the supervisor, which then
            # stops the parts in order, instead of every process getting SIGINT at once.
            start_new_session=True,
        )
        self.procs[part.name] = proc
        reader = threading.Thread(target=self._relay, args=(part.name, proc), daemon=True)
        reader.start()
        self._readers.append(reader)
        return proc

    def _wait_ready(self, part: Part, proc: subprocess.Popen) -> None:
        deadline = time.monotonic() + (ALIVE_SECONDS if part.health_url is None else part.ready_timeout)
        # trust_env=False: a proxy from HTTP_PROXY must not be asked for 127.0.0.1.
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            while True:
                if self._wake.is_set():
                    raise _StopRequested
                if proc.poll() is not None:
                    raise PartFailed(part.name, f"{_how_it_ended(proc.returncode)} while starting")
                if part.health_url is None:
                    if time.monotonic() >= deadline:
                        return
                else:
                    try:
                        if client.get(part.health_url).is_success:
                            self.say(f"{part.name} is ready")
                            return
                    except httpx.HTTPError:
                        pass  # not listening yet
                    if time.monotonic() >= deadline:
                        raise PartFailed(part.name, f"not healthy at {part.health_url} after {part.ready_timeout:.0f} s")
                self._wake.wait(0.2)

    # -- running -------------------------------------------------------------------------

    def run_forever(self, on_ready: Callable[[], None] | None = None) -> int:
        """Start (if not started), block until SIGINT/SIGTERM or a part dies, stop all.

        Returns 0 when asked to stop, 1 when a part failed to start or died.
        """
        restore = self._install_signal_handlers()
        try:
            if not self.procs:
                self._start()  # on failure the finally below stops, after saying why
            if on_ready:
                on_ready()
            while not self._wake.wait(0.2):
                for name, proc in self.procs.items():
                    if proc.poll() is not None and not self._stopped:
                        raise PartFailed(name, f"{_how_it_ended(proc.returncode)} unexpectedly")
            return 0
        except _StopRequested:
            return 0
        except PartFailed as failure:
            print(f"credit-cases: {failure}; stopping the other parts", file=sys.stderr, flush=True)
            return 1
        finally:
            self.stop()
            restore()

    def _install_signal_handlers(self) -> Callable[[], None]:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None  # only the main thread may set handlers; the caller owns signals

        def handle(signum, _frame):
            self._signals += 1
            if self._signals > 1:
                self._hurry.set()  # a second Ctrl-C: do not wait for graceful exits
            self._wake.set()

        previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}

        def restore():
            for sig, old in previous.items():
                signal.signal(sig, old)

        return restore

    # -- stopping ------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every part, last started first (the web app before the Prefect server it uses).

        SIGTERM to the part's process group, SIGKILL after `grace` seconds. Idempotent.
        """
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        self._wake.set()
        for name, proc in reversed(list(self.procs.items())):
            if proc.poll() is None:
                self.say(f"stopping {name}")
                _signal_group(proc, signal.SIGTERM)
                deadline = time.monotonic() + self.grace
                while proc.poll() is None and time.monotonic() < deadline and not self._hurry.is_set():
                    self._hurry.wait(0.05)
                if proc.poll() is None:
                    why = "asked twice" if self._hurry.is_set() else f"{name} still running after {self.grace:.0f} s"
                    self.say(f"{why}: killing {name}")
                    _signal_group(proc, signal.SIGKILL)
                    proc.wait()
            # Whatever the part started itself (gunicorn workers, ...) must not outlive it.
            _signal_group(proc, signal.SIGKILL)
        for reader in self._readers:
            reader.join(timeout=2)

    # -- console -------------------------------------------------------------------------

    def say(self, message: str) -> None:
        self._write(f"{'up':<{self._width}} | {message}\n")

    def _relay(self, name: str, proc: subprocess.Popen) -> None:
        """Copy the child's output to the console, each line prefixed with the part's name."""
        for line in proc.stdout:
            text = line.rstrip("\n")
            self._write(f"{name:<{self._width}} | {text}\n")
        proc.stdout.close()

    def _write(self, text: str) -> None:
        with self._write_lock:
            out = self._out or sys.stdout
            out.write(text)
            out.flush()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # start_new_session: the group id is the child's pid
    except ProcessLookupError:
        pass  # the group is empty already


def _how_it_ended(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with code {returncode}"
