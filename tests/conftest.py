import pytest
from django.core.cache import cache

from accounts.enums import Role
from core import sms
from tests.factories import OrganisationFactory, member


@pytest.fixture(autouse=True)
def _isolate(settings):
    """Each test starts with eager Celery, empty caches and empty outboxes."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def platform(db):
    return OrganisationFactory(name="Plateforme A")


@pytest.fixture
def other_platform(db):
    return OrganisationFactory(name="Plateforme B", commune="Vichy")


@pytest.fixture
def partner_org(platform):
    return OrganisationFactory(partner=True, name="Garage A", platform=platform)


@pytest.fixture
def prescriber_org(platform):
    return OrganisationFactory(prescriber=True, name="Mission Locale A", platform=platform)


@pytest.fixture
def admin_user(platform):
    return member(Role.ADMIN, platform)


@pytest.fixture
def adviser(platform):
    return member(Role.ADVISER, platform)


@pytest.fixture
def finance_officer(platform):
    return member(Role.FINANCE_OFFICER, platform)


@pytest.fixture
def partner_manager(partner_org):
    return member(Role.PARTNER_MANAGER, partner_org)


@pytest.fixture
def partner_staff(partner_org):
    return member(Role.PARTNER_STAFF, partner_org)


@pytest.fixture
def prescriber(prescriber_org):
    return member(Role.PRESCRIBER, prescriber_org)


@pytest.fixture
def communes(db):
    """The demo territory's communes (Allier and neighbours), as `seed_demo` loads them."""
    from core.communes_import import import_communes
    from core.demo import COMMUNES_FILE

    import_communes(str(COMMUNES_FILE))
