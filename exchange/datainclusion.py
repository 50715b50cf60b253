"""Solimob's catalogue as data·inclusion schema v1 objects (PyPI `data-inclusion-schema`,
whose pydantic models `Structure` and `Service` are the reference; the tests validate every
object with them). Values of the schema's vocabularies are taken from its enums, so a
change of the schema breaks here, loudly.

Field by field:
- `thematiques` from the service's category; the platform's offers: support
  (`…etre-accompagne-dans-son-parcours-mobilite`) and money (`…financer-ma-mobilite`);
- `frais` from the solidarity price (free at 0), with the prices and the deposit in words;
- `publics` and `conditions_acces` from the eligibility rules of the platforms that book
  the service (situations → publics; project, French level, the service's own note);
- `zone_eligibilite`: the INSEE codes of the communes served (named, or within the radius),
  else the platforms' départements;
- address, INSEE code and coordinates of the organisation; `horaires_accueil` in OSM
  `opening_hours` syntax from the availability rules in force;
- how to mobilise it: through a prescriber (`professionnels`), by the platform's referral
  form (`lien_mobilisation`, the front door).
Never a person: only organisations, services, rules, programmes and loan kinds."""

from datetime import UTC, date

from data_inclusion.schema.v1 import (
    ModeMobilisation,
    PersonneMobilisatrice,
    Public,
    Thematique,
    TypeService,
)
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.eligibility import policy_for
from beneficiaries.enums import FrenchLevel, Situation
from core.formatting import euros
from exchange.opening_hours import opening_hours
from partners.enums import PartnerCategory, ServiceUnit

T = Thematique
CATEGORY_THEMATIQUES = {
    PartnerCategory.GARAGE: [T.MOBILITE__ENTRETENIR_REPARER_SON_VEHICULE],
    PartnerCategory.RENTAL: [T.MOBILITE__ACCEDER_A_UN_VEHICULE],
    PartnerCategory.TRANSPORT: [
        T.MOBILITE__UTILISER_DES_SERVICES_DE_MOBILITE_DOUCE_PARTAGEE_COLLECTIVE
    ],
    PartnerCategory.DRIVING_SCHOOL: [T.MOBILITE__PREPARER_UN_PERMIS],
}
CATEGORY_TYPE = {
    PartnerCategory.GARAGE: TypeService.AIDE_MATERIELLE,
    PartnerCategory.RENTAL: TypeService.AIDE_MATERIELLE,
    PartnerCategory.TRANSPORT: TypeService.AIDE_MATERIELLE,
    PartnerCategory.DRIVING_SCHOOL: TypeService.FORMATION,
}
SITUATION_PUBLICS = {
    Situation.RSA: Public.BENEFICIAIRES_DES_MINIMAS_SOCIAUX,
    Situation.YOUTH_MISSION_LOCALE: Public.JEUNES,
    Situation.JOBSEEKER: Public.DEMANDEURS_EMPLOI,
    Situation.SIAE_EMPLOYEE: Public.ACTIFS,
}


def source() -> str:
    return settings.DATA_INCLUSION_SOURCE


def structure_id(organisation_id: int) -> str:
    return f"{source()}--{organisation_id}"


def day_of(moment) -> str:
    """The UTC day of a change, never after today (the schema refuses future dates)."""
    today = date.today()  # noqa: DTZ011 — the schema compares with the local day of the process
    return min(moment.astimezone(UTC).date(), today).isoformat()


def front_door() -> str:
    return settings.SITE_URL + reverse("referral_new")


def name_of(text: str, fallback: str) -> str:
    """3 to 150 characters, not ending with a full stop."""
    text = " ".join(text.split()).rstrip(".")
    if len(text) < 3:
        text = f"{text} – {fallback}".strip(" –")
    return text[:150].rstrip(".")


def _place(organisation, insee: dict[int, str]) -> dict:
    postcode = organisation.postcode if len(organisation.postcode or "") == 5 else None
    return {
        "commune": organisation.commune or None,
        "code_postal": postcode,
        "code_insee": insee.get(organisation.pk),
        "adresse": organisation.address or None,
        "latitude": float(organisation.latitude) if organisation.latitude is not None else None,
        "longitude": float(organisation.longitude) if organisation.longitude is not None else None,
    }


def _sorted(values) -> list[str]:
    return sorted(str(value.value if hasattr(value, "value") else value) for value in values)


