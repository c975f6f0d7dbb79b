"""docs/operations.md, walked: its `credit-cases` commands that need no root and no second machine run, in the
guide's order, against a fresh database and instance folder, and do what the guide says."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from webapp import cli
from workflows.config import environment_file

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "operations.md"
WALKED = ("settings", "db upgrade", "db check", "backup", "restore", "audit verify")


def guide_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("credit-cases ") and line[len("credit-cases "):].startswith(WALKED)]


def test_the_guide_s_commands_run_as_written(tmp_path):
    commands = guide_commands()
    assert {next(w for w in WALKED if c[len("credit-cases "):].startswith(w)) for c in commands} == set(WALKED)
    env = {"CREDIT_CASES_DATABASE_URL": f"sqlite:///{tmp_path / 'guide.sqlite'}",
           "CREDIT_CASES_INSTANCE_PATH": str(tmp_path / "instance")}
    backups = tmp_path / "backups"
    archive = None
    for command in commands:
        command = command.replace("/var/backups/credit-cases", str(backups))
        args, _, redirect = command.partition(" > ")
        argv = shlex.split(args)[1:]
        if argv[0] == "restore":
            argv[-1] = str(archive)  # the archive the guide's backup made
        result = CliRunner().invoke(cli.main, argv, env=env)
        assert result.exit_code == 0, (command, result.output, result.stderr)
        if argv[0] == "settings":
            assert redirect == "/etc/credit-cases/credit-cases.env" and result.output == environment_file()
        elif argv[0] == "backup":
            archive = Path(result.output.split("backup written: ", 1)[1].strip())
            assert archive.parent == backups and archive.name.startswith("credit-cases-") and archive.exists()
        elif argv[0] == "restore":
            assert "match the manifest's SHA-256" in result.output and "the chain holds" in result.output
        elif argv[:2] == ["db", "check"]:
            assert "schema is current" in result.output
        elif argv[:2] == ["audit", "verify"]:
            assert result.output.startswith("OK")
    assert archive is not None
