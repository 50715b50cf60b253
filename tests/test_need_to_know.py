"""Need-to-know (DESIGN §10): the table of `accounts.need_to_know`, checked over every URL of
the project.

Every URL pattern is found through Django's resolver. Each view declares what it shows
(`@need_to_know`, `need_to_know = Need(...)`, `@signed_link`) — a view that declares nothing
fails here, unless it is in the short list below. Then each role (and a signed-out visitor)
opens every page and endpoint of a small world (`tests.need_to_know_world`) and gets what
the table says: the page (200, a redirect elsewhere than the sign-in page, or 405 for a
POST-only view the role may use), or 403/404."""

from pathlib import Path

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.views import APIView

from accounts.enums import Role
from accounts.need_to_know import (
    BENEFICIARY,
    SIGNED_IN,
    NeedToKnowPermission,
    markdown_table,
    need_of,
    viewer_may,
)
from tests.need_to_know_world import build_world, link_kwargs, url_kwargs

pytestmark = pytest.mark.django_db

# URLs that declare nothing, on purpose. Keep this short and say why.
UNDECLARED_NAMES = {
    "healthz": "health check: says whether the database and Redis answer, nothing else",
    "api-token": "sign-in: exchanges an e-mail and password for a token",
    "invitation_accept": "sign-up from a signed, single-use invitation",
    "api-schema": "the API's description (OpenAPI), no data",
    "api-docs": "the API's documentation page, no data",
    "set_language": "switches the interface language",
    "api-open-structures": "open data (data·inclusion): the public catalogue, never a person",
    "api-open-services": "open data (data·inclusion): the public catalogue, never a person",
    # Issue 16's front door: a public form that writes a request and shows nothing back.
    "self_referral": "public « Être rappelé·e » form: a person leaves their own details",
    "self_referral_platform": "the same form, for the platform named in the address",
    "self_referral_thanks": "the same thank-you words for everyone, no data",
    # ProConnect (accounts.proconnect): allauth's pages, answered with ProConnect's adapter.
    "proconnect_sign_in_page": "allauth's sign-in page, its CSP opened to ProConnect",
    "proconnect_login": "sign-in: sends the browser to ProConnect",
    "proconnect_callback": "sign-in: ProConnect's answer (code, state)",
    "proconnect_logout": "sign-out: on to ProConnect to end its session too",
    # The SMS provider's callbacks (core.views_sms): a shared secret, no account, no data out.
    "sms_status_callback": "the SMS provider's delivery reports",
    "sms_inbound_callback": "the SMS provider's replies (STOP)",
    "stripe_webhook": "Stripe's calls: the Stripe-Signature header is their authentication",
}
UNDECLARED_NAMESPACES = {"admin": "Django's admin: is_staff users, its own permissions"}
UNDECLARED_MODULES = {"allauth.": "sign-in, sign-out, password, e-mail and 2FA pages"}
UNDECLARED_ROUTES = {"comptes/social/": "allauth's old social URLs, redirects to its pages"}

VIEWERS = [*Role.values, BENEFICIARY]
# Query strings some endpoints need to answer at all (filters they require).
QUERY = {"api-service-slots": "?from=2026-03-01&to=2026-03-07"}


