from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import require_service

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (creating people) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HUMAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is open,
# which would break later tests that call asyncio.run() (e.g. python-telegram-bot).
@pytest.fixture(scope="module")
def browser():
    require_service(
        bool(shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service(False, "playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(user, width=1280, height=900, zone=None) -> (a page signed in as ``user``, the
    PageProblems collecting its CSP violations and script errors). ``zone``: the browser's own
    time zone (None: the machine's). Every context is closed after the test."""
    from tests.browser.test_shell_browser import sign_in
    from tests.browser.watch import PageProblems

    contexts = []

    def make(user, width=1280, height=900, zone=None):
        options = {"viewport": {"width": width, "height": height}, "locale": "id-ID"}
        if zone is not None:
            options["timezone_id"] = zone
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems(page)
        sign_in(page, live_server.url, user.email)
        page.wait_for_url(f"{live_server.url}/app/**")
        return page, problems

    yield make
    for context in contexts:
        context.close()
