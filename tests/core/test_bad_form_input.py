"""No input is a 500 (issue 18), in the pages: every page an adviser or a finance officer
opens gets bad query strings, and each of its forms a NUL and out-of-range values; the
forms of the main writes get a submission that works (checked, then rolled back) with one
field at a time replaced by a bad value. A refusal is a form error or the French 400 page.
"""

from html.parser import HTMLParser

import pytest
from rest_framework.views import APIView

from tests.core.bad_input import (
    BAD_QUERY,
    bad_values,
    broken,
    outcome,
    resolved_url,
    rolled_back,
    send,
    url_patterns,
)

pytestmark = pytest.mark.django_db

NOT_POSTED = ("/comptes/logout/", "/i18n/setlang/")
REFUSAL_MARKS = ("field-error", "form-errors", "message-error")


def page_patterns():
    for route, pattern in url_patterns():
        view = getattr(pattern.callback, "cls", None)
        if route.startswith(("admin/", "api/")) or (
            isinstance(view, type) and issubclass(view, APIView)
        ):
            continue
        if pattern.name and "^" not in route:  # allauth's regular expressions take keys
            yield route, pattern


class Forms(HTMLParser):
    """The forms of a page: method, action and fields with the values they would send."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._chosen = [], None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = attrs.get("method", "get").lower()
            self._form = {"method": method, "action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea") and "name" in attrs:
            checkable = attrs.get("type") in ("checkbox", "radio")
            if not checkable or "checked" in attrs:
                self._form["fields"][attrs["name"]] = attrs.get("value") or ""
            else:
                self._form["fields"].setdefault(attrs["name"], "")
        elif tag == "select" and "name" in attrs:
            self._select, self._chosen = attrs["name"], False
            self._form["fields"][self._select] = ""
        elif tag == "option" and self._select and ("selected" in attrs or not self._chosen):
            self._form["fields"][self._select] = attrs.get("value", "")  # selected, or first
            self._chosen = True

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def forms_of(response) -> list[dict]:
    parser = Forms()
    parser.feed(response.content.decode())
    return [form for form in parser.forms if form["action"] not in NOT_POSTED]


def submit(client, url, form, data):
    """Send a form as a browser would (rolled back when it is a POST)."""
    action = form["action"] or url
    if form["method"] == "get":
        return send(client, "get", action, data)

    def post():
        try:
            return client.post(action, data)
        except Exception as exc:  # noqa: BLE001 - the failure is the finding
            return exc

    return rolled_back(post)


def refused_in_french(response) -> bool:
    """A form error, or the French 400 page (not a redirect to a success)."""
    html = response.content.decode()
    return (
        response.status_code in (200, 400)
        and 'lang="fr"' in html
        and any(mark in html for mark in REFUSAL_MARKS)
    )


@pytest.mark.parametrize("role", ["adviser", "finance_officer"])
def test_pages_and_their_forms_never_break(client, world, request, role):
    user = request.getfixturevalue(role)
    failures, forms_sent = [], 0
    queries = [{name: values[0] for name, values in BAD_QUERY.items()},
               {"page": "99999999999999999999"}, {"q": "a\x00b"}]  # fmt: skip
    for route, pattern in page_patterns():
        client.force_login(user)  # a form may have signed the user out
        url = resolved_url(route, pattern, world)
        page = send(client, "get", url)
        for query in queries:
            got = send(client, "get", url, query)
            if broken(got) or ("a\x00b" in query.values() and not refused_in_french(got)):
                failures.append(("GET", url, query, outcome(got)))
        if broken(page) or page.status_code != 200 or "text/html" not in page["Content-Type"]:
            continue
        for form in forms_of(page):
            fields = [name for name in form["fields"] if name != "csrfmiddlewaretoken"]
            if not fields:
                continue
            forms_sent += 1
            got = submit(client, url, form, {**form["fields"], fields[0]: "a\x00b"})
            if broken(got) or got.status_code != 400 or not refused_in_french(got):
                failures.append((form["action"] or url, fields[0], "NUL", outcome(got)))
            for bad in ("99999999999999999999", "9999-12-31", "1e400", "x" * 5000):
                got = submit(client, url, form, {**form["fields"], **dict.fromkeys(fields, bad)})
                if broken(got):
                    failures.append((form["action"] or url, "all fields", bad[:20], outcome(got)))
    assert not failures, "\n".join(map(str, failures))
    assert forms_sent >= 5


# (role, page, form action, values that make it succeed); "{name}" is the world's id.
FORM_BASELINES = {
    "beneficiary": ("adviser", "/personnes/nouvelle/", "",
        {"first_name": "Zoé", "last_name": "Durand", "birth_date": "1988-03-04",
         "phone": "06 01 02 03 04", "postcode": "03000",
         "professional_project": "Aide-soignante"}),
    "diagnosis": ("adviser", "/personnes/{beneficiary_id}/diagnostic/", "",
        {"summary": "Pas de permis", "decision": "reinforced", "freins-0-category": "financial",
         "freins-0-code": "Budget"}),
    "follow-up": ("adviser", "/personnes/{beneficiary_id}/",
        "/personnes/{beneficiary_id}/suivis/#suivi", {"notes": "Point d'étape"}),
    "outcome": ("adviser", "/personnes/{beneficiary_id}/",
        "/personnes/{beneficiary_id}/sortie/#sortie", {}),
    "booking": ("adviser",
        "/reservations/nouvelle/?service={service_id}&beneficiary={beneficiary_id}",
        "/reservations/nouvelle/?service={service_id}",
        {"slots": "{slot}", "note": "Carte grise", "action": "confirm"}),
    "loan": ("finance_officer", "/financements/prets/nouveau/", "",
        {"beneficiary": "{beneficiary_id}", "lender": "{lender}", "principal": "3000",
         "annual_rate": "3", "term_months": "36", "first_due_on": "2027-01-05"}),
    "repayment": ("finance_officer", "/financements/prets/{loan_id}/",
        "/financements/prets/{loan_id}/remboursement/", {"amount": "10,00", "method": "cash"}),
    "programme": ("finance_officer", "/financements/enveloppes/nouvelle/", "",
        {"name": "Aide au permis", "funder": "{funder}", "budget": "1000",
         "per_beneficiary_cap": "300", "eligible_categories": "garage",
         "eligible_situations": "rsa"}),
    "plan": ("finance_officer", "/financements/reservations/{booking_id}/", "",
        {"lignes-TOTAL_FORMS": "2", "lignes-0-kind": "grant", "lignes-0-amount": "10",
         "lignes-0-programme": "{programme}", "lignes-0-loan": "",
         "lignes-1-kind": "beneficiary", "lignes-1-amount": "25", "lignes-1-programme": "",
         "lignes-1-loan": ""}),
}  # fmt: skip
# Out-of-range values these forms must refuse with a French error.
MUST_REFUSE = {
    "beneficiary": [("birth_date", "0000-01-01"), ("birth_date", "99999-01-01")],
    "diagnosis": [("held_on", "0000-01-01"), ("duration_minutes", "99999999999999999999")],
    "booking": [("quantity", "99999999999999999999"), ("slots", "99999999999999999999")],
    "loan": [("principal", "1" + "0" * 39), ("term_months", "99999999999999999999"),
             ("first_due_on", "9999-12-31"), ("annual_rate", "NaN")],
    "repayment": [("amount", "1e400"), ("amount", "-Infinity"), ("value_date", "99999-01-01")],
    "programme": [("budget", "1" + "0" * 39), ("per_beneficiary_cap", "NaN")],
    "plan": [("lignes-0-amount", "1e400"), ("lignes-0-programme", "99999999999999999999")],
}  # fmt: skip


@pytest.mark.parametrize("which", sorted(FORM_BASELINES))
def test_one_bad_form_field_at_a_time_is_a_french_refusal(client, world, request, which):
    role, page_url, action, overrides = FORM_BASELINES[which]
    client.force_login(request.getfixturevalue(role))
    page_url, action = page_url.format(**world), action.format(**world)
    form = next(f for f in forms_of(client.get(page_url)) if f["action"] == action)
    good = {**form["fields"], **{k: v.format(**world) for k, v in overrides.items()}}
    control = submit(client, page_url, form, good)
    assert not broken(control) and control.status_code == 302, control  # it succeeds as it is
    failures = []
    for field, value in good.items():
        if field == "csrfmiddlewaretoken" or field.endswith("_FORMS"):
            continue
        refused, tolerated = bad_values(value)
        # A page may ignore a field (one platform, a blank extra line) or read another
        # format ("31/12/2026"): here only a NUL must be refused whatever the field.
        for bad in [v for v in [*refused, *tolerated] if isinstance(v, str)]:
            got = submit(client, page_url, form, {**good, field: bad})
            if broken(got) or ("\x00" in bad and not refused_in_french(got)):
                failures.append((field, repr(bad)[:30], outcome(got)))
    for field, bad in MUST_REFUSE.get(which, []):
        got = submit(client, page_url, form, {**good, field: bad})
        if broken(got) or not refused_in_french(got):
            failures.append((field, repr(bad)[:30], "not refused", outcome(got)))
    assert not failures, f"{action or page_url}\n" + "\n".join(map(str, failures))