def url_patterns(patterns=None, prefix="", namespace=None):
    """(route, name, namespace, callback) of every URL of the project."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name, namespace, pattern.callback


def _allow_listed(name, namespace, callback, route="") -> bool:
    module = getattr(callback, "__module__", "")
    return (
        any(route.startswith(prefix) for prefix in UNDECLARED_ROUTES)
        or name in UNDECLARED_NAMES
        or namespace in UNDECLARED_NAMESPACES
        or any(module.startswith(prefix) for prefix in UNDECLARED_MODULES)
    )


def declared():
    """(name, need, route) of every URL that must declare what it shows."""
    for route, name, namespace, callback in url_patterns():
        if not _allow_listed(name, namespace, callback, route):
            yield name, need_of(callback), route, callback


def _path(name: str, route: str, kwargs: dict) -> str:
    wanted = {}
    for key, value in kwargs.items():
        if f"<int:{key}>" in route or f"<slug:{key}>" in route or f"<str:{key}>" in route:
            wanted[key] = value
    return reverse(name, kwargs=wanted) + QUERY.get(name, "")


def expected_open(need, viewer: str) -> bool:
    """What the table says for a user holding this one role (they are also `signed_in`)."""
    holds = [v for v in (viewer, SIGNED_IN) if need.audience is None or v in need.audience]
    return all(any(viewer_may(v, kind, mode) for v in holds) for kind, mode in need.checks("GET"))


def outcome(response) -> str:
    login = resolve_url(settings.LOGIN_URL)
    if response.status_code in (200, 405):
        return "open"
    if response.status_code == 302:
        return "login" if response["Location"].startswith(login) else "open"
    if response.status_code in (401, 403, 404):
        return "refused"
    return f"unexpected {response.status_code}"


# --- Every view says what it shows ----------------------------------------------------------


def test_every_url_declares_what_it_shows():
    missing = [f"{name} ({route})" for name, need, route, _cb in declared() if need is None]
    assert not missing, "declare what this view shows (accounts.need_to_know): " + ", ".join(
        missing
    )


def test_api_views_let_the_table_decide():
    """An API view that swaps the default permission class would skip its declaration."""
    overridden = []
    for name, _need, _route, callback in declared():
        view_class = getattr(callback, "view_class", None)
        if view_class is not None and issubclass(view_class, APIView):
            permissions = view_class().get_permissions()
            if not any(isinstance(p, NeedToKnowPermission) for p in permissions):
                overridden.append(name)
    assert not overridden


def test_the_list_of_undeclared_urls_names_only_urls_that_exist():
    names = {name for _route, name, _ns, _cb in url_patterns()}
    assert set(UNDECLARED_NAMES) <= names


# --- The table, over the API and the pages --------------------------------------------------


@pytest.mark.parametrize("viewer", [*VIEWERS, "anonymous"])
def test_each_role_opens_exactly_what_the_table_says(client, viewer):
    world = build_world()
    kwargs = url_kwargs(world)
    if viewer != "anonymous":
        client.force_login(world.users[viewer])
    wrong = []
    for name, need, route, _callback in declared():
        if need is None or need.link_for is not None:
            continue
        response = client.get(_path(name, route, kwargs))
        got = outcome(response)
        if viewer == "anonymous":
            want = "refused" if route.startswith("api/") else "login"
        else:
            want = "open" if expected_open(need, viewer) else "refused"
        if got != want:
            wrong.append(f"{name}: {response.status_code}, the table says {want}")
    assert not wrong, f"{viewer}:\n" + "\n".join(wrong)


def test_signed_links_are_sent_to_viewers_the_table_lets_see_them():
    for name, need, _route, _callback in declared():
        if need is not None and need.link_for is not None:
            for viewer in need.link_for:
                assert need.allows_viewer(viewer), (name, viewer)


def test_signed_links_open_with_their_token_and_nothing_else(client):
    world = build_world()
    links = link_kwargs(world)
    signed = [(name, route) for name, need, route, _cb in declared() if need and need.link_for]
    assert {name for name, _route in signed} == set(links)
    for name, _route in signed:
        assert client.get(reverse(name, kwargs=links[name])).status_code == 200, name
        forged = {**links[name], "token": links[name]["token"][:-4] + "AAAA"}
        assert client.get(reverse(name, kwargs=forged)).status_code == 404, name


# --- The documentation prints the table -----------------------------------------------------


def test_architecture_doc_prints_the_table_of_the_code():
    doc = (Path(settings.BASE_DIR) / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert markdown_table() in doc, "run `python manage.py need_to_know_table` into the doc"


# --- The finance officer and the social record ----------------------------------------------


def _social_record(person) -> dict:
    person.refresh_from_db()
    return {
        "person": (person.first_name, person.phone, person.situation, person.status),
        "diagnoses": person.diagnoses.count(),
        "barriers": list(person.barriers.values_list("lifted_at", flat=True)),
        "follow_ups": person.follow_ups.count(),
        "actions": person.action_items.count(),
        "consents": list(person.consents.values_list("withdrawn_at", flat=True)),
        "checks": person.eligibility_checks.count(),
        "outcome": hasattr(person, "outcome"),
    }


def test_a_finance_officer_changes_nothing_of_the_social_record(client, api_client):
    world = build_world()
    person, finance = world.person, world.users[Role.FINANCE_OFFICER]
    before = _social_record(person)
    today = "2026-01-15"
    client.force_login(finance)
    pages = {
        "beneficiary_edit": {"first_name": "Zoé", "last_name": "Martin", "situation": "other"},
        "diagnosis_new": {"held_on": today, "duration_minutes": 60, "summary": "x",
                          "decision": "light_advice", "freins-TOTAL_FORMS": 0,
                          "freins-INITIAL_FORMS": 0},
        "record_follow_up": {"held_on": today, "channel": "phone", "notes": "x"},
        "record_eligibility": {},
        "record_action_add": {"action": "x"},
        "record_outcome": {"code": "durable_employment", "exited_on": today},
        "record_consent_give": {"purpose": "share_with_prescriber"},
    }  # fmt: skip
    for name, data in pages.items():
        response = client.post(reverse(name, args=[person.pk]), data)
        assert response.status_code == 403, name
    for name, kwargs in (
        ("record_barrier_lift", {"barrier_id": world.barrier.pk}),
        ("record_action_done", {"item_id": world.item.pk}),
        ("record_consent_withdraw", {"consent_id": world.consent.pk}),
    ):
        url = reverse(name, kwargs={"beneficiary_id": person.pk, **kwargs})
        assert client.post(url).status_code == 403, name
    api_client.force_authenticate(finance)
    base = f"/api/v1/beneficiaries/{person.pk}/"
    assert api_client.patch(base, {"first_name": "Zoé"}, format="json").status_code == 403
    for suffix, body in (
        ("diagnoses/", {"held_on": today, "duration_minutes": 60, "summary": "x",
                        "decision": "light_advice"}),
        ("follow-ups/", {"held_on": today, "channel": "phone"}),
        ("consents/", {"purpose": "share_with_prescriber"}),
        ("outcome/", {"code": "durable_employment", "exited_on": today}),
        ("eligibility-checks/", {}),
    ):  # fmt: skip
        assert api_client.post(base + suffix, body, format="json").status_code == 403, suffix
        if suffix in ("diagnoses/", "follow-ups/", "consents/"):
            assert api_client.get(base + suffix).status_code == 403, suffix
    assert api_client.get(base + "export/").status_code == 403
    withdraw = f"/api/v1/consents/{world.consent.pk}/withdraw/"
    assert api_client.post(withdraw).status_code == 403
    assert _social_record(person) == before


def test_the_services_refuse_a_finance_officer_too():
    from beneficiaries import journey
    from core.errors import PermissionDeniedError

    world = build_world()
    with pytest.raises(PermissionDeniedError):
        journey.follow_up_record(
            actor=world.users[Role.FINANCE_OFFICER], beneficiary_id=world.person.pk,
            held_on=timezone.localdate(), channel="phone", notes="x",
        )  # fmt: skip
    assert world.person.follow_ups.count() == 1


def test_a_finance_officer_reads_identity_and_contact_only(client, api_client):
    from tests.need_to_know_world import DIAGNOSIS_SUMMARY, FOLLOW_UP_NOTES

    world = build_world()
    person, finance = world.person, world.users[Role.FINANCE_OFFICER]
    api_client.force_authenticate(finance)
    data = api_client.get(f"/api/v1/beneficiaries/{person.pk}/").json()
    assert (data["first_name"], data["last_name"], data["phone"]) == ("Léa", "Martin",
                                                                     "+33600000001")  # fmt: skip
    hidden = {"situation", "status", "income_notes", "household", "professional_project",
              "nationality_group", "french_level"}  # fmt: skip
    assert not hidden & data.keys()
    listed = api_client.get("/api/v1/beneficiaries/").json()["results"]
    assert [row["first_name"] for row in listed] == ["Léa"]
    assert not hidden & listed[0].keys()
    assert api_client.get("/api/v1/beneficiaries/?status=reinforced").json()["count"] == 0
    # The adviser still sees everything.
    api_client.force_authenticate(world.users[Role.ADVISER])
    assert api_client.get(f"/api/v1/beneficiaries/{person.pk}/").json()["situation"] == "rsa"

    client.force_login(finance)
    page = client.get(reverse("beneficiary_detail", args=[person.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Martin" in html and "06 00 00 00 01" in html
    for private in (DIAGNOSIS_SUMMARY, FOLLOW_UP_NOTES, "peur-nuit", "RSA",
                    "Accompagnement renforcé", 'id="diagnostic"', 'id="suivi"'):  # fmt: skip
        assert private not in html, private
    for link in ("diagnosis_new", "beneficiary_edit", "beneficiary_export", "beneficiary_timeline"):
        assert reverse(link, args=[person.pk]) not in html, link
    people = client.get(reverse("beneficiary_list")).content.decode()
    assert "MARTIN Léa" in people and "Accompagnement renforcé" not in people


def test_the_voucher_the_partner_downloads_names_no_programme_or_benefit(client):
    from tests.bookings.test_documents import pdf_text
    from tests.need_to_know_world import PROGRAMME_NAME

    world = build_world()
    client.force_login(world.users[Role.PARTNER_MANAGER])
    response = client.get(reverse("booking_voucher", args=[world.booking.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Pris en charge 28,00 €" in text
    assert "Reste à payer par la personne 7,00 €" in text
    for leak in (PROGRAMME_NAME, "RSA", "Département", "Aide :"):
        assert leak not in text, leak


def test_what_partners_are_told_names_no_programme_benefit_or_diagnosis(
    django_capture_on_commit_callbacks,
):
    from bookings.services import booking_cancel
    from core.models import Notification
    from tests.need_to_know_world import DIAGNOSIS_SUMMARY, PROGRAMME_NAME

    with django_capture_on_commit_callbacks(execute=True):
        world = build_world()  # the booking is requested: the partner is told
        booking_cancel(actor=world.users[Role.ADVISER], booking_id=world.booking.pk,
                       reason="La personne a trouvé une solution")  # fmt: skip
    partners = [world.users[Role.PARTNER_MANAGER], world.users[Role.PARTNER_STAFF]]
    told = Notification.objects.filter(user__in=partners)
    assert {n.template for n in told} == {
        "bookings/requested", "bookings/cancelled", "settlements/statement_issued"
    }  # fmt: skip
    for message in told:
        words = f"{message.subject}\n{message.body}"
        assert "Léa Martin" in words or message.template in (
            "bookings/cancelled",
            "settlements/statement_issued",  # statements name nobody
        )
        for leak in (PROGRAMME_NAME, "RSA", "28,00", DIAGNOSIS_SUMMARY, "renforcé"):
            assert leak not in words, (message.template, leak)
