"""The watch every journey runs under (page_checks.py) sees what it is meant to see."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.page_checks import PageChecks

pytestmark = [pytest.mark.e2e]

SITE = "http://checks.test"
POLICY = "default-src 'self'; script-src 'self'; style-src 'self'"
BROKEN = """<!DOCTYPE html><html><head><title>Page cassée</title></head><body><main>
<h1>Page cassée</h1><p style="color: red">Texte</p><img src="/logo.png">
<script>document.title = "modifié";</script><a href="/suite">Suite</a></main></body></html>"""
CLEAN = """<!DOCTYPE html><html lang="fr"><head><title>Page propre</title>
<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>
<script src="/htmx.min.js"></script></head><body><main>
<h1>Page propre</h1><button hx-get="/fragment" hx-target="#out">Charger</button>
<div id="out"></div></main></body></html>"""
FRAGMENT = '<p>Chargé</p><img src="/logo.png">'
HTMX = Path(__file__).resolve().parents[2] / "static" / "vendor" / "htmx.org-2.0.11" / "htmx.min.js"


@pytest.fixture
def watched(browser):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    pages = {"/": BROKEN, "/suite": CLEAN, "/fragment": FRAGMENT}

    def serve(route):
        path = route.request.url.removeprefix(SITE)
        if path == "/htmx.min.js":
            route.fulfill(path=HTMX, content_type="text/javascript")
        elif path in pages:
            headers = {"Content-Security-Policy": POLICY}
            route.fulfill(body=pages[path], content_type="text/html", headers=headers)
        else:
            route.fulfill(status=404, body="")

    page.route(f"{SITE}/**", serve)
    checks = PageChecks()
    checks.install(context, page)  # its hold runs first, then falls back to `serve`
    try:
        yield page, checks
    finally:
        context.close()


def test_violations_and_accessibility_problems_are_caught_on_each_page(watched):
    page, checks = watched
    page.goto(f"{SITE}/")
    page.get_by_role("link", name="Suite").click()  # held until the first page is checked
    page.wait_for_url(f"{SITE}/suite")
    checks.wait_for_axe(page)

    assert checks.checked_pages == [f"{SITE}/", f"{SITE}/suite"]
    problems = "\n".join(checks.problems())
    assert f"enforce violation of script-src-elem on {SITE}/: blocked 'inline'" in problems
    assert f"enforce violation of style-src-attr on {SITE}/: blocked 'inline'" in problems
    assert "Content Security Policy directive" in problems  # the console error too
    assert f"critical image-alt on {SITE}/" in problems
    assert f"serious html-has-lang on {SITE}/" in problems
    assert f"on {SITE}/suite" not in problems


def test_a_page_changed_by_htmx_is_checked_again(watched):
    page, checks = watched
    page.goto(f"{SITE}/suite")
    checks.wait_for_axe(page)
    assert checks.problems() == []

    page.get_by_role("button", name="Charger").click()
    expect(page.locator("#out")).to_have_text("Chargé")
    checks.wait_for_axe(page)

    assert checks.checked_pages == [f"{SITE}/suite", f"{SITE}/suite"]
    assert [p.split(": ")[0] for p in checks.problems()] == [f"critical image-alt on {SITE}/suite"]


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_run_under_their_own_policy(browser, live_server):
    """Swagger UI needs inline styles, allowed on that view only; its accessibility is the
    vendor's, so only the policy is checked here."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    checks = PageChecks()
    checks.install(context, page)
    try:
        page.goto(f"{live_server.url}/api/docs/")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Solimob API")
        page.locator(".opblock-summary").first.click()  # an operation opens, with its models
        expect(page.locator(".opblock-body").first).to_be_visible()
        checks.wait_for_axe(page)
    finally:
        context.close()
    assert checks.policy == []
