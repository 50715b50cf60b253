"""Hand-written reads (core.rows) come back exactly as the ORM would have read them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from core.audit import audit_log
from core.models import AuditLog
from core.rows import Columns, fetch_one, insert
from partners.models import Partner, Service, Slot
from tests.factories import OrganisationFactory
from tests.partners.factories import PartnerFactory, ServiceFactory
from tests.services import postgres_or_unavailable

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


def test_a_part_an_outer_join_left_empty_is_none(platform):
    written = audit_log(actor=None, action="essai")
    actor = Columns(User, "u", ("email",))
    sql = (f"SELECT {LOG.sql}, {actor.sql} FROM {LOG.table}"
           f" LEFT JOIN {actor.table} ON u.id = l.actor_id WHERE l.id = %s")  # fmt: skip

    log, user = fetch_one(sql, [written.pk], LOG, actor)

    assert log == written and user is None


def _prepared_statements() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.services
def test_on_postgresql_the_statements_are_prepared_once_per_connection(platform):
    postgres_or_unavailable()
    written = audit_log(actor=None, action="essai")
    sql = f"SELECT {LOG.sql} FROM {LOG.table} WHERE l.id = %s"

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        for _ in range(2):
            assert fetch_one(sql, [written.pk], LOG)[0] == written

    assert len([text for text in _prepared_statements() if 'l."action"' in text]) == 1
    assert [query["sql"] for query in captured.captured_queries] == [sql, sql]  # still logged


@pytest.mark.services
def test_without_a_prepare_threshold_nothing_is_prepared(platform):
    """PREPARED_STATEMENTS=0 leaves Django's default: no statement is ever prepared."""
    postgres_or_unavailable()
    from django.db import connection

    written = audit_log(actor=None, action="essai")
    threshold = connection.connection.prepare_threshold
    connection.connection.prepare_threshold = None
    try:
        sql = f"SELECT {LOG.sql} FROM {LOG.table} WHERE l.id = %s AND l.action = %s"
        for _ in range(2):
            assert fetch_one(sql, [written.pk, "essai"], LOG)[0] == written
    finally:
        connection.connection.prepare_threshold = threshold
    assert not [text for text in _prepared_statements() if "l.action = $2" in text]
