"""Browser tests: the app served on a local port, driven by Debian's Chromium through Playwright."""
from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.e2e.browser import CHROMIUM, FLAGS
from tests.receivers import serve_in_thread


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is required for the browser tests: run `make system-deps`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(seeded):
    """The seeded app on a free local port, with CSRF on as in production."""
    seeded.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, seeded, threaded=True)
    serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server
    yield page
    context.close()
