"""Helpers for the browser tests."""
from __future__ import annotations

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def log_in(page, username: str, password: str = "demo-pass-2026") -> None:
    page.goto(page.base_url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("#content form button[type=submit]").first.click()


def screenshot(page, name: str, full_page: bool = True) -> Path:
    DOCS.mkdir(parents=True, exist_ok=True)
    path = DOCS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path
