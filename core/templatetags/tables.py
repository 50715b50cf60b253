"""`{% load tables %}`: the head row of a data table, written once for every table.

`{% table_head _("Date") _("Personne") _("Montant") %}` is `<thead>` with one
`<th scope="col">` a label. An empty label is no column: `social|then:_("Étape")` is a column
only where `social` holds, `waiting|otherwise:_("Réponse")` only where it does not.
`actions=True` ends the row with a column for buttons, named for screen readers only."""

from django import template

register = template.Library()


@register.inclusion_tag("core/_table_head.html")
def table_head(*labels, actions=False) -> dict:
    return {"labels": [label for label in labels if label], "actions": actions}


@register.filter
def then(condition, value):
    """`value` when the condition holds, else nothing (a column shown to some only)."""
    return value if condition else ""


@register.filter
def otherwise(condition, value):
    """`value` unless the condition holds (the other column of a pair)."""
    return "" if condition else value
