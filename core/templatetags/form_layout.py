"""`{% load form_layout %}`: forms on pages (core.forms).

- `form|sections`: a form's layout with its bound fields, for core/form_fields.html;
- `field|explained_choices`: each radio with the sentence that explains it;
- `{% post_form form submit=… %}`: a whole form that posts (core/_form.html);
- `{% filter_bar label=… submit=… %}`: a list's filters (core/_filter_bar.html);
- `{% post_button url label %}`: a form that is only a button (core/_post_button.html).

The tags take their options as arguments, so that a page's own variables of the same
name (an `action`, a `note`) never leak into them; the rest of the page's context (the
CSRF token, a formset a section of the form shows) stays visible to the form."""

from django import template

from core.forms import explained_choices, form_sections

register = template.Library()
register.filter("sections", form_sections)
register.filter("explained_choices", explained_choices)


@register.inclusion_tag("core/_form.html", takes_context=True)
def post_form(
    context, form=None, *, submit, action="", anchor="", css="", heading="", note="",
    submit_css="", cancel_url="", labelledby="",
) -> dict:  # fmt: skip
    """`form` (the page's `form` by default) posting to `action` + `anchor` (this page by
    default): an optional h3 `heading` and `note`, the fields, the `submit` button
    (`submit_css`), « Annuler » back to `cancel_url`; `css` and `labelledby` for the <form>."""
    return {
        **context.flatten(),
        "form": form if form is not None else context.get("form"),
        "submit": submit,
        "action": action,
        "anchor": anchor,
        "css": css,
        "heading": heading,
        "note": note,
        "submit_css": submit_css,
        "cancel_url": cancel_url,
        "labelledby": labelledby,
    }


@register.inclusion_tag("core/_filter_bar.html", takes_context=True)
def filter_bar(context, form=None, *, label, submit, action="") -> dict:
    """The filter `form` of a list (the page's `form` by default), a GET search named
    `label`, sent by the `submit` button to `action` (this page by default); « Tout
    afficher » when the page says its list is `filtered`."""
    return {
        "form": form if form is not None else context.get("form"),
        "label": label,
        "submit": submit,
        "action": action,
        "filtered": context.get("filtered", False),
        "request": context.get("request"),
    }


@register.inclusion_tag("core/_post_button.html", takes_context=True)
def post_button(context, action, label, *, css="", form_css="", detail="", back="") -> dict:
    """A form that is only a button: posts to `action`; `label` is the button's text, `detail`
    completes its name for screen readers (« Supprimer » : « lundi, 9 h – 12 h »); `css` is
    the button's class, `form_css` the form's; `back` is posted as `retour` (the page the
    action returns to, when it may be reached from several)."""
    return {
        "back": back,
        "csrf_token": context.get("csrf_token"),
        "action": action,
        "label": label,
        "detail": detail,
        "css": css,
        "form_css": form_css,
    }
