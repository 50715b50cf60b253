"""Hand-written reads (core.rows) come back exactly as the ORM would have read them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from beneficiaries.models import Beneficiary
from beneficiaries.privacy import anonymise
from beneficiaries.selectors import bookable_beneficiary
from core.audit import audit_log
from core.models import AuditLog
from core.rows import Columns, fetch_one, insert
from partners.models import Partner, Service, Slot
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory
from tests.partners.factories import PartnerFactory, ServiceFactory

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


def test_insert_writes_what_save_would(platform, adviser):
    before = timezone.now()
    row = AuditLog(actor=adviser, action="essai", target_type="x", data={"a": [1, "b"]})

    insert(row)

    assert row.pk is not None and row._state.adding is False and row._state.db == "default"
    stored = AuditLog.objects.get(pk=row.pk)
    assert (stored.actor_id, stored.action, stored.data) == (adviser.pk, "essai", {"a": [1, "b"]})
    assert stored.at >= before and stored.at == row.at  # the field's default, kept on the row


def test_insert_several_rows_in_one_statement_in_order(platform, django_assert_num_queries):
    made = ServiceFactory()
    slots = [
        Slot(service=made, starts_at=timezone.now() + timedelta(hours=n),
             ends_at=timezone.now() + timedelta(hours=n + 1), capacity=n + 1)
        for n in range(3)
    ]  # fmt: skip

    with django_assert_num_queries(1):
        insert(*slots)

    assert [Slot.objects.get(pk=slot.pk).capacity for slot in slots] == [1, 2, 3]


def test_insert_fills_auto_now_fields():
    partner = PartnerFactory.build(organisation=OrganisationFactory(partner=True))

    insert(partner)

    stored = Partner.objects.get(pk=partner.pk)
    assert stored.created_at is not None and stored.created_at == partner.created_at
    assert stored.updated_at == partner.updated_at


def test_insert_refuses_what_save_would_do_differently(platform):
    with pytest.raises(TypeError, match="Service.save"):
        insert(ServiceFactory.build(partner=PartnerFactory()))  # save() folds its search text
    log = audit_log(actor=None, action="essai")
    with pytest.raises(TypeError, match="new instances"):
        insert(log)  # already written
    with pytest.raises(TypeError, match="one model"):
        insert(AuditLog(action="a"), Slot())
    assert AuditLog.objects.count() == 1
