"""The payment pages: paying the share (policy, Stripe off), the staff booking card, the
partner's and the voucher's amounts, reconciliation (filters, totals, exports, sync, refund)
and the borrower's mandate page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bookings.documents import voucher_pdf
from core.models import Notification
from payments.enums import MandateStatus, PaymentPurpose, PaymentStatus, RefundStatus
from payments.models import Payment, Refund, SepaMandate
from payments.services_sepa import mandate_url
from tests.bookings.test_documents import pdf_text, plain
from tests.payments.conftest import confirm_with_card, stripe_api

pytestmark = pytest.mark.django_db
D = Decimal


def paid(booking, amount="7.00", status=PaymentStatus.SUCCEEDED, **fields):
    return Payment.objects.create(
        platform=booking.platform, beneficiary=booking.beneficiary, booking=booking,
        purpose=PaymentPurpose.BENEFICIARY_SHARE, amount=D(amount), status=status, **fields,
    )  # fmt: skip


def test_with_stripe_off_the_pay_page_says_so_plainly(client, shared_booking, person_user):
    client.force_login(person_user.user)
    page = client.get(reverse("pay_share", args=[shared_booking.pk]))
    assert page.status_code == 200
    assert "n'est pas activé" in page.content.decode()
    assert "stripe-form" not in page.content.decode()
    listing = client.get("/mes-rendez-vous/").content.decode()
    assert "Payer ma part" not in listing


def test_the_pay_page_loads_stripe_with_its_own_policy(client, stripe_on, shared_booking,
                                                       person_user, settings):  # fmt: skip
    client.force_login(person_user.user)
    page = client.get(reverse("pay_share", args=[shared_booking.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'src="{settings.STRIPE_JS_URL}"' in html and "js/payments.js" in html
    assert 'data-client-secret="pi_' in html and 'data-publishable-key="pk_test' in html
    policy = page["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com" in policy
    assert f"connect-src 'self' {stripe_on}" in policy
    assert "frame-src" in policy and "https://js.stripe.com" in policy.split("frame-src")[1]
    assert 'payment=(self "https://js.stripe.com")' in page["Permissions-Policy"]
    # Other pages keep the strict policy.
    other = client.get("/mes-rendez-vous/")
    assert "js.stripe.com" not in other["Content-Security-Policy"]
    assert "payment=()" in other["Permissions-Policy"]


def test_coming_back_from_stripe_shows_the_payment(client, stripe_on, shared_booking,
                                                   person_user):  # fmt: skip
    client.force_login(person_user.user)
    client.get(reverse("pay_share", args=[shared_booking.pk]))
    payment = Payment.objects.get()
    confirm_with_card(stripe_on, payment.stripe_payment_intent_id)
    page = client.get(reverse("pay_share_done", args=[shared_booking.pk]))
    assert "Merci, votre paiement est reçu" in page.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED


def test_the_staff_booking_page_shows_the_share_and_lets_the_adviser_pay(
    client, stripe_on, shared_booking, adviser, finance_officer
):
    client.force_login(adviser)
    html = client.get(reverse("booking_detail", args=[shared_booking.pk])).content.decode()
    assert "À payer : 7,00" in html and "Payer la part avec la personne" in html
    paid(shared_booking, amount="3.00")
    client.force_login(finance_officer)
    html = client.get(reverse("booking_detail", args=[shared_booking.pk])).content.decode()
    assert "Payé en partie : 3,00" in html and "reste 4,00" in html
    assert "Payer la part avec la personne" not in html
    assert reverse("payment_detail", args=[Payment.objects.get().pk]) in html


def test_the_partner_and_the_voucher_learn_the_amount_only(client, shared_booking, partner_manager):
    paid(shared_booking)
    client.force_login(partner_manager)
    html = client.get(reverse("partner_booking_detail", args=[shared_booking.pk])).content.decode()
    assert "Payé en ligne : 7,00" in html
    assert "Paiement n°" not in html and "pi_" not in html
    text = plain(pdf_text(voucher_pdf(shared_booking)))
    assert "Déjà payé en ligne par la personne" in text and "7,00" in text


def test_reconciliation_lists_filters_and_totals(client, shared_booking, finance_officer,
                                                 adviser):  # fmt: skip
    ok = paid(shared_booking, stripe_payment_intent_id="pi_a")
    paid(shared_booking, amount="3.00", status=PaymentStatus.FAILED, failure_code="card_declined")
    Refund.objects.create(payment=ok, amount=D("1.00"), reason="manual",
                          status=RefundStatus.FAILED, error="Stripe ne répond pas")  # fmt: skip
    client.force_login(finance_officer)
    page = client.get(reverse("payment_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 paiements" in html and "Totaux par jour" in html
    assert "Paiements en échec ou bloqués" in html and "Remboursements en échec" in html
    assert "Stripe ne répond pas" in html
    failed = client.get(reverse("payment_list"), {"status": "failed"}).content.decode()
    assert "1 paiement" in failed
    client.force_login(adviser)
    assert client.get(reverse("payment_list")).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports(client, shared_booking, finance_officer, fmt):
    paid(shared_booking, stripe_payment_intent_id="pi_export")
    client.force_login(finance_officer)
    response = client.get(reverse("payment_export", args=[fmt]))
    assert response.status_code == 200
    assert "paiements-" in response["Content-Disposition"]
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        assert "pi_export" in text and "7.00" in text and shared_booking.reference in text
    else:
        assert response.content[:2] == b"PK"
    assert client.get(reverse("payment_export", args=["pdf"])).status_code == 404


def test_sync_and_refund_from_the_payment_page(client, stripe_on, shared_booking, person_user,
                                               finance_officer,
                                               django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(person_user.user)
    client.get(reverse("pay_share", args=[shared_booking.pk]))
    payment = Payment.objects.get()
    confirm_with_card(stripe_on, payment.stripe_payment_intent_id)
    client.force_login(finance_officer)
    assert (
        "Synchroniser avec Stripe"
        in client.get(reverse("payment_detail", args=[payment.pk])).content.decode()
    )
    client.post(reverse("payment_sync", args=[payment.pk]))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    too_much = client.post(reverse("payment_refund", args=[payment.pk]),
                           {"amount": "8.00", "reason": "Erreur"})  # fmt: skip
    assert too_much.status_code == 409
    assert "compris entre" in too_much.content.decode()
    no_reason = client.post(reverse("payment_refund", args=[payment.pk]), {"amount": "2.00"})
    assert no_reason.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("payment_refund", args=[payment.pk]),
                           {"amount": "2.00", "reason": "Geste commercial"})  # fmt: skip
    assert done.status_code == 302
    refund = Refund.objects.get()
    assert (refund.status, refund.note, refund.requested_by) == (
        RefundStatus.SUCCEEDED,
        "Geste commercial",
        finance_officer,
    )
    payment.refresh_from_db()
    assert payment.amount_refunded == D("2.00") and payment.status == PaymentStatus.SUCCEEDED


def test_the_borrower_signs_the_mandate_from_the_link(client, stripe_on, finance_officer,
                                                     person_user):  # fmt: skip
    from financing import loans
    from tests.payments.test_gateway import _a_loan

    loan = _a_loan(loans, finance_officer, person_user)
    client.force_login(finance_officer)
    assert "pas de mandat" in client.get(reverse("mandate_list")).content.decode()
    client.post(reverse("loan_mandate_send", args=[loan.pk]))
    mandate = SepaMandate.objects.get()
    assert Notification.objects.filter(template="payments/mandate_link").exists()
    client.logout()
    link = mandate_url(mandate).split("/paiements/")[1]
    page = client.get("/paiements/" + link)
    assert page.status_code == 200 and 'data-client-secret="seti_' in page.content.decode()
    assert 'data-mode="setup"' in page.content.decode()
    stripe_api(
        stripe_on, "POST", f"/v1/setup_intents/{mandate.setup_intent_id}/confirm",
        client_secret=mandate.client_secret,
        **{"payment_method_data[type]": "sepa_debit",
           "payment_method_data[sepa_debit][iban]": "FR1420041010050500013M02606"},
    )  # fmt: skip
    done = client.get(reverse("mandate_signed", args=[link.split("/")[1]]))
    assert "votre mandat est enregistré" in done.content.decode()
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.ACTIVE and mandate.iban_last4 == "2606"
    assert client.get("/paiements/mandat/forged-token/").status_code == 404


def test_the_navigation_leads_finance_officers_to_payments(client, finance_officer, adviser):
    client.force_login(finance_officer)
    nav = client.get("/").content.decode().split('aria-label="Navigation principale"')[1]
    assert f'href="{reverse("payment_list")}"' in nav.split("</nav>")[0]
    client.force_login(adviser)
    nav = client.get("/").content.decode().split('aria-label="Navigation principale"')[1]
    assert f'href="{reverse("payment_list")}"' not in nav.split("</nav>")[0]
