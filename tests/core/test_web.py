"""core.web.run_service: one way for pages to call a service and show why it refused; submit:
the same for a page's form, only when it was posted valid."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from core.enums import ErrorCode
from core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from core.web import Outcome, page_status, run_service, submit


def invalid(message):
    return ApplicationError(message, code=ErrorCode.INVALID)


def conflict(message):
    return ConflictError(message, code=ErrorCode.INVALID_TRANSITION)


class NameForm(forms.Form):
    name = forms.CharField()
    day = forms.DateField(required=False)
    error_fields = {"starts_on": "day"}  # the model says starts_on, the form day


LineFormSet = forms.formset_factory(NameForm, extra=1)


@pytest.fixture
def request_():
    request = RequestFactory().post("/")
    request.session = SessionBase()
    request._messages = FallbackStorage(request)
    return request


def flashed(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def raising(exc):
    def service(**kwargs):
        raise exc

    return service


def bound_form() -> NameForm:
    form = NameForm({"name": "Léa"})
    assert form.is_valid()
    return form


def test_success_returns_the_value_and_says_so(request_):
    outcome = run_service(request_, lambda *, a, b: a + b, a=1, b=2, success_message="C'est fait.")

    assert outcome == Outcome(value=3)
    assert outcome.ok and outcome.status == 200
    assert flashed(request_) == [("success", "C'est fait.")]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ApplicationError("Non.", code=ErrorCode.INVALID), 400),
        (PermissionDeniedError("Pas vous."), 403),
        (ConflictError("Déjà fait.", code=ErrorCode.INVALID_TRANSITION), 409),
    ],
)
def test_without_a_form_the_refusal_is_a_message_with_the_errors_status(request_, error, status):
    outcome = run_service(request_, raising(error), success_message="Jamais dit.")

    assert not outcome.ok and outcome.error is error
    assert outcome.status == status
    assert flashed(request_) == [("error", error.message)]


def test_with_a_form_the_refusal_is_on_the_form(request_):
    form = bound_form()

    outcome = run_service(request_, raising(conflict("Déjà pris.")), form=form)

    assert outcome.status == 409
    assert form.non_field_errors() == ["Déjà pris."]
    assert flashed(request_) == []


def test_the_view_may_name_the_field_the_refusal_is_about(request_):
    form = bound_form()

    run_service(request_, raising(invalid("Ce nom est pris.")), form=form,
                error_field="name")  # fmt: skip

    assert form.errors == {"name": ["Ce nom est pris."]}


def test_a_model_validation_error_goes_next_to_its_fields(request_):
    form = bound_form()
    error = ValidationError({"starts_on": ["Trop tôt."], "platform": ["Inconnue."]})

    outcome = run_service(request_, raising(error), form=form)

    assert outcome.status == 400
    assert form.errors["day"] == ["Trop tôt."]  # renamed by error_fields
    assert form.non_field_errors() == ["Inconnue."]  # not a field of this form


def test_a_model_validation_error_without_a_form_is_a_message(request_):
    run_service(request_, raising(ValidationError(["Un.", "Deux."])))

    assert flashed(request_) == [("error", "Un. Deux.")]


def test_a_formset_gets_the_refusal_above_its_forms_in_the_pages_words(request_):
    formset = LineFormSet({"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0",
                           "form-0-name": "x"})  # fmt: skip
    assert formset.is_valid()

    run_service(request_, raising(conflict("Total 12.50")), form=formset,
                wording=lambda text: text.replace(".", ","))  # fmt: skip
    run_service(request_, raising(ValidationError({"lines": ["Écart 1.00"]})), form=formset,
                wording=lambda text: text.replace(".", ","))  # fmt: skip

    assert list(formset.non_form_errors()) == ["Total 12,50", "Écart 1,00"]


def test_not_found_goes_up_to_the_404_page(request_):
    with pytest.raises(NotFoundError):
        run_service(request_, raising(NotFoundError("Introuvable.")), form=bound_form())


def test_codes_the_view_shows_its_own_way_go_up(request_):
    error = ConflictError("Doublon ?", code=ErrorCode.DUPLICATE_BENEFICIARY)
    form = bound_form()

    with pytest.raises(ConflictError):
        run_service(request_, raising(error), form=form, reraise_codes=("duplicate_beneficiary",))
    assert not form.errors


def test_other_exceptions_are_not_hidden(request_):
    with pytest.raises(ZeroDivisionError):
        run_service(request_, lambda: 1 / 0)


def test_page_status():
    form = NameForm({})
    assert not form.is_valid()

    assert page_status() == 200
    assert page_status(bound_form()) == 200
    assert page_status(form) == 400
    assert page_status(form, Outcome(error=conflict("x"))) == 409
    assert page_status(form, Outcome(value=1)) == 400


# --- submit: a page's form sent to its service ------------------------------------------------


def recording(calls: list):
    def service(**kwargs):
        calls.append(kwargs)
        return "done"

    return service


def test_submit_runs_nothing_for_a_get(request_):
    request_.method = "GET"
    calls = []

    assert submit(request_, NameForm({"name": "Léa"}), recording(calls)) is None
    assert calls == []


def test_submit_runs_nothing_for_an_invalid_form(request_):
    calls = []
    form = NameForm({"name": ""})

    assert submit(request_, form, recording(calls)) is None
    assert calls == [] and form.errors["name"]


def test_submit_sends_the_user_the_arguments_and_the_cleaned_data(request_):
    request_.user = "adviser"
    calls = []

    outcome = submit(request_, NameForm({"name": "Léa"}), recording(calls), partner_id=7)

    assert outcome == Outcome(value="done")
    assert calls == [{"actor": "adviser", "partner_id": 7, "name": "Léa", "day": None}]


def test_submit_takes_the_service_fields_of_a_form_that_has_them(request_):
    class RenamingForm(NameForm):
        def service_fields(self):
            return {"title": self.cleaned_data["name"].upper()}

    request_.user = "adviser"
    calls = []

    submit(request_, RenamingForm({"name": "Léa"}), recording(calls))

    assert calls == [{"actor": "adviser", "title": "LÉA"}]
