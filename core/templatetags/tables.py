"""`{% load tables %}`: data tables, their frame and head written once for every table.

`{% datatable items … as row … %}…{% empty %}…{% enddatatable %}` is the whole table (see the
tag); pages whose table is laid out otherwise use the head alone.

`{% table_head _("Date") _("Personne") _("Montant") %}` is `<thead>` with one
`<th scope="col">` a label. An empty label is no column: `social|then:_("Étape")` is a column
only where `social` holds, `waiting|otherwise:_("Réponse")` only where it does not.
`actions=True` ends the row with a column for buttons, named for screen readers only."""

from django import template
from django.template.base import token_kwargs
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

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


class DataTableNode(template.Node):
    def __init__(self, items, labels, var, options, nodelist, nodelist_empty):
        self.items, self.labels, self.var, self.options = items, labels, var, options
        self.nodelist, self.nodelist_empty = nodelist, nodelist_empty

    def render(self, context):
        items = self.items.resolve(context) or []
        if not items:
            return self.nodelist_empty.render(context)
        options = {name: value.resolve(context) for name, value in self.options.items()}
        rows = []
        with context.push():
            for item in items:
                context[self.var] = item
                rows.append(self.nodelist.render(context))
        labels = [label.resolve(context) for label in self.labels]
        return render_to_string(
            "core/_datatable.html",
            {
                **options,
                **table_head(*labels, actions=options.get("actions", False)),
                "rows": mark_safe("".join(rows)),  # rendered (and escaped) by the page's template
            },
        )


@register.tag
def datatable(parser, token):
    """`{% datatable items _("Label") … as row css="…" labelledby="…" caption=… actions=… %}`,
    the row's `<tr>` for each item, `{% empty %}` what to show when there is none,
    `{% enddatatable %}`: a data table (core/_datatable.html) and its head, written once."""
    bits = token.split_contents()
    if "as" not in bits or len(bits) < bits.index("as") + 2:
        raise template.TemplateSyntaxError("datatable: {% datatable items … as row … %}")
    at = bits.index("as")
    items = parser.compile_filter(bits[1])
    labels = [parser.compile_filter(bit) for bit in bits[2:at]]
    var = bits[at + 1]
    options = token_kwargs(bits[at + 2 :], parser)
    nodelist = parser.parse(("empty", "enddatatable"))
    nodelist_empty = template.NodeList()
    if parser.next_token().contents == "empty":
        nodelist_empty = parser.parse(("enddatatable",))
        parser.delete_first_token()
    return DataTableNode(items, labels, var, options, nodelist, nodelist_empty)
