"""data·inclusion `Service` objects: partners' published services and the platforms' own
offers (see `exchange.datainclusion` for the field-by-field mapping)."""

from data_inclusion.schema.v1 import Frais, ModeAccueil, Thematique, TypeService
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import euros
from exchange.datainclusion import (
    CATEGORY_THEMATIQUES,
    CATEGORY_TYPE,
    _mobilisation,
    _place,
    conditions_of,
    day_of,
    name_of,
    publics_of,
    source,
    structure_id,
    unit_price_text,
)
from exchange.opening_hours import opening_hours
from financing.enums import LoanKind
from partners.enums import PartnerCategory

PRESENTIEL = [ModeAccueil.EN_PRESENTIEL.value]
HOW = gettext_lazy(
    "Comment en bénéficier : un·e professionnel·le oriente la personne vers la plateforme ; "
    "son ou sa conseiller·ère mobilité vérifie avec elle les conditions, réserve ou demande le "
    "service pour elle et l'accompagne jusqu'au bout."
)


def _zone(codes: list[str], platforms) -> list[str] | None:
    if codes:
        return codes
    territories = sorted({p.territory for p in platforms if p.territory})
    return territories or None


def partner_service(service, *, platforms, area: list[str], rules: list, insee, today) -> dict:
    partner = service.partner
    organisation = partner.organisation
    category = PartnerCategory(service.category)
    publics, publics_wording = publics_of(platforms)
    intro = service.description.strip() or _("%(category)s : %(name)s.") % {
        "category": category.label, "name": service.name,
    }  # fmt: skip
    lines = [
        intro,
        _("Proposé par %(partner)s%(place)s, partenaire de %(platforms)s.")
        % {
            "partner": organisation.name,
            "place": f" ({organisation.commune})" if organisation.commune else "",
            "platforms": ", ".join(p.name for p in platforms) or _("la plateforme"),
        },
    ]
    if partner.wheelchair_accessible:
        lines.append(_("Lieu accessible en fauteuil roulant."))
    lines.append(str(HOW))
    free = service.solidarity_price == 0
    prices = [unit_price_text(service)]
    if service.deposit:
        prices.append(_("Caution : %(deposit)s.") % {"deposit": euros(service.deposit)})
    prices.append(_("Le reste à charge peut être couvert par une aide de la plateforme."))
    return {
        "source": source(),
        "structure_id": structure_id(organisation.pk),
        "id": f"{source()}--service-{service.pk}",
        "nom": name_of(service.name, str(category.label)),
        "description": "\n\n".join(lines),
        "lien_source": None,
        "date_maj": day_of(max(service.updated_at, partner.updated_at)),
        "type": CATEGORY_TYPE[category].value,
        "thematiques": sorted(t.value for t in CATEGORY_THEMATIQUES[category]),
        "frais": (Frais.GRATUIT if free else Frais.PAYANT).value,
        "frais_precisions": " ".join(prices),
        "publics": publics,
        "publics_precisions": publics_wording,
        "conditions_acces": conditions_of(platforms, service.eligibility_note),
        **_place(organisation, insee),
        "complement_adresse": None,
        "telephone": None,
        "courriel": None,
        "contact_nom_prenom": None,
        "modes_accueil": PRESENTIEL,
        "zone_eligibilite": _zone(area, platforms),
        **_mobilisation(platforms),
        "volume_horaire_hebdomadaire": None,
        "nombre_semaines": None,
        "horaires_accueil": opening_hours(rules, today=today),
    }


