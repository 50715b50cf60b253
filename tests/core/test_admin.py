"""The Django admin: every registered model's list opens for a superuser; the rows that only
services may write (bookings, money, logs) cannot be added, changed or deleted there."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from core.admin import ReadOnlyAdmin
from tests.factories import UserFactory

READ_ONLY = {
    "bookings.booking", "financing.fundingprogramme", "financing.grantaward", "financing.loan",
    "financing.loantransaction", "core.auditlog",
}  # fmt: skip


@pytest.fixture
def superuser_client(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_every_registered_model_list_opens(superuser_client):
    registered = [model for model in apps.get_models() if admin.site.is_registered(model)]
    assert len(registered) > 10
    for model in registered:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert superuser_client.get(url).status_code == 200, url


@pytest.mark.parametrize("label", sorted(READ_ONLY))
def test_state_and_money_rows_are_read_only_in_the_admin(superuser_client, label):
    model = apps.get_model(label)
    assert isinstance(admin.site.get_model_admin(model), ReadOnlyAdmin)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert superuser_client.get(url).status_code == 403
