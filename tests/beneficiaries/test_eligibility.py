"""Eligibility rules, table-driven."""

import pytest
import time_machine
from django.utils import timezone

from beneficiaries import eligibility, services
from beneficiaries.models import EligibilityPolicy
from tests.beneficiaries.factories import BeneficiaryFactory

DEFAULT = eligibility.Policy()


@pytest.mark.parametrize(
    ("situation", "project", "french", "failed"),
    [
        ("rsa", True, "A2", set()),
        ("youth_mission_locale", True, "B1", set()),
        ("jobseeker", True, "B2+", set()),
        ("siae_employee", True, "A2", set()),
        ("other", True, "A2", {"situation"}),
        ("rsa", False, "A2", {"project"}),
        ("rsa", True, "A1", {"french_level"}),
        ("rsa", True, "none", {"french_level"}),
        ("rsa", True, "", {"french_level"}),
        ("other", False, "A1", {"situation", "project", "french_level"}),
    ],
)
def test_default_rules(situation, project, french, failed):
    results = eligibility.evaluate(
        DEFAULT, situation=situation, project_defined=project, french_level=french
    )
    assert {r.rule for r in results if not r.met} == failed
    assert all(r.detail for r in results)  # each rule explains itself


def test_failed_rules_say_why_in_french():
    results = eligibility.evaluate(DEFAULT, situation="other", project_defined=False,
                                   french_level="A1")  # fmt: skip
    details = " ".join(r.detail for r in results)
    assert "n'est pas accompagné par la plateforme" in details
    assert "pas encore défini" in details
    assert "au moins A2" in details


@pytest.mark.django_db
def test_platform_policy_changes_the_rules(platform, adviser):
    EligibilityPolicy.objects.create(
        platform=platform, situations=["rsa", "other"], require_project=False,
        min_french_level="", validity_months=3,
    )  # fmt: skip
    person = BeneficiaryFactory(platform=platform, situation="other", project_defined=False,
                                french_level="none")  # fmt: skip
    with time_machine.travel("2026-11-30 10:00 +01:00", tick=False):
        check = services.eligibility_check(actor=adviser, beneficiary_id=person.pk)
    assert check.eligible is True
    assert [r["rule"] for r in check.results] == ["situation"]
    assert check.valid_until.isoformat() == "2027-02-28"  # 3 months, end of February


@pytest.mark.django_db
def test_check_is_recorded_with_author_date_and_six_months_validity(platform, adviser):
    person = BeneficiaryFactory(platform=platform, project_defined=True, french_level="B1")
    with time_machine.travel("2026-11-22 10:00 +01:00", tick=False):
        check = services.eligibility_check(actor=adviser, beneficiary_id=person.pk)
        assert check.created_at == timezone.now()
    assert check.eligible is True
    assert check.checked_by == adviser
    assert check.valid_until.isoformat() == "2027-05-22"
