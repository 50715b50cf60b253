"""The finance pages live in modules by subject (see `financing/urls.py`): `views_programmes`,
`views_portfolio`, `views_loans` and `views_plan`, with what they share in `views_common`.

This module keeps the import the booking pages use (`bookings.views_adviser`)."""

from financing.views_plan import financing_summary

__all__ = ["financing_summary"]
