"""docs/api.md's examples, run as written against a live server."""
import re
import subprocess
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.receivers import serve_in_thread

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
EXPECTED = re.compile(r'^# \{"error": \{"code": "(?P<code>[a-z_]+)"')


def script_from(markdown: str) -> str:
    """The doc's sh blocks as one script; a command followed by an expected-error comment is checked."""
    lines = ["set -euo pipefail"]
    for block in re.findall(r"```sh\n(.*?)```", markdown, flags=re.S):
        commands: list[str] = []
        current = ""
        for line in block.splitlines():
            expected = EXPECTED.match(line)
            if expected and commands:
                command = commands.pop()
                commands.append(f'out=$({command}); grep -q \'"code": *"{expected["code"]}"\' <<<"$out" '
                                f'|| {{ echo "expected {expected["code"]}, got: $out" >&2; exit 1; }}')
                continue
            if line.startswith("#") or not line.strip():
                continue
            line = re.sub(r"\s+#\s.*$", "", line)  # trailing comments
            current += line.rstrip("\\").rstrip() + " " if line.rstrip().endswith("\\") else line
            if not line.rstrip().endswith("\\"):
                commands.append(current)
                current = ""
        lines += commands
    return "\n".join(lines)


@pytest.mark.slow
@pytest.mark.one_database  # the guide's examples
def test_quick_start_examples_run_against_a_live_server(seeded):
    server = make_server("127.0.0.1", 0, seeded, threaded=True)
    serve_in_thread(server)
    try:
        result = subprocess.run(["bash", "-c", script_from(DOC.read_text(encoding="utf-8"))], capture_output=True,
                                text=True, timeout=120, env={"BASE": f"http://127.0.0.1:{server.server_port}",
                                                             "PATH": "/usr/bin:/bin"})
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr + result.stdout[-2000:]
