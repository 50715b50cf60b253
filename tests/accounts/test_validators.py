"""accounts.validators: SIRET (python-stdnum, La Poste's rule included), phones, and the
models that use them."""

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import validate_phone, validate_siret
from tests.factories import OrganisationFactory, UserFactory

VALID_SIRETS = [
    "73282932000074",  # Luhn
    "35600000000048",  # La Poste's head office: Luhn
    "35600000049837",  # a La Poste establishment: digit sum a multiple of 5, Luhn fails
]
INVALID_SIRETS = [
    ("73282932000075", "n'existe pas"),  # one digit off
    ("12345678901234", "n'existe pas"),
    ("35600000012345", "n'existe pas"),  # La Poste: neither rule
    ("35600000049813", "n'existe pas"),  # La Poste: passes Luhn, not La Poste's rule
    ("7328293200007", "14 chiffres"),
    ("732 829 320 00074", "14 chiffres"),
    ("7328293200007A", "14 chiffres"),
]


def luhn_ok(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def test_the_la_poste_cases_are_what_they_claim():
    """The test data itself: one La Poste SIRET valid only by its own rule, one valid only by
    Luhn (so the rule under test decides)."""
    assert not luhn_ok("35600000049837") and sum(map(int, "35600000049837")) % 5 == 0
    assert luhn_ok("35600000049813") and sum(map(int, "35600000049813")) % 5 != 0


@pytest.mark.parametrize("siret", [*VALID_SIRETS, ""])
def test_valid_sirets_pass(siret):
    validate_siret(siret)


@pytest.mark.parametrize(("siret", "message"), INVALID_SIRETS)
def test_invalid_sirets_are_refused_in_french(siret, message):
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert error.value.code == "invalid_siret"
    assert message in error.value.messages[0]


@pytest.mark.django_db
def test_an_organisation_with_a_wrong_siret_does_not_validate():
    organisation = OrganisationFactory.build(siret="73282932000075")
    with pytest.raises(ValidationError) as error:
        organisation.full_clean(exclude=["platform"])
    assert list(error.value.message_dict) == ["siret"]
    organisation.siret = "35600000049837"
    organisation.full_clean(exclude=["platform"])


@pytest.mark.parametrize("phone", ["+33612345678", "+262692123456", "06 12 34 56 78", ""])
def test_valid_phones_pass(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12", "+33 6 12", "0639 12 34 56", "bonjour"])
def test_invalid_phones_are_refused_in_french(phone):
    with pytest.raises(ValidationError) as error:
        validate_phone(phone)
    assert error.value.code == "invalid_phone"
    assert error.value.messages == [
        "Numéro de téléphone invalide : écrivez par exemple 06 12 34 56 78."
    ]


@pytest.mark.django_db
def test_a_user_saved_with_an_overseas_number_keeps_its_own_country_code():
    user = UserFactory(phone="0692 12 34 56")
    user.refresh_from_db()
    assert user.phone == "+262692123456"
    user.phone = "0033 6 12 34 56 78"
    user.full_clean()
    assert user.phone == "+33612345678"