# --- Eligibility → publics and conditions ----------------------------------------------


def publics_of(platforms) -> tuple[list[str] | None, str | None]:
    """(publics, their precise wording) from the eligibility rules of these platforms."""
    situations: set[str] = set()
    for platform in platforms:
        situations |= set(policy_for(platform).situations)
    if not situations:
        return None, None
    labels = dict(Situation.choices)
    wording = ", ".join(str(labels.get(s, s)) for s in Situation.values if s in situations)
    if Situation.OTHER in situations:
        return [Public.TOUS_PUBLICS.value], wording
    return _sorted({SITUATION_PUBLICS[s] for s in situations if s in SITUATION_PUBLICS}), wording


def conditions_of(platforms, note: str = "") -> str | None:
    levels = dict(FrenchLevel.choices)
    sentences = []
    for platform in platforms:
        policy = policy_for(platform)
        rules = [_("être orienté·e par un·e prescripteur·rice vers %(name)s")
                 % {"name": platform.name}]  # fmt: skip
        if policy.require_project:
            rules.append(_("avoir un projet professionnel défini"))
        if policy.min_french_level:
            rules.append(
                _("parler français au niveau %(level)s au moins")
                % {"level": levels.get(policy.min_french_level, policy.min_french_level)}
            )
        text = ", ".join(rules)
        sentences.append(text[:1].upper() + text[1:] + ".")
    if note.strip():
        sentences.append(note.strip())
    return "\n".join(dict.fromkeys(sentences)) or None


def _mobilisation(platforms) -> dict:
    names = ", ".join(platform.name for platform in platforms) or _("la plateforme")
    return {
        "lien_mobilisation": front_door(),
        "modes_mobilisation": [ModeMobilisation.UTILISER_LIEN_MOBILISATION.value],
        "mobilisable_par": [PersonneMobilisatrice.PROFESSIONNELS.value],
        "mobilisation_precisions": _(
            "Sur prescription : un·e professionnel·le (France Travail, Mission Locale, CCAS, "
            "référent·e RSA, SIAE…) oriente la personne vers %(names)s avec la fiche de "
            "repérage en ligne ; la plateforme fait le diagnostic mobilité puis réserve et "
            "finance le service avec la personne."
        )
        % {"names": names},
    }


# --- Structures ---------------------------------------------------------------------------


def structure(organisation, *, insee: dict[int, str], rules: list, today) -> dict:
    partner = getattr(organisation, "partner", None) if organisation.kind == "partner" else None
    if partner is not None:
        label = str(PartnerCategory(partner.category).label)
        description = partner.description.strip() or _(
            "%(category)s partenaire d'une plateforme de mobilité solidaire : services à "
            "tarif solidaire pour les personnes accompagnées vers l'emploi."
        ) % {"category": label}
        changed = max(organisation.updated_at, partner.updated_at)
    else:
        label = _("Plateforme de mobilité solidaire")
        description = _(
            "Plateforme de mobilité solidaire : diagnostic mobilité, conseil et accompagnement "
            "des personnes en insertion, réservation de services solidaires (garages, location "
            "de véhicules, transport, auto-écoles sociales) et aides pour les financer."
        )
        changed = organisation.updated_at
    siret = organisation.siret if len(organisation.siret or "") == 14 else None
    return {
        "source": source(),
        "id": structure_id(organisation.pk),
        "nom": name_of(organisation.name, label),
        "date_maj": day_of(changed),
        "description": description if len(description) >= 5 else None,
        "siret": siret,
        **_place(organisation, insee),
        "horaires_accueil": opening_hours(rules, today=today),
        "lien_source": None,
        "telephone": None,
        "courriel": None,
        "site_web": None,
        "accessibilite_lieu": None,
        "reseaux_porteurs": None,
    }


def now_day():
    return timezone.localdate()


def unit_price_text(service) -> str:
    price = euros(service.solidarity_price)
    if service.unit == ServiceUnit.FLAT:
        text = _("%(price)s le forfait") % {"price": price}
    else:
        text = _("%(price)s par %(unit)s") % {
            "price": price, "unit": ServiceUnit(service.unit).label,
        }  # fmt: skip
    return text + _(" (tarif solidaire ; prix du marché : %(market)s)") % {
        "market": euros(service.market_price)
    }
