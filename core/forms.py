"""How a form is laid out on its page, declared next to its fields.

A form declares `layout`; `templates/core/form_fields.html` renders any form the same way:
the summary of its errors, its hidden fields, then its layout — titled sections (`Section`)
holding rows, a row being one field name or a tuple of names shown side by side. A form with
no layout shows its visible fields one under the other. `templates/core/_field.html` is the
one template of a field (label, input, help, errors), used by every form page.

It also holds the fields every app's forms declare alike: dates and times in the browser's
own pickers (a French message when a required one is left empty, a date that may not be in
the future), and an optional set of checkboxes."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


@dataclass(frozen=True)
class Section:
    """A titled part of a form page: `<section aria-labelledby="<slug>-title">` with an `<h2>`.

    `template` names a template that renders the section's body instead of rows (a formset
    that belongs to the page, not to the form); it sees the page's context."""

    slug: str
    title: str
    rows: tuple = ()
    help: str = ""
    template: str = ""


def section(slug: str, title, *rows, help="", template: str = "") -> Section:
    return Section(slug, title, rows, help, template)


def form_sections(form) -> list[dict]:
    """The form's `layout` with its bound visible fields: each Section with its rows (lists of
    fields); rows written outside a Section make an untitled one. Fields the layout does not
    name come last, so that a field added to a form is never left off its page."""
    parts: list[Section] = []
    for part in getattr(form, "layout", ()):
        if isinstance(part, Section):
            parts.append(part)
        elif parts and not (parts[-1].title or parts[-1].template):
            parts[-1] = Section("", "", (*parts[-1].rows, part))
        else:
            parts.append(Section("", "", (part,)))
    shown = {field.name: field for field in form.visible_fields()}
    placed = {name for part in parts for row in part.rows for name in _names(row)}
    rest = tuple(name for name in shown if name not in placed)
    if rest:
        parts.append(Section("", "", rest))
    return [
        {"section": part, "rows": [row for row in (_bound(shown, r) for r in part.rows) if row]}
        for part in parts
    ]


def _names(row) -> tuple:
    return (row,) if isinstance(row, str) else tuple(row)


def _bound(shown: dict, row) -> list:
    return [shown[name] for name in _names(row) if name in shown]


def explained_choices(field) -> list[tuple]:
    """Each radio of a bound field with the sentence that explains it (`choice_help` on the
    form field: a dict from value to text)."""
    helps = getattr(field.field, "choice_help", {})
    return [(radio, helps.get(radio.data["value"], "")) for radio in field]


# --- Dates and times --------------------------------------------------------------------------


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _missing(kwargs: dict, message) -> dict:
    if message:
        kwargs["error_messages"] = {"required": message, **kwargs.get("error_messages", {})}
    return kwargs


def date_field(label, *, missing="", **kwargs) -> forms.DateField:
    """A date picked in the browser's date input; `missing`: what to say when a required one
    is left empty."""
    return forms.DateField(label=label, widget=date_input(), **_missing(kwargs, missing))


def time_field(label, *, missing="", **kwargs) -> forms.TimeField:
    """A time of day picked in the browser's time input (hours and minutes)."""
    return forms.TimeField(label=label, widget=time_input(), **_missing(kwargs, missing))


def checkboxes(label, choices, **kwargs) -> forms.MultipleChoiceField:
    """Some of `choices`, ticked in a list of checkboxes; none ticked is an answer too."""
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


def not_in_future(message):
    """A validator refusing a date after today (the local date) with `message`."""

    def validate(day) -> None:
        if day > timezone.localdate():
            raise ValidationError(message, code="future")

    return validate
