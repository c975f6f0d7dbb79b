"""The process supervisor of `credit-cases up`: start in order, wait for health, stop everything."""
from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from webapp.supervisor import Part, PartFailed, Supervisor

ROOT = Path(__file__).resolve().parents[2]

# A stand-in for a real part: stdlib HTTP server that answers 200 on every path.
DUMMY_SERVER = textwrap.dedent("""
    import http.server, sys
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
        def log_message(self, *args):
            pass
    server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("listening", flush=True)
    server.serve_forever()
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dummy(name: str) -> Part:
    port = free_port()
    return Part(name, [sys.executable, "-c", DUMMY_SERVER, str(port)], {}, f"http://127.0.0.1:{port}/health", 15.0)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_parts_become_healthy_and_stop_terminates_them():
    out = io.StringIO()
    supervisor = Supervisor([dummy("alpha"), dummy("beta")], grace=5, out=out)
    supervisor.start()
    try:
        for part in supervisor.parts:
            assert httpx.get(part.health_url, trust_env=False).text == "ok"
        pids = [proc.pid for proc in supervisor.procs.values()]
    finally:
        supervisor.stop()
    supervisor.stop()  # idempotent
    assert all(proc.returncode is not None for proc in supervisor.procs.values())
    assert all(gone(pid) for pid in pids)
    # Each child's output arrives with its name in front.
    assert "alpha | listening" in out.getvalue() and "beta  | listening" in out.getvalue()


def test_a_part_that_dies_stops_the_others_and_fails(capsys):
    crasher = Part("crasher", [sys.executable, "-c", "import time, sys; time.sleep(1.5); sys.exit(3)"], {}, None, 5)
    supervisor = Supervisor([dummy("web"), crasher], grace=5)
    ready = []
    assert supervisor.run_forever(on_ready=lambda: ready.append(True)) == 1
    assert ready == [True]  # it was up before the crash
    assert supervisor.procs["web"].returncode is not None and gone(supervisor.procs["web"].pid)
    assert "part 'crasher' exited with code 3 unexpectedly" in capsys.readouterr().err


def test_a_part_that_fails_to_start_stops_the_ones_before_it():
    broken = Part("broken", [sys.executable, "-c", "raise SystemExit(2)"], {}, "http://127.0.0.1:9/health", 10)
    supervisor = Supervisor([dummy("web"), broken], grace=5, out=io.StringIO())
    with pytest.raises(PartFailed, match="'broken' exited with code 2 while starting"):
        supervisor.start()
    assert gone(supervisor.procs["web"].pid)


# Runs a supervisor of two dummy parts in its own process; prints READY and the child pids.
SUPERVISOR_SCRIPT = textwrap.dedent("""
    import sys
    from webapp.supervisor import Part, Supervisor
    parts = [Part(name, [sys.executable, "-c", sys.argv[1], port], {}, f"http://127.0.0.1:{port}/", 15.0)
             for name, port in (("one", sys.argv[2]), ("two", sys.argv[3]))]
    supervisor = Supervisor(parts, grace=5)
    ready = lambda: print("READY", *(p.pid for p in supervisor.procs.values()), flush=True)
    sys.exit(supervisor.run_forever(on_ready=ready))
""")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_supervisor_stops_everything(sig):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    argv = [sys.executable, "-c", SUPERVISOR_SCRIPT, DUMMY_SERVER, str(free_port()), str(free_port())]
    # Its own session, like a shell's foreground job: the signal goes to the whole group, as
    # Ctrl-C in a terminal does; the parts sit in their own groups and must not get it twice.
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for line in proc.stdout:  # ends by itself: the parts' ready_timeout bounds the start
            if line.startswith("READY"):
                break
        assert line.startswith("READY"), line
        pids = [int(pid) for pid in line.split()[1:]]
        os.killpg(proc.pid, sig)
        rest, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0
    assert all(gone(pid) for pid in pids)
    assert "stopping two" in rest and "stopping one" in rest
    assert rest.index("stopping two") < rest.index("stopping one")  # last started, first stopped
