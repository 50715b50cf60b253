"""Hand-written reads (core.rows) come back exactly as the ORM would have read them."""

from datetime import date
from decimal import Decimal

import pytest

from beneficiaries.models import Beneficiary
from beneficiaries.privacy import anonymise
from beneficiaries.selectors import bookable_beneficiary
from core.audit import audit_log
from core.models import AuditLog
from core.rows import Columns, fetch_one
from partners.models import Service
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.partners.factories import ServiceFactory

pytestmark = pytest.mark.django_db

LOG = Columns(AuditLog, "l")


def test_every_field_equals_the_orm_read_with_the_backend_converters(platform):
    written = audit_log(actor=None, action="essai", target=platform,
                        data={"montant": "12.50", "liste": [1, 2]})  # fmt: skip

    (row,) = fetch_one(f"SELECT {LOG.sql} FROM {LOG.table} WHERE l.id = %s", [written.pk], LOG)

    orm = AuditLog.objects.get(pk=written.pk)
    assert [getattr(row, f.attname) for f in LOG.fields] == [
        getattr(orm, f.attname) for f in LOG.fields
    ]
    assert row.data == {"montant": "12.50", "liste": [1, 2]}  # JSON decoded
    assert row.at.tzinfo is not None  # an aware datetime, on SQLite too
    assert row._state.adding is False and row._state.db == "default"


def test_a_subset_of_columns_defers_the_others(platform):
    written = audit_log(actor=None, action="essai", target=platform)
    part = Columns(AuditLog, "l", ("action",))

    (row,) = fetch_one(f"SELECT {part.sql} FROM {part.table} WHERE l.id = %s", [written.pk], part)

    assert part.attnames == ["id", "action"]
    assert row.get_deferred_fields() == {"actor_id", "target_type", "target_id", "data", "at"}
    assert row.target_id == str(platform.pk)  # read on first use


def test_no_row_is_none():
    assert fetch_one(f"SELECT {LOG.sql} FROM {LOG.table} WHERE l.id = %s", [0], LOG) is None


def test_decimals_and_dates_keep_their_types(platform):
    made = ServiceFactory(market_price=Decimal("65.50"))
    prices = Columns(Service, "s", ("market_price", "published", "created_at"))
    assert prices.sql == 's."id", s."created_at", s."market_price", s."published"'

    (service,) = fetch_one(
        f"SELECT {prices.sql} FROM {prices.table} WHERE s.id = %s", [made.pk], prices
    )

    assert service.market_price == Decimal("65.50") and isinstance(service.market_price, Decimal)
    assert service.published is True
    assert service.created_at == Service.objects.get(pk=made.pk).created_at


def test_the_person_a_booking_is_for_reads_every_field(platform):
    person = BeneficiaryFactory(platform=platform, birth_date=date(2001, 5, 4))

    found = bookable_beneficiary(beneficiary_id=person.pk)

    orm = Beneficiary.objects.get(pk=person.pk)
    fields = Beneficiary._meta.concrete_fields
    assert [getattr(found, f.attname) for f in fields] == [getattr(orm, f.attname) for f in fields]
    assert found.birth_date == date(2001, 5, 4) and found.get_deferred_fields() == set()


def test_an_anonymised_person_cannot_be_booked_for(platform):
    person = BeneficiaryFactory(platform=platform)
    anonymise(person)

    assert bookable_beneficiary(beneficiary_id=person.pk) is None
    assert bookable_beneficiary(beneficiary_id=0) is None
