"""What each role finds on the home page: one section per role, with links to the pages of
every app (and the counts of what waits for an answer). Later features add their links here."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import permissions
from accounts.enums import Role
from accounts.scoping import memberships
from beneficiaries.selectors import referral_inbox_for
from bookings.selectors import partner_inbox
from partners.selectors import portal_partner_list


@dataclass
class HomeSection:
    role: str
    title: str
    intro: str
    organisations: list[str] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)


def _link(label: str, url_name: str) -> dict:
    return {"label": label, "url": reverse(url_name)}


_PORTAL_URL_ATTR = "_solimob_partner_portal_url"


def partner_portal_url(user) -> str | None:
    """Where "Espace partenaire" leads, or None when the user has no partner portal: straight
    to the dashboard when there is one partner (where the portal page would redirect), else
    the list. Computed once per user object."""
    if user is None or not user.is_authenticated:
        return None
    if not (permissions.is_partner_member(user) or permissions.is_platform_admin(user)):
        return None
    cached = getattr(user, _PORTAL_URL_ATTR, None)
    if cached is None:
        partners = portal_partner_list(user=user)
        cached = (
            reverse("partner_dashboard", args=[partners[0].pk])
            if len(partners) == 1
            else reverse("partner_portal")
        )
        setattr(user, _PORTAL_URL_ATTR, cached)
    return cached


def _waiting_link(label: str, url_name: str, waiting: int) -> dict:
    """« Orientations reçues (3 en attente) »: a link to what waits for the user's answer."""
    if waiting:
        label += " " + ngettext("(%(n)s en attente)", "(%(n)s en attente)", waiting) % {
            "n": waiting
        }
    return {"label": label, "url": reverse(url_name)}


def _referral_inbox_link(user) -> dict:
    """The referrals waiting for an answer."""
    waiting = referral_inbox_for(user=user).count()
    return _waiting_link(_("Orientations reçues"), "referral_inbox", waiting)


def _booking_requests_link(user) -> dict:
    """The partner's booking requests to answer."""
    waiting = partner_inbox(user=user).count()
    return _waiting_link(_("Demandes de réservation"), "partner_booking_inbox", waiting)


def home_sections(user) -> list[HomeSection]:
    """One section per role the user holds, in a stable order."""
    by_role: dict[str, list[str]] = {}
    for membership in memberships(user):
        by_role.setdefault(membership.role, []).append(membership.organisation_name)

    portal_url = partner_portal_url(user)
    portal_link = (
        [{"label": _("Ouvrir l'espace partenaire"), "url": portal_url}] if portal_url else []
    )
    team_link = (
        [_link(_("Gérer les équipes et inviter des membres"), "organisation_list")]
        if by_role.keys() & {Role.ADMIN, Role.PARTNER_MANAGER}
        else []
    )
    catalogue_link = [_link(_("Chercher un service partenaire"), "catalogue_search")]
    inbox_link = [_referral_inbox_link(user)] if by_role.keys() & {Role.ADMIN, Role.ADVISER} else []
    bookings_link = [_link(_("Réservations"), "booking_list")]
    requests_link = (
        [_booking_requests_link(user)]
        if by_role.keys() & {Role.PARTNER_MANAGER, Role.PARTNER_STAFF}
        else []
    )
    finance_links = [
        _link(_("Portefeuille de prêts"), "finance_portfolio"),
        _link(_("Enveloppes d'aides"), "programme_list"),
        _link(_("Échéances du mois"), "installments_due"),
        _link(_("Retards de remboursement"), "late_list"),
    ]
    # reporting: each platform role's dashboard; the funder's view.
    indicators_link = [_link(_("Indicateurs et bilan annuel"), "reporting_dashboard")]
    texts = {
        Role.ADMIN: (
            _("Coordination de la plateforme"),
            _("Vous gérez les organisations, les membres et les partenaires de la plateforme."),
            inbox_link
            + [_link(_("File active des conseillers"), "caseload")]
            + catalogue_link
            + bookings_link
            + team_link
            + [_link(_("Financements : aides, prêts et retards"), "finance_portfolio")]
            + ([{"label": _("Partenaires"), "url": portal_url}] if portal_url else [])
            + ([_link(_("Administration technique"), "admin:index")] if user.is_staff else [])
            + indicators_link
            + [_link(_("Ce que voient les financeurs"), "reporting_funder")],
        ),
        Role.ADVISER: (
            _("Conseil mobilité"),
            _(
                "Vous accompagnez les personnes orientées vers la plateforme : diagnostic, "
                "réservations auprès des partenaires et plan de financement."
            ),
            inbox_link
            + [
                {
                    "label": _("Mes personnes accompagnées"),
                    "url": reverse("beneficiary_list") + "?mine=on",
                }
            ]
            + catalogue_link
            + bookings_link
            + indicators_link,
        ),
        Role.FINANCE_OFFICER: (
            _("Financements"),
            _("Vous suivez les enveloppes d'aides, les prêts, les remboursements et les retards."),
            finance_links + indicators_link,
        ),
        Role.PARTNER_MANAGER: (
            _("Espace partenaire"),
            _("Vous publiez vos services, vos tarifs solidaires et vos disponibilités."),
            requests_link + portal_link + team_link,
        ),
        Role.PARTNER_STAFF: (
            _("Espace partenaire"),
            _("Vous confirmez les demandes de réservation et accueillez les personnes."),
            requests_link + portal_link,
        ),
        Role.FUNDER: (
            _("Espace financeur"),
            _(
                "Vous suivez les enveloppes que vous financez : budget, consommation et "
                "résultats, sans aucune donnée personnelle."
            ),
            [_link(_("Bilan de vos enveloppes"), "reporting_funder")],
        ),
        Role.PRESCRIBER: (
            _("Espace prescripteur"),
            _("Vous orientez les personnes que vous suivez vers la plateforme de mobilité."),
            [
                _link(_("Orienter une personne"), "referral_new"),
                _link(_("Mes orientations"), "referral_list_prescriber"),
            ],
        ),
    }
    sections = []
    for role in Role.values:
        if role not in by_role:
            continue
        title, intro, links = texts[role]
        sections.append(
            HomeSection(
                role=role, title=title, intro=intro, organisations=by_role[role], links=links
            )
        )
    if permissions.is_beneficiary(user):
        sections.append(
            HomeSection(
                role="beneficiary",
                title=_("Mes rendez-vous"),
                intro=_(
                    "Retrouvez ici vos rendez-vous avec les partenaires de la plateforme. "
                    "Votre conseiller ou votre conseillère les prend avec vous."
                ),
                links=[_link(_("Voir mes rendez-vous"), "my_bookings")],
            )
        )
    return sections
