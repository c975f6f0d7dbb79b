"""`credit-cases up`: every part starts, answers, and stops on Ctrl-C."""
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.receivers import free_port


@pytest.mark.slow
def test_up_starts_everything_and_ctrl_c_stops_it(tmp_path):
    web_port, prefect_port = free_port(), free_port()
    env = {**os.environ, "CREDIT_CASES_INSTANCE_PATH": str(tmp_path / "instance"), "CREDIT_CASES_PORT": str(web_port),
           "CREDIT_CASES_PREFECT_PORT": str(prefect_port), "PYTHONUNBUFFERED": "1"}
    env.pop("CREDIT_CASES_DATABASE_URL", None)
    started = time.monotonic()
    up = subprocess.Popen([sys.executable, "-m", "webapp.cli", "up"], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines = []
    try:
        for line in up.stdout:
            lines.append(line)
            if "Ctrl-C" in line or time.monotonic() - started > 150:
                break
        output = "".join(lines)
        assert "Ctrl-C" in output, output[-3000:]
        assert f"http://127.0.0.1:{web_port}/" in output and "demo-pass-2026" in output and "office" in output
        assert httpx.get(f"http://127.0.0.1:{web_port}/healthz").json() == {"status": "ok"}
        assert "demo-pass-2026" in httpx.get(f"http://127.0.0.1:{web_port}/login").text  # demo logins shown
        assert httpx.get(f"http://127.0.0.1:{prefect_port}/api/health").status_code == 200
        # the Prefect server's default database: SQLite in its home inside the instance folder
        assert (tmp_path / "instance" / "prefect" / "prefect.db").exists()
        os.killpg(up.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        assert up.wait(timeout=60) == 0
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
    for port in (web_port, prefect_port):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
