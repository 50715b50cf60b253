"""Browser journeys: Playwright (sync API) driving Debian's Chromium against `live_server`.

Playwright cannot download its own browser here, so we launch the system Chromium found by
`tests.services.chromium_or_unavailable()` (skips when missing, fails under REQUIRE_SERVICES=1).
Tests use `live_server`, which needs committed data: mark them
`@pytest.mark.django_db(transaction=True)`.
"""

import os
import re
from pathlib import Path

import pytest

from tests.e2e.page_checks import PageChecks
from tests.services import chromium_or_unavailable

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = E2E_DIR.parents[1] / "test-artifacts"
DEFAULT_TIMEOUT_MS = 10_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    """Without `collectstatic`, WhiteNoise warns that STATIC_ROOT is missing when the live
    server starts, and pyproject turns warnings into errors. Tests serve static files through
    the finders (WHITENOISE_USE_FINDERS), so the warning is harmless here."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so fixtures can tell a failed test at teardown."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    executable_path = chromium_or_unavailable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, request):
    """A page whose every document is watched (tests/e2e/page_checks.py): the test fails at
    teardown on any CSP violation or serious/critical accessibility problem it met."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    checks = PageChecks()
    checks.install(context, page)
    try:
        yield page
        checks.wait_for_axe(page)  # the page the test ended on is checked too
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            try:
                page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
            except Exception as exc:  # a screenshot must never hide the real failure
                print(f"Could not save a screenshot for {request.node.nodeid}: {exc}")
        context.close()
    problems = checks.problems()
    if problems:
        pytest.fail("The pages broke the CSP or WCAG 2.1 AA:\n- " + "\n- ".join(problems))
    assert checks.checked_pages, "axe checked no page: is the watch script still running?"


@pytest.fixture
def demo_data(transactional_db, settings):
    """The demo platform and its nine accounts (seed_demo is idempotent).

    A fast hasher keeps seeding the nine demo passwords (and signing in) from dominating the
    run; the live server runs in this process, so it reads the same settings.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