def _offer_texts(offer) -> tuple[str, str, str, str | None]:
    """(name, type, thematique, fee wording) of a platform's own offer."""
    if offer.kind == "diagnosis":
        return (
            _("Diagnostic mobilité"),
            TypeService.ACCOMPAGNEMENT,
            Thematique.MOBILITE__ETRE_ACCOMPAGNE_DANS_SON_PARCOURS_MOBILITE,
            _("Gratuit pour la personne."),
        )
    if offer.kind == LoanKind.MICRO_CREDIT:
        limits = settings.MICRO_CREDIT_LIMITS
        fees = _("Accompagnement gratuit. Prêt de %(min)s à %(max)s, remboursable en %(months)s "
                 "mois au plus, intérêts compris selon l'organisme prêteur.") % {
            "min": euros(limits["min"]), "max": euros(limits["max"]),
            "months": limits["max_months"],
        }  # fmt: skip
        return (
            _("Microcrédit personnel pour la mobilité"),
            TypeService.AIDE_FINANCIERE,
            Thematique.MOBILITE__FINANCER_MA_MOBILITE,
            fees,
        )
    if offer.kind == LoanKind.ASSOCIATION_LOAN:
        return (
            _("Prêt associatif pour la mobilité"),
            TypeService.AIDE_FINANCIERE,
            Thematique.MOBILITE__FINANCER_MA_MOBILITE,
            _("Accompagnement gratuit ; le prêt se rembourse selon un échéancier adapté."),
        )
    programme = offer.programme
    cap = (
        _(" Jusqu'à %(cap)s par personne.") % {"cap": euros(programme.per_beneficiary_cap)}
        if programme.per_beneficiary_cap
        else ""
    )
    return (
        programme.name,
        TypeService.AIDE_FINANCIERE,
        Thematique.MOBILITE__FINANCER_MA_MOBILITE,
        _("Aide non remboursable, versée au partenaire pour la personne.") + cap,
    )


OFFER_DESCRIPTIONS = {
    "diagnosis": gettext_lazy(
        "Un·e conseiller·ère mobilité fait le point avec la personne sur ses déplacements vers "
        "l'emploi ou la formation : permis, véhicule, budget, lecture d'un plan, peur de "
        "conduire… puis construit avec elle un plan d'action et l'accompagne."
    ),
    LoanKind.MICRO_CREDIT: gettext_lazy(
        "Un prêt accompagné pour acheter ou réparer un véhicule, passer le permis ou payer une "
        "location, quand la banque ne prête pas ; la plateforme monte le dossier et suit le "
        "remboursement."
    ),
    LoanKind.ASSOCIATION_LOAN: gettext_lazy(
        "Un prêt de la plateforme ou d'une association partenaire pour financer une solution de "
        "mobilité, remboursé à petites mensualités."
    ),
    "grant": gettext_lazy(
        "Une aide financière pour payer un service de mobilité solidaire (réparation, location, "
        "transport, permis) réservé par la plateforme."
    ),
}


def platform_offer(offer, *, insee, today) -> dict:
    platform = offer.platform
    name, kind, thematique, fees = _offer_texts(offer)
    description = str(OFFER_DESCRIPTIONS[offer.kind])
    publics, publics_wording = publics_of([platform])
    conditions = conditions_of([platform])
    changed = platform.updated_at
    if offer.programme is not None:
        programme = offer.programme
        description += " " + _("Financée par %(funder)s.") % {"funder": programme.funder.name}
        changed = max(changed, programme.updated_at)
        if programme.eligible_situations:
            publics, publics_wording = publics_of([_Only(platform, programme)])
        if programme.eligible_categories:
            labels = dict(PartnerCategory.choices)
            conditions += "\n" + _("Pour : %(categories)s.") % {
                "categories": ", ".join(
                    str(labels.get(c, c)) for c in programme.eligible_categories
                )
            }
    return {
        "source": source(),
        "structure_id": structure_id(platform.pk),
        "id": f"{source()}--{offer.key}",
        "nom": name_of(name, str(_("Aide à la mobilité"))),
        "description": f"{description}\n\n{HOW}",
        "lien_source": None,
        "date_maj": day_of(changed),
        "type": kind.value,
        "thematiques": [thematique.value],
        "frais": Frais.GRATUIT.value,
        "frais_precisions": fees,
        "publics": publics,
        "publics_precisions": publics_wording,
        "conditions_acces": conditions,
        **_place(platform, insee),
        "complement_adresse": None,
        "telephone": None,
        "courriel": None,
        "contact_nom_prenom": None,
        "modes_accueil": PRESENTIEL,
        "zone_eligibilite": [platform.territory] if platform.territory else None,
        **_mobilisation([platform]),
        "volume_horaire_hebdomadaire": None,
        "nombre_semaines": None,
        "horaires_accueil": None,
    }


class _Only:
    """A platform seen through a programme: its situations are the programme's."""

    def __init__(self, platform, programme):
        self.name, self.territory = platform.name, platform.territory
        self.eligibility_policy = _Situations(programme.eligible_situations)


class _Situations:
    def __init__(self, situations):
        self.situations = list(situations)
        self.require_project, self.min_french_level, self.validity_months = False, "", 6
