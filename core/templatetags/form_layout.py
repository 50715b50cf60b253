"""`{% load form_layout %}`: a form's layout and a radio group's explanations (core.forms)."""

from django import template

from core.forms import explained_choices, form_sections

register = template.Library()
register.filter("sections", form_sections)
register.filter("explained_choices", explained_choices)
