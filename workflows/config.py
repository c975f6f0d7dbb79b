"""Settings of the running product, from CREDIT_CASES_* environment variables, each declared once.

These are deployment settings (where the database is, which port); the legal time limits are
domain settings kept in the database (workflows.domain.settings), editable by an administrator.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

from workflows import clock

PREFIX = "CREDIT_CASES_"


def default_instance_path() -> Path:
    return Path(os.environ.get(PREFIX + "INSTANCE_PATH", Path.cwd() / "instance")).resolve()


@dataclass
class Config:
    instance_path: Path = field(default_factory=default_instance_path)
    database_url: str = ""  # default: SQLite file in the instance folder
    secret_key: str = ""  # default: generated once and kept in the instance folder
    host: str = "127.0.0.1"
    port: int = 5000
    prefect_port: int = 4200
    testing: bool = False
    demo: bool = False  # allows `sla sweep --now` and shows demo logins
    max_upload_bytes: int = 10 * 1024 * 1024
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "credit-cases@localhost"
    platform_url: str = ""  # the municipal public credit platform's result endpoint
    default_locale: str = "zh_CN"
    # behind a TLS proxy: the proxies' addresses (comma-separated) whose X-Forwarded-For and X-Forwarded-Proto are
    # believed; nobody else's
    trusted_proxies: str = ""
    # the address the product is reached at (https://credit.example.gov.cn): every absolute link is built on it,
    # never on a request's Host header; empty: http://<host>:<port>
    base_url: str = ""
    # hosts (comma-separated, host or host:port) a department's webhook may point at although they are loopback,
    # link-local or private addresses
    webhook_allowed_hosts: str = ""
    worker_port: int = 0  # the worker's /metrics, /healthz, /readyz; 0: none
    worker_host: str = "127.0.0.1"
    scheduler_port: int = 0  # the scheduler's /metrics, /healthz, /readyz; 0: none
    sweep_seconds: int = 30  # how often the scheduler that holds the sweep lock sweeps the timers
    log_format: str = "json"  # json (one object a line) or text
    # the SMS gateway notices are also sent through (workflows/services/deliveries/sms.py); empty URL: no SMS
    sms_url: str = ""
    sms_key_id: str = ""
    sms_secret: str = ""
    sms_sign_name: str = ""
    sms_templates: str = ""  # kind=CODE pairs (comma-separated) overriding the template codes derived from the kinds

    @classmethod
    def from_env(cls, **overrides) -> "Config":
        values: dict = {}
        for f in fields(cls):
            raw = os.environ.get(PREFIX + f.name.upper())
            if raw is None:
                continue
            if f.type in ("bool",):
                values[f.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif f.type in ("int",):
                values[f.name] = int(raw)
            elif f.name == "instance_path":
                values[f.name] = Path(raw).resolve()
            else:
                values[f.name] = raw
        values.update(overrides)
        config = cls(**values)
        _shift_clock(config, os.environ.get(PREFIX + "TODAY"))
        config.instance_path = Path(config.instance_path)
        config.instance_path.mkdir(parents=True, exist_ok=True, mode=0o700)
        config.instance_path.chmod(0o700)  # the database, its WAL, the uploads and the secret key: the service's only
        if not config.database_url:
            config.database_url = f"sqlite:///{config.instance_path / 'credit-cases.sqlite'}"
        if not config.secret_key:
            config.secret_key = _instance_secret(config.instance_path)
        return config

    @property
    def external_base(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def proxies(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())

    @property
    def upload_dir(self) -> Path:
        """Evidence files live here, outside the web root, under random names."""
        return self.instance_path / "uploads"


def _shift_clock(config: Config, today: str | None) -> None:
    """CREDIT_CASES_TODAY runs the process as if today were that day: for tests and demos only."""
    if not today:
        return
    if not (config.testing or config.demo):
        raise ValueError(PREFIX + "TODAY is honoured only with " + PREFIX + "TESTING or " + PREFIX + "DEMO")
    day = clock.parse_day(today)
    if clock.shifted_day() != day:
        clock.shift_to_day(day)


def _instance_secret(instance_path: Path) -> str:
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


# One line of explanation per setting: the environment file (`credit-cases settings`) is made from these.
HELP = {
    "instance_path": "folder of the instance: the SQLite file by default, the secret key, uploads, the erasure log",
    "database_url": "SQLAlchemy URL, e.g. postgresql+psycopg://credit@db.internal/credit_cases; "
                    "empty: SQLite file in the instance folder",
    "secret_key": "signs sessions and tokens; the same on every web machine; empty: generated once into the "
                  "instance folder",
    "host": "address the web app (gunicorn) binds to; the TLS proxy forwards to it",
    "port": "port of the web app",
    "prefect_port": "port of the Prefect server that `credit-cases up` starts",
    "testing": "test configuration (never in production)",
    "demo": "demo configuration: shows the demo logins, allows `sla sweep --now` (never in production)",
    "max_upload_bytes": "largest evidence file accepted",
    "smtp_host": "mail relay for notices by e-mail; empty: inbox only",
    "smtp_port": "port of the mail relay",
    "smtp_sender": "From: address of notices by e-mail",
    "platform_url": "the municipal public credit platform's result endpoint; empty: results are not pushed",
    "default_locale": "language of pages and notices when the user chose none (zh_CN or en)",
    "worker_port": "port of a worker's /metrics, /healthz and /readyz; 0: none",
    "worker_host": "address a worker's /metrics port binds to",
    "scheduler_port": "port of the scheduler's /metrics, /healthz and /readyz; 0: none",
    "sweep_seconds": "seconds between two sweeps of the SLA timers by the scheduler holding the sweep lock",
    "log_format": "json: one JSON object a line (case and event numbers, no personal data); text: for a terminal",
    "sms_url": "the SMS gateway's address notices are also sent to by SMS (a signed POST per message); empty: no SMS",
    "sms_key_id": "the key id the SMS gateway knows this product by (header X-Key-Id)",
    "sms_secret": "the secret the SMS requests are signed with (HMAC-SHA256, header X-Signature)",
    "sms_sign_name": "the signature name the gateway puts on every SMS (e.g. 信用城市), as registered with it",
    "sms_templates": "kind=CODE pairs (comma-separated), e.g. objection.result=SMS_1001: the gateway's template code "
                     "for a notice kind where it is not the one derived from the kind (CC_OBJECTION_RESULT)",
    "trusted_proxies": "behind a TLS proxy: the proxies' addresses (comma-separated) whose X-Forwarded-For and "
                       "X-Forwarded-Proto are believed; nobody else's",
    "base_url": "the address the product is reached at (https://credit.example.gov.cn): every absolute link is "
                "built on it, never on a request's Host header; empty: http://<host>:<port>",
    "webhook_allowed_hosts": "hosts (comma-separated, host or host:port) a department's webhook may point at "
                             "although they are loopback, link-local or private addresses",
}
# read by the parts though not theirs to declare: Prefect's own setting, the worker's way to its server
OTHER_SETTINGS = {"PREFECT_API_URL": ("http://127.0.0.1:4200/api", "the Prefect server the workers run their flows with "
                                      "(deploy/prefect-server.service); its /health is part of a worker's /readyz")}
ONLY_WITH_TESTING_OR_DEMO = {"today": "YYYY-MM-DD: run as if today were that day (with TESTING or DEMO only)"}


def _default_text(f) -> str:
    if f.name == "instance_path":
        return "instance"  # relative to the working directory
    value = f.default
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def environment_file() -> str:
    """Every setting once, as an environment file for systemd (EnvironmentFile=) with its default."""
    lines = ["# credit-cases settings: every part (web, worker, scheduler) reads the same file.",
             "# Generated by `credit-cases settings` from workflows/config.py; each line shows the default.", ""]
    for f in fields(Config):
        lines += [f"# {HELP[f.name]}", f"{PREFIX}{f.name.upper()}={_default_text(f)}", ""]
    for name, (default, text) in OTHER_SETTINGS.items():
        lines += [f"# {text}", f"{name}={default}", ""]
    for name, text in ONLY_WITH_TESTING_OR_DEMO.items():
        lines += [f"# {text}", f"#{PREFIX}{name.upper()}=", ""]
    return "\n".join(lines)
