"""Pages calling services: one way to run a service and show why it refused.

`run_service(request, function, **kwargs)` calls `function(**kwargs)` and returns an
`Outcome`. A refusal is shown where the page shows errors:

- an `ApplicationError`: on the form when the page has one to show again (`form=`, a form or
  a formset; next to `error_field`, else above the form), otherwise as a flash message;
  `Outcome.status` is the error's own (400, 403, 409) for the page to answer with;
- a Django `ValidationError` raised by a service (a model's rules): alike, status 400, each
  message next to the field it names (`form.error_fields` maps the model's names to the
  form's; others go above the form);
- a `NotFoundError` is not caught: the object is gone or not the user's to see, and
  `ApplicationErrorMiddleware` answers with the 404 page. A view that knows which field of
  its form the missing object came from catches it itself.

On success, `success_message` (when given) is flashed. The views then redirect (success, or
a one-button action) or render their page again with `Outcome.status`. `submit(request,
form, function, ...)` is the usual way in: it runs the service only when the page posted a
valid form, with the user as `actor` and the form's data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError

from core.errors import ApplicationError, NotFoundError


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    error: ApplicationError | ValidationError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """What the page answers with when it renders again: 200, or the error's status."""
        if self.error is None:
            return 200
        return self.error.status if isinstance(self.error, ApplicationError) else 400


def add_validation_error(form, exc: ValidationError) -> None:
    """A service's ValidationError on a form: next to the fields it names, if the form has
    them (under `form.error_fields`' names), else above the form."""
    if isinstance(form, forms.BaseFormSet):
        form.non_form_errors().extend(exc.messages)
        return
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    renames = getattr(form, "error_fields", {})
    for name, errors in exc.error_dict.items():
        target = renames.get(name, name)
        form.add_error(target if target in form.fields else None, errors)


def _show(request, error, *, form, error_field: str | None, wording: Callable[[str], str]):
    if isinstance(error, ValidationError):
        if form is None:
            messages.error(request, wording(" ".join(error.messages)))
            return
        if isinstance(form, forms.BaseFormSet) or not hasattr(error, "error_dict"):
            error = ValidationError([wording(m) for m in error.messages])
        add_validation_error(form, error)
        return
    text = wording(error.message)
    if form is None:
        messages.error(request, text)
    elif isinstance(form, forms.BaseFormSet):
        form.non_form_errors().append(text)
    else:
        form.add_error(error_field, text)


def run_service(
    request,
    function: Callable,
    /,
    *,
    form=None,
    error_field: str | None = None,
    success_message: str = "",
    wording: Callable[[str], str] = str,
    reraise_codes: tuple[str, ...] = (),
    **kwargs,
) -> Outcome:
    """Call `function(**kwargs)` for a page; see the module's docstring. `wording` rewrites
    an error's message for the page (e.g. amounts the French way); errors whose code is in
    `reraise_codes` go up to the view, which shows them its own way (the possible
    duplicates of a person, listed for the adviser to choose)."""
    try:
        value = function(**kwargs)
    except NotFoundError:
        raise
    except ApplicationError as exc:
        if exc.code in reraise_codes:
            raise
        _show(request, exc, form=form, error_field=error_field, wording=wording)
        return Outcome(error=exc)
    except ValidationError as exc:
        _show(request, exc, form=form, error_field=error_field, wording=wording)
        return Outcome(error=exc)
    if success_message:
        messages.success(request, success_message)
    return Outcome(value=value)


def submit(request, form, function: Callable, /, **kwargs) -> Outcome | None:
    """A page's form sent to its service: None unless the request posted a valid form;
    otherwise `run_service` with the form, the user as `actor`, `kwargs` and the form's data
    (`form.service_fields()` when the service's arguments are not simply its cleaned data)."""
    if request.method != "POST" or not form.is_valid():
        return None
    fields = form.service_fields() if hasattr(form, "service_fields") else form.cleaned_data
    return run_service(request, function, form=form, actor=request.user, **kwargs, **fields)


def page_status(form=None, outcome: Outcome | None = None) -> int:
    """The status of a page that shows a form again: the service's refusal's (400, 403,
    409), else 400 while the form has errors, else 200."""
    if outcome is not None and not outcome.ok:
        return outcome.status
    return 400 if form is not None and form.errors else 200
