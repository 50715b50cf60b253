"""Content-Security-Policy and Permissions-Policy on every response, and pages that need
nothing the policy refuses."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from core.csp import csp_update
from tests.test_settings import run

ROOT = Path(__file__).resolve().parents[2]
POLICY_HEADER = "Content-Security-Policy"
REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"
EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def permissions(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.split(","))


@pytest.mark.django_db
def test_a_page_carries_the_policy_with_no_inline_script(client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert directives(response[POLICY_HEADER]) == EXPECTED
    assert REPORT_ONLY_HEADER not in response


@pytest.mark.django_db
def test_an_api_response_carries_the_same_policy(api_client, adviser):
    api_client.force_authenticate(adviser)
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 200
    assert directives(response[POLICY_HEADER]) == EXPECTED
    refused = api_client.__class__().get("/api/v1/me/")
    assert refused.status_code in (401, 403)
    assert directives(refused[POLICY_HEADER]) == EXPECTED


@pytest.mark.django_db
def test_only_the_api_docs_allow_inline_styles_and_their_script_is_a_file(client):
    response = client.get(reverse("api-docs"))

    policy = directives(response[POLICY_HEADER])
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
    html = response.content.decode()
    assert "<script>" not in html  # the set-up script is loaded from a URL
    script_url = re.search(r'<script src="([^"]*\?[^"]*script=[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content


@pytest.mark.django_db
def test_every_response_carries_a_permissions_policy(client, api_client):
    for response in (client.get(reverse("account_login")), api_client.get("/api/v1/me/")):
        policy = permissions(response["Permissions-Policy"])
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert policy[feature] == "()", feature


def test_the_policy_is_report_only_when_asked_by_the_environment():
    probe = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "print(hasattr(settings, 'CONTENT_SECURITY_POLICY'),"
        " settings.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES']['script-src'],"
        " settings.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES']['report-uri'])"
    )
    result = run(
        {"DEBUG": "1", "CSP_REPORT_ONLY": "1", "CSP_REPORT_URI": "https://csp.example.org/r"},
        "-c",
        probe,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "[\"'self'\"]", "['https://csp.example.org/r']"]


@pytest.mark.django_db
def test_report_only_sends_the_same_policy_under_the_other_header(client, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    del settings.CONTENT_SECURITY_POLICY

    response = client.get(reverse("account_login"))

    assert POLICY_HEADER not in response
    assert directives(response[REPORT_ONLY_HEADER]) == EXPECTED


@pytest.mark.parametrize("report_only", [False, True])
def test_csp_update_adds_sources_to_one_view_whichever_header_is_sent(settings, report_only):
    from csp.middleware import CSPMiddleware

    policy = django_settings.CONTENT_SECURITY_POLICY
    if report_only:
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = policy
        del settings.CONTENT_SECURITY_POLICY
    header = REPORT_ONLY_HEADER if report_only else POLICY_HEADER
    stripe = "https://js.stripe.com"

    @csp_update({"script-src": [stripe], "frame-src": [stripe]})
    def pay(request):
        return HttpResponse("paiement")

    def plain(request):
        return HttpResponse("autre page")

    request = RequestFactory().get("/")
    paid = directives(CSPMiddleware(pay)(request)[header])
    other = directives(CSPMiddleware(plain)(request)[header])
    assert paid["script-src"] == ["'self'", stripe]
    assert paid["frame-src"] == [stripe]
    assert other["script-src"] == ["'self'"] and "frame-src" not in other


def test_the_system_checks_accept_the_csp_settings():
    call_command("check", "--fail-level", "WARNING", tags=["security"])


INLINE_CODE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"),
    "<style> block": re.compile(r"<style\b"),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "hx-on (evaluated)": re.compile(r"\shx-on"),
    "HTMX filter or js: value (evaluated)": re.compile(r"hx-trigger=\"[^\"]*\[|js:"),
}


def test_no_template_needs_inline_code_or_eval():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for what, pattern in INLINE_CODE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []
