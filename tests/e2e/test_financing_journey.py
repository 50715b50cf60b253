"""Financing in a real browser: the adviser builds the financing plan of one of Léa Martin's
bookings (a grant, her micro-credit and what she pays herself) and finds it on the booking
page; the finance officer records the repayment of a late borrower, whose arrears are cleared,
and sees her leave the « Retards » list."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from bookings.enums import HOLDING
from bookings.models import Booking
from financing.enums import LoanStatus
from financing.models import FinancingPlan, FundingProgramme, Loan
from tests.e2e.test_booking_journey import DESKTOP, PHONE, nav, no_sideways_scrolling, shot
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GRANT = "Département — aide à la location solidaire (RSA)"
SERVICE = "Vélo à assistance électrique"


def french(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def choose_starting_with(select, start: str) -> None:
    """Pick the option whose text starts with `start` (the rest says what is left)."""
    labels = [text.strip() for text in select.locator("option").all_text_contents()]
    select.select_option(label=next(label for label in labels if label.startswith(start)))


def demo_financing(finance_user):
    """The programme and the late micro-credit the journeys use: the demo's
    (financing/demo.py), or made here when the demo has none."""
    from datetime import timedelta

    from accounts.enums import OrganisationKind
    from accounts.models import Organisation
    from beneficiaries.models import Beneficiary
    from financing import loans, services

    platform = Organisation.objects.get(kind=OrganisationKind.PLATFORM)
    today = timezone.localdate()
    if not FundingProgramme.objects.filter(name=GRANT).exists():
        funder = Organisation.objects.filter(kind=OrganisationKind.FUNDER).first()
        services.programme_create(
            actor=finance_user, platform_id=platform.pk, funder_id=funder.pk, name=GRANT,
            budget=Decimal("25000.00"), starts_on=today.replace(month=1, day=1),
            per_beneficiary_cap=Decimal("540.00"), eligible_categories=["rental"],
            eligible_situations=["rsa"],
        )  # fmt: skip
    lea = Beneficiary.objects.get(user__email="beneficiary@demo.test")
    if not Loan.objects.filter(beneficiary=lea, kind="micro_credit").exists():
        lender = Organisation.objects.filter(kind=OrganisationKind.FUNDER).first()
        loan = loans.loan_create(
            actor=finance_user, beneficiary_id=lea.pk, kind="micro_credit", lender_id=lender.pk,
            principal=Decimal("2400.00"), annual_rate=Decimal("2.5"), term_months=36,
            first_due_on=today, method="declining_balance",
        )  # fmt: skip
        loans.loan_transition(actor=finance_user, loan_id=loan.pk, to=LoanStatus.APPROVED)
        loans.loan_transition(actor=finance_user, loan_id=loan.pk, to=LoanStatus.DISBURSED)
    late = Loan.objects.filter(kind="micro_credit", days_past_due__gt=0).order_by("days_past_due")
    if not late.exists():
        someone = Beneficiary.objects.exclude(pk=lea.pk).filter(platform=platform).first()
        lender = Organisation.objects.filter(kind=OrganisationKind.FUNDER).first()
        loan = loans.loan_create(
            actor=finance_user, beneficiary_id=someone.pk, kind="micro_credit",
            lender_id=lender.pk, principal=Decimal("1500.00"), annual_rate=Decimal("3"),
            term_months=24, first_due_on=today - timedelta(days=20), method="declining_balance",
        )  # fmt: skip
        loans.loan_transition(actor=finance_user, loan_id=loan.pk, to=LoanStatus.APPROVED)
        loans.loan_transition(actor=finance_user, loan_id=loan.pk, to=LoanStatus.DISBURSED,
                              on=today - timedelta(days=50))  # fmt: skip
        loans.arrears_update_all()
    return late.select_related("beneficiary").first()


def test_the_adviser_builds_a_financing_plan_with_a_grant_and_a_micro_credit(
    page, live_server, demo_data
):
    from accounts.models import User

    demo_financing(User.objects.get(email="finance@demo.test"))
    booking = Booking.objects.filter(
        beneficiary__user__email="beneficiary@demo.test", service__name=SERVICE,
        status__in=HOLDING,
    ).first()  # fmt: skip
    assert booking is not None, "the demo has a holding e-bike booking for Léa Martin"
    total = booking.total_price
    grant, loan_part = (total * Decimal("0.75")).quantize(Decimal("0.01")), Decimal("0.30")
    share = total - grant - loan_part
    assert share > 0

    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "adviser@demo.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Karim")
    expect(nav(page).get_by_role("link", name="Financements")).to_have_count(0)
    page.goto(f"{live_server.url}{reverse('booking_detail', args=[booking.pk])}")
    section = page.locator("#financement")
    expect(section).to_contain_text("Pas encore de plan de financement")
    section.get_by_role("link", name="Construire le plan de financement").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Plan de financement")
    line = page.get_by_role("group", name="Ligne 1")
    line.get_by_label("Qui paie").select_option(label="Aide")
    line.get_by_label("Montant (€)").fill(french(grant))
    choose_starting_with(line.get_by_label("Enveloppe d'aides"), f"{GRANT} — reste")
    line = page.get_by_role("group", name="Ligne 2")
    line.get_by_label("Qui paie").select_option(label="Prêt")
    line.get_by_label("Montant (€)").fill(french(loan_part))
    choose_starting_with(
        line.get_by_label("Prêt de la personne"), "Microcrédit personnel accompagné"
    )
    total_box = page.locator("#plan-total")
    expect(total_box).to_contain_text(f"Il manque {french(share)}")  # updated as one types
    line = page.get_by_role("group", name="Ligne 3")
    line.get_by_label("Qui paie").select_option(label="Reste à charge de la personne")
    line.get_by_label("Montant (€)").fill(french(share))
    expect(total_box).to_contain_text("Le plan couvre exactement le total.")
    expect(total_box).to_contain_text(f"Reste à charge de la personne : {french(share)}")
    no_sideways_scrolling(page)
    shot(page, "financing_plan_desktop")
    page.set_viewport_size(PHONE)
    no_sideways_scrolling(page)
    shot(page, "financing_plan_phone")
    page.get_by_role("button", name="Enregistrer le plan").click()

    expect(page.get_by_role("status")).to_contain_text("Plan de financement enregistré.")
    section = page.locator("#financement")
    expect(section).to_contain_text(f"Aide : {GRANT}")
    expect(section).to_contain_text("Prêt : Microcrédit personnel accompagné")
    expect(section).to_contain_text(f"Reste à charge de la personne : {french(share)}")
    expect(section.get_by_role("link", name="Modifier le plan de financement")).to_be_visible()
    lines = FinancingPlan.objects.get(booking=booking).lines.order_by("pk")
    assert [(line.kind, line.amount) for line in lines] == [
        ("grant", grant), ("loan", loan_part), ("beneficiary", share)
    ]  # fmt: skip
    no_sideways_scrolling(page)
    shot(page, "financing_booking_detail_phone")


def test_the_finance_officer_clears_a_late_borrower(page, live_server, demo_data):
    from accounts.models import User

    loan = demo_financing(User.objects.get(email="finance@demo.test"))
    person = loan.beneficiary
    name = f"{person.last_name.upper()} {person.first_name}"
    today = timezone.localdate()
    overdue = sum(
        (i.outstanding for i in loan.installments.filter(due_on__lt=today)), Decimal("0.00")
    )
    assert overdue > 0

    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, "finance@demo.test")
    nav(page).get_by_role("link", name="Financements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portefeuille de prêts")
    expect(page.locator("#par30")).to_have_text(re.compile(r"^\d+,\d\s%$"))
    expect(page.locator("#overdue30")).to_have_text(re.compile(r"^\d+,\d\s%$"))
    no_sideways_scrolling(page)
    shot(page, "financing_portfolio_desktop")
    page.set_viewport_size(PHONE)
    no_sideways_scrolling(page)
    shot(page, "financing_portfolio_phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("navigation", name="Pages des financements").get_by_role(
        "link", name="Retards"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retards de remboursement")
    row = page.locator(f"#retard-{loan.pk}")
    expect(row).to_contain_text(name)
    expect(row).to_contain_text(f"{french(overdue)}")
    shot(page, "financing_late_desktop")
    row.get_by_role("link", name=name).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Prêt de {name}")
    form = page.locator("#remboursement")
    form.get_by_label("Montant reçu (€)").fill(french(overdue))
    form.get_by_label("Moyen de paiement").select_option(label="Virement")
    form.get_by_role("button", name="Enregistrer le remboursement").click()

    expect(page.get_by_role("status")).to_contain_text(
        f"Remboursement de {french(overdue)} € enregistré. Réparti ainsi : échéance"
    )
    expect(page.locator("tr.entry-new")).to_contain_text(french(overdue))
    expect(page.locator(".installment-late")).to_have_count(0)
    shot(page, "financing_loan_after_repayment_desktop")
    loan.refresh_from_db()
    assert loan.days_past_due == 0

    page.get_by_role("navigation", name="Pages des financements").get_by_role(
        "link", name="Retards"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retards de remboursement")
    expect(page.locator(f"#retard-{loan.pk}")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(name)
