"""Eligibility rules, configurable per platform; the default is the Allier's (DOMAIN §4):
situation in the four groups, a defined professional project, French at A2 or above."""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from beneficiaries.enums import FRENCH_LEVEL_ORDER, FrenchLevel, Situation

DEFAULT_SITUATIONS = [
    Situation.RSA,
    Situation.YOUTH_MISSION_LOCALE,
    Situation.JOBSEEKER,
    Situation.SIAE_EMPLOYEE,
]


@dataclass(frozen=True)
class RuleResult:
    rule: str
    label: str
    met: bool
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Policy:
    situations: tuple[str, ...] = tuple(DEFAULT_SITUATIONS)
    require_project: bool = True
    min_french_level: str = FrenchLevel.A2
    validity_months: int = 6


def policy_for(platform) -> Policy:
    stored = getattr(platform, "eligibility_policy", None) if platform else None
    if stored is None:
        return Policy()
    return Policy(
        situations=tuple(stored.situations or DEFAULT_SITUATIONS),
        require_project=stored.require_project,
        min_french_level=stored.min_french_level,
        validity_months=stored.validity_months,
    )


def evaluate(policy: Policy, *, situation: str, project_defined: bool, french_level: str):
    """One result per rule, each saying in plain French why it passed or failed."""
    labels = dict(Situation.choices)
    results = [
        RuleResult(
            "situation",
            _("Situation"),
            situation in policy.situations,
            _("%(situation)s : public de la plateforme.")
            % {"situation": labels.get(situation, situation)}
            if situation in policy.situations
            else _("%(situation)s : ce public n'est pas accompagné par la plateforme.")
            % {"situation": labels.get(situation, situation or _("non renseignée"))},
        )
    ]
    if policy.require_project:
        results.append(
            RuleResult(
                "project",
                _("Projet professionnel"),
                project_defined,
                _("Projet professionnel défini.")
                if project_defined
                else _("Le projet professionnel n'est pas encore défini."),
            )
        )
    if policy.min_french_level:
        level = french_level or ""
        met = level in FRENCH_LEVEL_ORDER and FRENCH_LEVEL_ORDER.index(
            level
        ) >= FRENCH_LEVEL_ORDER.index(policy.min_french_level)
        results.append(
            RuleResult(
                "french_level",
                _("Niveau de français"),
                met,
                _("Niveau %(level)s, au moins %(minimum)s demandé.")
                % {"level": level or _("non évalué"), "minimum": policy.min_french_level},
            )
        )
    return results
