"""The finance pages: who may open what, a repayment recorded from the loan page (and the
allocation it shows), PAR30 measured both ways, the lifecycle buttons, the loan form's
micro-credit limits, the exports, the adviser's financing plan, and query counts."""

import csv
import html
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.enums import Role
from bookings import services as booking_services
from financing import loans, services
from financing.enums import AwardStatus, LoanKind, LoanMethod, LoanStatus, TransactionKind
from financing.models import FinancingPlan, FundingProgramme, Loan, LoanTransaction
from partners.models import Slot
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory, member
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

D = Decimal
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=PARIS)  # a Monday
TODAY = NOW.date()

pytestmark = pytest.mark.django_db


# --- Fixtures and helpers ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    """The page as read: entities decoded, white space (no-break spaces too) collapsed."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", html.unescape(response.content.decode()))


def plain(response) -> str:
    """The words of the page, without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


@pytest.fixture
def funder(platform):
    return OrganisationFactory(funder=True, name="Département de l'Allier", platform=platform)


@pytest.fixture
def lender(platform):
    return OrganisationFactory(funder=True, name="Caisse d'Épargne", platform=platform)


@pytest.fixture
def association(platform):
    return OrganisationFactory(funder=True, name="Association Créa-Sol", platform=platform)


@pytest.fixture
def person(platform, adviser):
    return BeneficiaryFactory(
        platform=platform, adviser=adviser, first_name="Léa", last_name="Martin", situation="rsa"
    )


@pytest.fixture
def other_person(platform, adviser):
    return BeneficiaryFactory(
        platform=platform, adviser=adviser, first_name="Yanis", last_name="Roux", situation="rsa"
    )


def make_loan(actor, person, lender, *, kind=LoanKind.MICRO_CREDIT, principal="3000.00",
              rate="3", months=36, first_due_on=date(2025, 12, 5), disbursed_on=None):  # fmt: skip
    loan = loans.loan_create(
        actor=actor, beneficiary_id=person.pk, kind=kind, lender_id=lender.pk,
        principal=D(principal), annual_rate=D(rate), term_months=months,
        first_due_on=first_due_on, method=LoanMethod.DECLINING_BALANCE,
    )  # fmt: skip
    if disbursed_on:
        loans.loan_transition(actor=actor, loan_id=loan.pk, to=LoanStatus.APPROVED)
        loans.loan_transition(actor=actor, loan_id=loan.pk, to=LoanStatus.DISBURSED,
                              on=disbursed_on)  # fmt: skip
        loans.update_arrears(Loan.objects.get(pk=loan.pk))
    return Loan.objects.get(pk=loan.pk)


@pytest.fixture
def late_loan(finance_officer, person, lender):
    """3 000 € at 3 % over 36 months (87,24 € a month): the December instalment paid, those
    of January, February and March not — 70 days late on 16 March."""
    loan = make_loan(finance_officer, person, lender, disbursed_on=date(2025, 11, 5))
    loans.entry_record(
        actor=finance_officer, loan_id=loan.pk, kind=TransactionKind.REPAYMENT,
        amount=D("87.24"), value_date=date(2025, 12, 5), method="transfer",
    )  # fmt: skip
    return Loan.objects.get(pk=loan.pk)


@pytest.fixture
def current_loan(finance_officer, other_person, association):
    """1 000 € at 0 % over 12 months, first instalment in April: nothing due yet."""
    return make_loan(finance_officer, other_person, association,
                     kind=LoanKind.ASSOCIATION_LOAN, principal="1000.00", rate="0", months=12,
                     first_due_on=date(2026, 4, 5), disbursed_on=date(2026, 3, 2))  # fmt: skip


@pytest.fixture
def programme(finance_officer, platform, funder):
    return services.programme_create(
        actor=finance_officer, platform_id=platform.pk, funder_id=funder.pk,
        name="Fonds mobilité insertion", budget=D("1000.00"), starts_on=date(2026, 1, 1),
        per_beneficiary_cap=D("500.00"),
    )  # fmt: skip


@pytest.fixture
def booking(platform, adviser, person, partner_org):
    """A 300 € permis session for Léa, in three days."""
    partner = PartnerFactory(organisation=partner_org, category="driving_school")
    AgreementFactory(partner=partner, platform=platform)
    service = ServiceFactory(partner=partner, name="Leçons de conduite", min_notice_hours=0,
                             solidarity_price=D("300.00"), market_price=D("900.00"))  # fmt: skip
    start = NOW + timedelta(days=3)
    slot = Slot.objects.create(service=service, starts_at=start, ends_at=start + timedelta(hours=1),
                               capacity=1)  # fmt: skip
    return booking_services.booking_create(actor=adviser, beneficiary_id=person.pk,
                                           service_id=service.pk, slot_ids=[slot.pk])  # fmt: skip


# --- Who may open what ------------------------------------------------------------------

FINANCE_PAGES = [
    ("finance_portfolio", {}),
    ("programme_list", {}),
    ("programme_new", {}),
    ("installments_due", {}),
    ("late_list", {}),
    ("loan_new", {}),
    ("finance_export", {"what": "prets", "fmt": "csv"}),
]


@pytest.mark.parametrize(("name", "kwargs"), FINANCE_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [("finance_officer", 200), ("admin_user", 200), ("adviser", 403), ("partner_manager", 403),
     ("prescriber", 403)],
)  # fmt: skip
def test_finance_pages_are_for_finance_officers_and_admins(
    client, request, late_loan, programme, name, kwargs, role, status
):
    user = request.getfixturevalue(role)
    response = signed_in(client, user).get(reverse(name, kwargs=kwargs))
    assert response.status_code == status
    if status == 403:
        assert "réservées" in text(response)


def test_finance_pages_ask_to_sign_in(client):
    response = client.get(reverse("finance_portfolio"))
    assert response.status_code == 302
    assert "/comptes/login/" in response.url


def test_advisers_read_loans_without_any_button(client, adviser, late_loan):
    signed_in(client, adviser)
    listing = text(client.get(reverse("loan_list")))
    assert "MARTIN Léa" in listing
    assert "Enregistrer un prêt" not in listing
    page = client.get(reverse("loan_detail", kwargs={"loan_id": late_loan.pk}))
    assert page.status_code == 200
    body = text(page)
    assert "Échéancier" in body and "en retard de 70 jours" in body
    for button in ("Enregistrer le remboursement", "Annuler l'écriture", "Déclarer le prêt"):
        assert button not in body
    response = client.post(
        reverse("loan_repayment", kwargs={"loan_id": late_loan.pk}),
        {"amount": "10", "value_date": TODAY.isoformat(), "method": "cash"},
    )
    assert response.status_code == 403
    assert not late_loan.transactions.filter(amount=D("10")).exists()


def test_loans_of_another_platform_are_not_found(client, late_loan, other_platform):
    stranger = member(Role.FINANCE_OFFICER, other_platform)
    signed_in(client, stranger)
    assert client.get(reverse("loan_detail", kwargs={"loan_id": late_loan.pk})).status_code == 404
    response = client.post(
        reverse("loan_repayment", kwargs={"loan_id": late_loan.pk}),
        {"amount": "10", "value_date": TODAY.isoformat(), "method": "cash"},
    )
    assert response.status_code == 404
    assert "MARTIN" not in text(client.get(reverse("loan_list")))
    assert "MARTIN" not in text(client.get(reverse("late_list")))


def test_partners_and_prescribers_cannot_read_loans(client, partner_manager, prescriber, late_loan):
    for user in (partner_manager, prescriber):
        signed_in(client, user)
        assert client.get(reverse("loan_list")).status_code == 403
        url = reverse("loan_detail", kwargs={"loan_id": late_loan.pk})
        assert client.get(url).status_code == 403


def test_navigation_and_home_lead_finance_officers_to_their_pages(client, finance_officer):
    body = signed_in(client, finance_officer).get(reverse("home")).content.decode()
    nav = body.split('aria-label="Navigation principale"')[1].split("</nav>")[0]
    assert f'href="{reverse("finance_portfolio")}"' in nav and "Financements" in nav
    for name in ("finance_portfolio", "programme_list", "installments_due", "late_list"):
        assert f'href="{reverse(name)}"' in body.split("</nav>", 1)[1]


def test_advisers_have_no_finance_link(client, adviser):
    body = signed_in(client, adviser).get(reverse("home")).content.decode()
    assert reverse("finance_portfolio") + '"' not in body


# --- A loan's page: repayments, reversals, lifecycle ------------------------------------


def test_a_repayment_recorded_from_the_page_shows_its_allocation(
    client, finance_officer, late_loan
):
    signed_in(client, finance_officer)
    url = reverse("loan_detail", kwargs={"loan_id": late_loan.pk})
    page = text(client.get(url))
    assert "Enregistrer un remboursement" in page
    assert "Impayé aujourd'hui 261,72 €" in plain(client.get(url))
    assert "Taux annuel 3 %" in plain(client.get(url))

    response = client.post(
        reverse("loan_repayment", kwargs={"loan_id": late_loan.pk}),
        {"amount": "100,00", "value_date": TODAY.isoformat(), "method": "cheque", "note": ""},
    )
    entry = late_loan.transactions.get(kind=TransactionKind.REPAYMENT, value_date=TODAY)
    assert (entry.amount, entry.method, entry.created_by) == (
        D("100.00"),
        "cheque",
        finance_officer,
    )
    assert response.status_code == 302
    assert response.url == f"{url}?ecriture={entry.pk}#ecriture-{entry.pk}"

    page = text(client.get(response.url))
    allocation = (
        "échéance 2 (intérêts 7,30 €, capital 79,94 €) ; "
        "échéance 3 (intérêts 7,10 €, capital 5,66 €)"
    )
    assert f"Remboursement de 100,00 € enregistré. Réparti ainsi : {allocation}." in page
    row = page.split(f'id="ecriture-{entry.pk}"')[1].split("</tr>")[0]
    assert allocation in row and "(chèque)" in row
    assert "Impayé aujourd'hui 161,72 €" in plain(client.get(url))


def test_a_repayment_beyond_what_is_due_is_kept_as_credit(client, finance_officer, current_loan):
    signed_in(client, finance_officer)
    response = client.post(
        reverse("loan_repayment", kwargs={"loan_id": current_loan.pk}),
        {"amount": "1 010", "value_date": TODAY.isoformat(), "method": "transfer"},
    )
    page = text(client.get(response.url))
    assert "10,00 € gardés en avance (trop-perçu)" in page
    current_loan.refresh_from_db()
    assert (current_loan.status, current_loan.credit_balance) == (LoanStatus.REPAID, D("10.00"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "", "method": "cash"}, "Indiquez le montant reçu."),
        ({"amount": "abc", "method": "cash"}, "Écrivez un nombre, par exemple 35 ou 35,50."),
        ({"amount": "10", "method": ""}, "Indiquez comment la personne a payé."),
        ({"amount": "10", "method": "cash", "value_date": "2026-03-17"},
         "La date de valeur ne peut pas être dans le futur."),
    ],
)  # fmt: skip
def test_a_wrong_repayment_is_refused_in_french(client, finance_officer, late_loan, data, message):
    signed_in(client, finance_officer)
    response = client.post(
        reverse("loan_repayment", kwargs={"loan_id": late_loan.pk}),
        {"value_date": TODAY.isoformat(), **data},
    )
    assert response.status_code == 400
    assert message in text(response)
    assert f'value="{data["amount"]}"' in response.content.decode()  # what was typed is kept
    assert late_loan.transactions.count() == 2  # disbursement and the December repayment


def test_a_repayment_on_a_loan_not_disbursed_is_a_conflict(client, finance_officer, person, lender):
    loan = make_loan(finance_officer, person, lender)
    signed_in(client, finance_officer)
    response = client.post(
        reverse("loan_repayment", kwargs={"loan_id": loan.pk}),
        {"amount": "10", "value_date": TODAY.isoformat(), "method": "cash"},
    )
    assert response.status_code == 409
    assert "Le prêt n'est pas décaissé." in text(response)


def test_reversing_an_entry_replays_the_ledger(client, finance_officer, late_loan):
    signed_in(client, finance_officer)
    entry = late_loan.transactions.get(kind=TransactionKind.REPAYMENT)
    response = client.post(
        reverse("loan_entry_reverse", kwargs={"loan_id": late_loan.pk, "entry_id": entry.pk})
    )
    assert response.status_code == 302
    page = text(client.get(response.url))
    assert "Écriture du 5 décembre 2025 de 87,24 € annulée" in page
    assert "annulée" in page.split(f'id="ecriture-{entry.pk}"')[1].split("</tr>")[0]
    late_loan.refresh_from_db()
    assert late_loan.days_past_due == (TODAY - date(2025, 12, 5)).days
    # Reversing it twice is refused, in French.
    client.post(
        reverse("loan_entry_reverse", kwargs={"loan_id": late_loan.pk, "entry_id": entry.pk})
    )
    assert LoanTransaction.objects.filter(reverses=entry).count() == 1


def test_an_entry_of_another_loan_cannot_be_reversed_through_this_one(
    client, finance_officer, late_loan, current_loan
):
    signed_in(client, finance_officer)
    entry = current_loan.transactions.get()
    url = reverse("loan_entry_reverse", kwargs={"loan_id": late_loan.pk, "entry_id": entry.pk})
    assert client.post(url).status_code == 404
    assert not LoanTransaction.objects.filter(reverses=entry).exists()


def test_lifecycle_buttons_approve_then_disburse(client, finance_officer, person, lender):
    loan = make_loan(finance_officer, person, lender, first_due_on=date(2026, 4, 5))
    signed_in(client, finance_officer)
    url = reverse("loan_detail", kwargs={"loan_id": loan.pk})
    page = text(client.get(url))
    assert "Accorder le prêt" in page and "Refuser la demande" in page
    assert "Enregistrer un remboursement" not in page
    transition = reverse("loan_transition", kwargs={"loan_id": loan.pk})

    client.post(transition, {"to": "approved"})
    page = text(client.get(url))
    assert "Le prêt est maintenant : accordé." in page
    assert "Enregistrer le décaissement" in page and "Annuler le prêt" in page

    response = client.post(transition, {"to": "disbursed", "on": "2026-03-20"})
    assert response.status_code == 400
    assert "Le décaissement ne peut pas être dans le futur." in text(response)
    client.post(transition, {"to": "disbursed", "on": "2026-03-10"})
    loan.refresh_from_db()
    assert (loan.status, loan.disbursed_on) == (LoanStatus.DISBURSED, date(2026, 3, 10))
    page = text(client.get(url))
    assert "Enregistrer un remboursement" in page and "Décaissement" in page

    client.post(transition, {"to": "approved"})  # no longer possible
    page = text(client.get(url))
    assert "Impossible : le prêt est « Décaissé »." in page


# --- Creating a loan ------------------------------------------------------------------------

LOAN = {
    "kind": LoanKind.MICRO_CREDIT,
    "principal": "2 500,00",
    "annual_rate": "2,5",
    "term_months": "24",
    "method": LoanMethod.DECLINING_BALANCE,
    "grace_months": "0",
    "first_due_on": "2026-04-05",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"principal": "9000"}, "Un microcrédit va de 300 à 8000 €."),
        ({"principal": "200"}, "Un microcrédit va de 300 à 8000 €."),
        ({"term_months": "90"}, "Un microcrédit dure au plus 84 mois."),
        ({"grace_months": "24"}, "Le différé doit laisser au moins une mensualité."),
        ({"annual_rate": "-1"}, "Le taux ne peut pas être négatif."),
        ({"principal": ""}, "Indiquez le montant prêté."),
    ],
)
def test_the_loan_form_says_the_micro_credit_limits_in_french(
    client, finance_officer, person, lender, changes, message
):
    signed_in(client, finance_officer)
    data = {**LOAN, "beneficiary": person.pk, "lender": lender.pk, **changes}
    response = client.post(reverse("loan_new"), data)
    assert response.status_code == 400
    assert message in text(response)
    assert not Loan.objects.exists()


def test_a_loan_is_created_with_its_schedule(client, finance_officer, person, lender):
    signed_in(client, finance_officer)
    page = text(client.get(reverse("loan_new")))
    assert "Un microcrédit va de 300 à 8 000 €, sur 84 mois au plus." in page
    response = client.post(
        reverse("loan_new"), {**LOAN, "beneficiary": person.pk, "lender": lender.pk}
    )
    loan = Loan.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("loan_detail", kwargs={"loan_id": loan.pk})
    assert (loan.principal, loan.annual_rate, loan.guarantee_share) == (D("2500"), D("2.5"), 50)
    assert loan.installments.count() == 24
    page = text(client.get(response.url))
    assert "n° 24" in page and "prévue" in page


# --- Portfolio, month, late borrowers -----------------------------------------------------


def test_the_portfolio_shows_par30_both_ways(client, finance_officer, late_loan, current_loan):
    response = signed_in(client, finance_officer).get(reverse("finance_portfolio"))
    page, words = text(response), plain(response)
    # Outstanding: 2 920,26 € (3 000 − 79,74) + 1 000 €. Late > 30 days: the first loan,
    # whose January, February and March instalments are unpaid; on 16 March only January's
    # and February's have been unpaid for more than 30 days (2 × 87,24 €).
    assert "3 920,26 €" in page
    assert (
        "PAR30 (capital restant des prêts en retard de plus de 30 jours ÷ encours) : 74,5 %"
        " (2 920,26 € ÷ 3 920,26 €)" in words
    )
    assert (
        "Montants impayés depuis plus de 30 jours ÷ encours : 4,5 % (174,48 € ÷ 3 920,26 €)"
        in words
    )
    buckets = words.split("Prêts par ancienneté du retard")[1].split("Voir les personnes")[0]
    assert "À jour 1 1 000,00 € 25,5 % 1 à 30 jours 0 0,00 € 0,0 %" in buckets
    assert "61 à 90 jours 1 2 920,26 € 74,5 % Plus de 90 jours 0" in buckets
    bars = page.split("Prêts par ancienneté du retard")[1].split("</table>")[0]
    assert re.findall(r'hbar-fill bucket-\d" width="([\d.]+)%"', bars) == [
        "100.0", "0.0", "0.0", "100.0", "0.0"
    ]  # fmt: skip
    groups = words.split("Encours par prêteur et par type de prêt")[1]
    assert "Association Créa-Sol Prêt associatif 1 000,00 € 25,5 %" in groups
    assert "Caisse d'Épargne Microcrédit personnel accompagné 2 920,26 € 74,5 %" in groups


def test_late_borrowers_with_their_adviser_and_what_they_owe(
    client, finance_officer, adviser, late_loan, current_loan
):
    page = text(signed_in(client, finance_officer).get(reverse("late_list")))
    assert "1 personne en retard" in page
    row = page.split(f'id="retard-{late_loan.pk}"')[1].split("</tr>")[0]
    assert "MARTIN Léa" in row and "70 jours" in row and "61 à 90 jours" in row
    assert "261,72 €" in row and adviser.get_full_name() in row
    assert "ROUX" not in page


def test_a_repayment_that_clears_the_arrears_takes_the_person_off_the_late_list(
    client, finance_officer, late_loan
):
    signed_in(client, finance_officer)
    client.post(
        reverse("loan_repayment", kwargs={"loan_id": late_loan.pk}),
        {"amount": "261,72", "value_date": TODAY.isoformat(), "method": "direct_debit"},
    )
    page = text(client.get(reverse("late_list")))
    assert "MARTIN" not in page and "Personne n'est en retard." in page


def test_the_instalments_of_the_month(client, finance_officer, late_loan, current_loan):
    signed_in(client, finance_officer)
    page = text(client.get(reverse("installments_due")))
    assert "Échéances du mois — mars 2026" in page
    assert "1 échéance à encaisser" in page and "5 mars 2026" in page
    assert "en retard de 11 jours" in page and "MARTIN Léa" in page
    april = text(client.get(reverse("installments_due"), {"mois": "2026-04"}))
    assert "2 échéances à encaisser" in april and "ROUX Yanis" in april and "à venir" in april
    assert text(client.get(reverse("installments_due"), {"mois": "n'importe"})).count("mars 2026")


# --- Programmes and awards ------------------------------------------------------------------


def test_a_programme_is_created_and_listed_with_its_consumption(
    client, finance_officer, platform, funder, person
):
    signed_in(client, finance_officer)
    response = client.post(reverse("programme_new"), {
        "platform": platform.pk, "funder": funder.pk, "name": "Aide au permis",
        "budget": "2 000,00", "starts_on": "2026-01-01", "per_beneficiary_cap": "1 200",
        "eligible_situations": ["rsa", "jobseeker"],
    })  # fmt: skip
    assert response.status_code == 302
    programme = FundingProgramme.objects.get(name="Aide au permis")
    assert programme.eligible_situations == ["rsa", "jobseeker"]
    services.award_create(actor=finance_officer, programme_id=programme.pk, beneficiary=person,
                          amount=D("500.00"))  # fmt: skip
    page = text(client.get(reverse("programme_list")))
    assert "Aide au permis" in page and "25,0 % du budget engagé, dont 0,0 % versé." in page
    assert "Disponible 1 500,00 €" in plain(client.get(reverse("programme_list")))
    assert (
        'class="stack-pending" x="0.0%" width="25.0%"'
        in client.get(reverse("programme_list")).content.decode()
    )


def test_a_wrong_programme_is_refused_in_french(client, finance_officer, platform, funder):
    signed_in(client, finance_officer)
    response = client.post(reverse("programme_new"), {
        "platform": platform.pk, "funder": funder.pk, "name": "Aide", "budget": "0",
        "starts_on": "2026-03-01", "ends_on": "2026-01-01",
    })  # fmt: skip
    assert response.status_code == 400
    page = text(response)
    assert "Le budget doit être positif." in page and "La fin doit suivre le début." in page


def test_awards_are_approved_paid_and_rejected_from_the_programme_page(
    client, finance_officer, programme, person, other_person
):
    first = services.award_create(actor=finance_officer, programme_id=programme.pk,
                                  beneficiary=person, amount=D("300.00"))  # fmt: skip
    second = services.award_create(actor=finance_officer, programme_id=programme.pk,
                                   beneficiary=other_person, amount=D("200.00"))  # fmt: skip
    signed_in(client, finance_officer)
    url = reverse("programme_detail", kwargs={"programme_id": programme.pk})
    page = text(client.get(url))
    assert "Accorder : aide de 300,00 € pour MARTIN Léa" in page

    def decide(award, to):
        return client.post(
            reverse("award_decide", kwargs={"programme_id": programme.pk, "award_id": award.pk}),
            {"to": to},
        )

    decide(first, AwardStatus.APPROVED)
    decide(first, AwardStatus.PAID)
    decide(second, AwardStatus.REJECTED)
    page = text(client.get(url))
    assert "Aide de 200,00 € pour ROUX Yanis : refusée." in page
    programme.refresh_from_db()
    assert (programme.committed, programme.paid) == (D("300.00"), D("300.00"))
    decide(second, AwardStatus.PAID)  # refused: nothing more happens
    assert "Impossible : l'aide est « Refusée »." in text(client.get(url))


# --- Exports --------------------------------------------------------------------------------


def test_csv_exports_use_semicolons_a_bom_dots_and_iso_dates(
    client, finance_officer, late_loan, current_loan
):
    signed_in(client, finance_officer)
    response = client.get(reverse("finance_export", kwargs={"what": "prets", "fmt": "csv"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="solimob-prets-2026-03-16.csv"' == response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, data = rows[0], rows[1:]
    assert len(data) == 2
    by_person = {row[header.index("Personne")]: dict(zip(header, row, strict=True)) for row in data}
    lea = by_person["MARTIN Léa"]
    assert lea["Capital prêté"] == "3000.00" and lea["Capital restant dû"] == "2920.26"
    assert lea["Décaissé le"] == "2025-11-05" and lea["Jours de retard"] == "70"

    ledger = client.get(reverse("finance_export", kwargs={"what": "ecritures", "fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(ledger.content.decode("utf-8-sig")), delimiter=";"))
    assert ["Remboursement", "2025-12-05", "87.24", "Virement"] == rows[2][3:7]


@pytest.mark.parametrize("what", ["prets", "echeances", "ecritures", "aides", "enveloppes"])
def test_xlsx_exports_open_with_numbers_and_dates(
    client, finance_officer, late_loan, programme, person, what
):
    from openpyxl import load_workbook

    services.award_create(actor=finance_officer, programme_id=programme.pk, beneficiary=person,
                          amount=D("120.50"))  # fmt: skip
    signed_in(client, finance_officer)
    response = client.get(reverse("finance_export", kwargs={"what": what, "fmt": "xlsx"}))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    expected = {"prets": 1, "echeances": 36, "ecritures": 2, "aides": 1, "enveloppes": 1}
    assert len(rows) - 1 == expected[what]
    values = [value for row in rows[1:] for value in row]
    assert any(isinstance(v, float | int) and not isinstance(v, bool) for v in values)
    if what == "prets":
        record = dict(zip(rows[0], rows[1], strict=True))
        assert record["Capital prêté"] == 3000 and record["Capital restant dû"] == 2920.26
        assert record["Décaissé le"].date() == date(2025, 11, 5)
    if what == "enveloppes":
        record = dict(zip(rows[0], rows[1], strict=True))
        assert (record["Budget"], record["Engagé"], record["Disponible"]) == (1000, 120.5, 879.5)


def test_exports_never_run_formulas(client, finance_officer, platform, lender):
    tricky = BeneficiaryFactory(platform=platform, first_name="=HYPERLINK(1)", last_name="Nom")
    make_loan(finance_officer, tricky, lender)
    signed_in(client, finance_officer)
    csv_body = client.get(reverse("finance_export", kwargs={"what": "prets", "fmt": "csv"}))
    assert "NOM '=HYPERLINK(1)" not in csv_body.content.decode("utf-8-sig")  # whole cell text
    assert ";NOM =HYPERLINK(1);" in csv_body.content.decode("utf-8-sig")
    from openpyxl import load_workbook

    xlsx = client.get(reverse("finance_export", kwargs={"what": "prets", "fmt": "xlsx"}))
    cell = load_workbook(io.BytesIO(xlsx.content)).active["B2"]
    assert (cell.value, cell.data_type) == ("NOM =HYPERLINK(1)", "s")


def test_unknown_exports_are_not_found(client, finance_officer):
    signed_in(client, finance_officer)
    assert client.get("/financements/export/personnes.csv").status_code == 404
    assert client.get("/financements/export/prets.pdf").status_code == 404


# --- The adviser's financing plan ---------------------------------------------------------


def plan_data(lines, action="save"):
    data = {"lignes-TOTAL_FORMS": str(len(lines)), "lignes-INITIAL_FORMS": "0", "action": action}
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"lignes-{i}-{key}"] = value
    return data


def test_the_booking_page_invites_to_build_the_plan(client, adviser, booking):
    signed_in(client, adviser)
    page = text(client.get(reverse("booking_detail", kwargs={"booking_id": booking.pk})))
    section = page.split('id="financement"')[1].split("</section>")[0]
    assert (
        "Pas encore de plan de financement : sans aide ni prêt, la personne paierait 300,00 €."
        in section
    )
    assert "Construire le plan de financement" in section
    assert reverse("booking_financing", kwargs={"booking_id": booking.pk}) in section


def test_a_valid_plan_is_saved_and_shown_on_the_booking_page(
    client, adviser, booking, programme, late_loan
):
    signed_in(client, adviser)
    url = reverse("booking_financing", kwargs={"booking_id": booking.pk})
    form = text(client.get(url))
    assert "Fonds mobilité insertion — reste 1 000,00 €" in form
    assert "Microcrédit personnel accompagné de 3 000,00 € — Caisse d'Épargne (décaissé)" in form
    response = client.post(url, plan_data([
        {"kind": "grant", "amount": "200", "programme": programme.pk},
        {"kind": "loan", "amount": "62,50", "loan": late_loan.pk},
        {"kind": "beneficiary", "amount": "37,50"},
        {"kind": "", "amount": ""},
    ]))  # fmt: skip
    assert response.status_code == 302
    assert response.url.endswith("#financement")
    plan = FinancingPlan.objects.get(booking=booking)
    assert sorted((line.kind, line.amount) for line in plan.lines.all()) == [
        ("beneficiary", D("37.50")), ("grant", D("200.00")), ("loan", D("62.50"))
    ]  # fmt: skip
    page = plain(client.get(response.url))
    section = page.split("Financement")[1].split("Historique")[0]
    assert "Aide : Fonds mobilité insertion 200,00 €" in section
    assert "Prêt : Microcrédit personnel accompagné 62,50 €" in section
    assert "Reste à charge de la personne : 37,50 €" in section
    assert "Modifier le plan de financement" in section
    programme.refresh_from_db()
    assert programme.committed == D("200.00")
    # The form opens again with the plan's lines.
    again = client.get(url).content.decode()
    assert 'value="200,00"' in again and 'value="37,50"' in again


def test_the_running_total_says_the_difference_in_words(client, adviser, booking):
    signed_in(client, adviser)
    url = reverse("booking_financing", kwargs={"booking_id": booking.pk})
    short = client.post(url, plan_data([{"kind": "beneficiary", "amount": "250"}], "total"),
                        headers={"HX-Request": "true"})  # fmt: skip
    body = plain(short)
    assert short.status_code == 200 and text(short).strip().startswith(
        '<div class="plan-total-short" id="plan-total-body"'
    )
    assert "Total des lignes : 250,00 € sur 300,00 €" in body
    assert "Il manque 50,00 € pour couvrir le total." in body
    assert "Reste à charge de la personne : 250,00 €" in body
    over = text(client.post(url, plan_data([{"kind": "platform", "amount": "310"}], "total")))
    assert "Les lignes dépassent le total de 10,00 €." in over and "<h1>" in over
    exact = text(client.post(url, plan_data([{"kind": "beneficiary", "amount": "300"}], "total")))
    assert "Le plan couvre exactement le total." in exact
    assert not FinancingPlan.objects.exists()


def test_a_line_can_be_added_without_javascript(client, adviser, booking):
    signed_in(client, adviser)
    url = reverse("booking_financing", kwargs={"booking_id": booking.pk})
    response = client.post(url, plan_data([{"kind": "beneficiary", "amount": "300"}], "add"))
    assert response.status_code == 200
    assert text(response).count("<legend>Ligne ") == 2
    assert 'value="300"' in response.content.decode()


def test_a_plan_that_does_not_add_up_is_refused_and_kept(client, adviser, booking, programme):
    signed_in(client, adviser)
    url = reverse("booking_financing", kwargs={"booking_id": booking.pk})
    response = client.post(url, plan_data([
        {"kind": "grant", "amount": "200", "programme": programme.pk},
        {"kind": "beneficiary", "amount": "50,5"},
    ]))  # fmt: skip
    assert response.status_code == 400
    body = text(response)
    assert "Les lignes font 250,50 € pour un total de 300,00 € (écart : 49,50 €)." in body
    assert 'value="50,5"' in response.content.decode()
    assert not FinancingPlan.objects.exists()
    programme.refresh_from_db()
    assert programme.committed == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"kind": "grant", "amount": "300"}, "Une aide vient d'une enveloppe : choisissez-la."),
        ({"kind": "loan", "amount": "300"}, "Choisissez le prêt de la personne."),
        ({"kind": "", "amount": "300"}, "Dites qui paie ce montant."),
        ({"kind": "beneficiary", "amount": ""}, "Indiquez le montant."),
        ({"kind": "beneficiary", "amount": "-300"}, "Un montant ne peut pas être négatif."),
        ({"kind": "grant", "amount": "300", "programme": "999999"},
         "Sélectionnez un choix valide"),
    ],
)  # fmt: skip
def test_plan_lines_are_checked_line_by_line(client, adviser, booking, line, message):
    signed_in(client, adviser)
    url = reverse("booking_financing", kwargs={"booking_id": booking.pk})
    response = client.post(url, plan_data([line]))
    assert response.status_code == 400
    assert message in text(response) and "Ligne 1" in text(response)


def test_a_grant_beyond_the_budget_is_a_conflict(
    client, adviser, finance_officer, platform, funder, booking, other_person
):
    small = services.programme_create(
        actor=finance_officer, platform_id=platform.pk, funder_id=funder.pk,
        name="Petite enveloppe", budget=D("300.00"), starts_on=date(2026, 1, 1),
    )  # fmt: skip
    services.award_create(actor=finance_officer, programme_id=small.pk,
                          beneficiary=other_person, amount=D("150.00"))  # fmt: skip
    signed_in(client, adviser)
    url = reverse("booking_financing", kwargs={"booking_id": booking.pk})
    assert "Petite enveloppe — reste 150,00 €" in text(client.get(url))
    response = client.post(url, plan_data([
        {"kind": "grant", "amount": "200", "programme": small.pk},
        {"kind": "beneficiary", "amount": "100"},
    ]))  # fmt: skip
    assert response.status_code == 409
    assert "L'enveloppe n'a plus assez de budget pour ce montant." in text(response)
    assert 'value="200"' in response.content.decode()


def test_a_grant_beyond_the_cap_or_for_another_public_is_refused(
    client, adviser, finance_officer, platform, funder, booking, programme
):
    # Léa already received 250 € of this envelope (capped at 500 € a person).
    services.award_create(actor=finance_officer, programme_id=programme.pk,
                          beneficiary=booking.beneficiary, amount=D("250.00"))  # fmt: skip
    signed_in(client, adviser)
    url = reverse("booking_financing", kwargs={"booking_id": booking.pk})
    response = client.post(url, plan_data([
        {"kind": "grant", "amount": "300", "programme": programme.pk},
    ]))  # fmt: skip
    assert response.status_code == 400
    assert "Plafond par personne dépassé : 250,00 € restent pour cette personne." in text(response)

    youth = services.programme_create(
        actor=finance_officer, platform_id=platform.pk, funder_id=funder.pk,
        name="Fonds d'aide aux jeunes", budget=D("5000.00"), starts_on=date(2026, 1, 1),
        eligible_situations=["youth_mission_locale"],
    )  # fmt: skip
    response = client.post(url, plan_data([
        {"kind": "grant", "amount": "300", "programme": youth.pk},
    ]))  # fmt: skip
    assert response.status_code == 400
    assert "« Fonds d'aide aux jeunes » ne finance pas ce public." in text(response)


def test_other_people_cannot_plan(client, partner_manager, prescriber, other_platform, booking):
    url = reverse("booking_financing", kwargs={"booking_id": booking.pk})
    for user in (partner_manager, prescriber):  # no financing plans in their role
        assert signed_in(client, user).get(url).status_code == 403
    assert signed_in(client, member(Role.ADVISER, other_platform)).get(url).status_code == 404


def test_finance_officers_may_plan_too(client, finance_officer, booking):
    url = reverse("booking_financing", kwargs={"booking_id": booking.pk})
    response = signed_in(client, finance_officer).post(
        url, plan_data([{"kind": "platform", "amount": "300"}])
    )
    assert response.status_code == 302


def test_a_cancelled_booking_shows_its_plan_without_a_form(client, adviser, booking):
    signed_in(client, adviser)
    url = reverse("booking_financing", kwargs={"booking_id": booking.pk})
    client.post(url, plan_data([{"kind": "beneficiary", "amount": "300"}]))
    booking_services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Déménagement")
    page = plain(client.get(url))
    assert "Cette réservation n'est plus active" in page
    assert "Reste à charge de la personne : 300,00 €" in page
    assert "Enregistrer le plan" not in page
    response = client.post(url, plan_data([{"kind": "platform", "amount": "300"}]))
    assert response.status_code == 409
    assert "Modifier le plan" not in text(
        client.get(reverse("booking_detail", kwargs={"booking_id": booking.pk}))
    )


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_the_loan_list_query_count_does_not_grow(
    client, finance_officer, platform, lender, count, django_assert_num_queries
):
    for i in range(count):
        person = BeneficiaryFactory(platform=platform, last_name=f"Nom{i:02d}")
        make_loan(finance_officer, person, lender, months=6, first_due_on=date(2026, 4, 5),
                  disbursed_on=date(2026, 3, 1) if i % 2 else None)  # fmt: skip
    signed_in(client, finance_officer)
    # session, user, memberships, managed organisations (navigation), count, page
    with django_assert_num_queries(6):
        response = client.get(reverse("loan_list"))
    assert response.status_code == 200
    assert len(re.findall(r'<th scope="row"><a href="/financements/prets/', text(response))) == min(
        count, 25
    )


@pytest.mark.parametrize("count", [2, 12])
def test_the_late_list_query_count_does_not_grow(
    client, finance_officer, platform, adviser, lender, count, django_assert_num_queries
):
    for i in range(count):
        person = BeneficiaryFactory(platform=platform, adviser=adviser, last_name=f"Nom{i:02d}")
        make_loan(finance_officer, person, lender, months=6, first_due_on=date(2026, 1, 5),
                  disbursed_on=date(2025, 12, 1))  # fmt: skip
    signed_in(client, finance_officer)
    # session, user, memberships, managed organisations (navigation), late loans, overdue
    with django_assert_num_queries(6):
        response = client.get(reverse("late_list"))
    assert f"{count} personnes en retard" in text(response)
