"""The partner's bank details page (« Coordonnées bancaires »): its manager enters the IBAN
and BIC where the platform pays its statements."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.need_to_know import DataKind, Mode, need_to_know
from core.web import page_status, submit
from partners import services_bank
from partners.forms_bank import BankDetailsForm
from partners.views import _partner


@need_to_know(DataKind.BANK_DETAILS, mode=Mode.WRITE, shows=[DataKind.PARTNER_PROFILE])
def bank_details(request, partner_id: int):
    partner, can_manage = _partner(request.user, partner_id, manage=True)
    form = BankDetailsForm(request.POST or None, initial={"iban": partner.iban, "bic": partner.bic})
    saved = submit(request, form, services_bank.partner_bank_details_set, partner_id=partner.pk)
    if saved and saved.ok:
        partner.refresh_from_db()
        if partner.bank_details_approved:
            messages.success(request, _("Coordonnées bancaires enregistrées."))
        else:
            messages.success(
                request,
                _("Coordonnées bancaires enregistrées. L'équipe financement de la plateforme "
                  "va les vérifier avant le prochain virement."),
            )  # fmt: skip
        return redirect("partner_bank_details", partner_id=partner.pk)
    return render(
        request,
        "partners/bank_details.html",
        {
            "title": _("Coordonnées bancaires"),
            "partner": partner,
            "can_manage": can_manage,
            "form": form,
            "masked_iban": services_bank.masked_iban(partner.iban),
        },
        status=page_status(form, saved),
    )
