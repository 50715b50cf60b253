from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.need_to_know import PARTNERS, PLATFORM_STAFF, Mode, may
from accounts.need_to_know import DataKind as K
from accounts.selectors import managed_organisations_for
from portal.home import partner_portal_url


def navigation(request):
    """Links of the main navigation: only pages that exist and that this user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = [{"label": _("Accueil"), "url": reverse("home")}]
    # Staff are not beneficiaries: skip the query their pages would pay for it.
    if not permissions.is_staff_member(user) and permissions.is_beneficiary(user):
        links.append({"label": _("Mes rendez-vous"), "url": reverse("my_bookings")})
    # What each role may open, from the need-to-know table (no query: memberships are cached).
    if may(user, K.CATALOGUE):
        links.append({"label": _("Catalogue"), "url": reverse("catalogue_search")})
    if may(user, K.REFERRAL, audience=PLATFORM_STAFF):
        links.append({"label": _("Orientations"), "url": reverse("referral_inbox")})
    if may(user, K.IDENTITY, audience=PLATFORM_STAFF):
        links.append({"label": _("Personnes"), "url": reverse("beneficiary_list")})
    if may(user, K.BOOKINGS, audience=PLATFORM_STAFF):
        links.append({"label": _("Réservations"), "url": reverse("booking_list")})
    # Issue 16: waiting lists and the prescribers' network (with the rules).
    if may(user, K.WAITING_LIST, audience=PLATFORM_STAFF):
        links.append({"label": _("Listes d'attente"), "url": reverse("waitlist_list")})
    if may(user, K.NETWORK, audience=PLATFORM_STAFF):
        links.append({"label": _("Réseau"), "url": reverse("network")})
    if may(user, K.AGENDA, audience=PLATFORM_STAFF):  # issue 16: the platform's agenda
        links.append({"label": _("Agenda"), "url": reverse("agenda_week")})
    can_manage_finance = may(user, K.PORTFOLIO)
    if can_manage_finance:
        links.append({"label": _("Financements"), "url": reverse("finance_portfolio")})
    # reporting
    if may(user, K.INDICATORS, audience=PLATFORM_STAFF):
        links.append({"label": _("Indicateurs"), "url": reverse("reporting_dashboard")})
    elif may(user, K.FUNDER_REPORT):
        links.append({"label": _("Bilan financeur"), "url": reverse("reporting_funder")})
    # Settlements: the finance team's month to close, the partner manager's statements.
    if may(user, K.SETTLEMENTS, Mode.WRITE, audience=PLATFORM_STAFF):
        links.append({"label": _("Relevés partenaires"), "url": reverse("settlement_month")})
    if may(user, K.SETTLEMENTS, audience=PARTNERS):
        links.append({"label": _("Mes relevés"), "url": reverse("settlement_my_statements")})
    # payments/: the reconciliation pages (finance officers, platform admins).
    if may(user, K.PAYMENTS):
        links.append({"label": _("Paiements"), "url": reverse("payment_list")})
    if permissions.is_partner_member(user):
        label = (
            _("Demandes de réservation")
            if permissions.is_platform_staff(user)
            else _("Réservations")
        )
        links.append({"label": label, "url": reverse("partner_booking_inbox")})
    if permissions.is_prescriber(user):
        links.append({"label": _("Mes orientations"), "url": reverse("referral_list_prescriber")})
    if permissions.is_staff_member(user) and managed_organisations_for(user=user):
        links.append({"label": _("Équipes"), "url": reverse("organisation_list")})
    if may(user, K.WEBHOOKS, Mode.WRITE):
        links.append({"label": _("Webhooks"), "url": reverse("webhook_list")})
    portal_url = partner_portal_url(user)
    if portal_url:
        links.append({"label": _("Espace partenaire"), "url": portal_url})
    links.append({"label": _("Mon compte"), "url": reverse("account_email")})
    # Pages offer "Réserver pour une personne" only to those who may book (no query).
    can_book = may(user, K.BOOKINGS, Mode.WRITE, audience=PLATFORM_STAFF)
    return {
        "nav_links": links,
        "can_book_services": can_book,
        "can_manage_finance": can_manage_finance,
    }
