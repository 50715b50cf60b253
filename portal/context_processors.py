from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.need_to_know import PLATFORM_STAFF, Mode, may
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
    if may(user, K.AGENDA, audience=PLATFORM_STAFF):  # issue 16: the platform's agenda
        links.append({"label": _("Agenda"), "url": reverse("agenda_week")})
    can_manage_finance = may(user, K.PORTFOLIO)
    if can_manage_finance:
        links.append({"label": _("Financements"), "url": reverse("finance_portfolio")})
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
