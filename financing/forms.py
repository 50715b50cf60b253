"""Forms of the finance pages and of a booking's financing plan. They read what people type
(French decimal commas, dates) and offer only the choices the user may make; the rules
themselves (budgets, caps, micro-credit limits, sums) stay in the services, whose errors
are put back next to the right fields."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from beneficiaries.enums import Situation
from core.forms import checkboxes, date_field, not_in_future
from financing.enums import ArrearsBucket, LineKind, LoanKind, LoanMethod, LoanStatus, PaymentMethod
from partners.enums import PartnerCategory
from partners.form_fields import FrenchDecimalField, ServiceErrorsMixin

# Repayments recorded by hand (online payments arrive through Stripe).
MANUAL_METHODS = [
    (value, label) for value, label in PaymentMethod.choices if value != PaymentMethod.STRIPE
]


def money_field(label, **kwargs) -> FrenchDecimalField:
    return FrenchDecimalField(label=label, max_digits=12, decimal_places=2, **kwargs)


class ProgrammeForm(ServiceErrorsMixin, forms.Form):
    """A new grant envelope (`financing.services.programme_create`)."""

    layout = (
        "platform",
        "name",
        "funder",
        ("budget", "per_beneficiary_cap"),
        ("starts_on", "ends_on"),
        "eligible_categories",
        "eligible_situations",
    )

    platform = forms.TypedChoiceField(label=_("Plateforme"), coerce=int)
    funder = forms.TypedChoiceField(
        label=_("Financeur"),
        coerce=int,
        help_text=_("L'organisation qui donne l'argent de l'enveloppe."),
        error_messages={"required": _("Choisissez le financeur.")},
    )
    name = forms.CharField(
        label=_("Nom de l'enveloppe"),
        max_length=200,
        help_text=_("Par exemple : Fonds départemental mobilité 2026."),
        error_messages={"required": _("Donnez un nom à l'enveloppe.")},
    )
    budget = money_field(
        _("Budget (€)"), error_messages={"required": _("Indiquez le budget de l'enveloppe.")}
    )
    starts_on = date_field(_("Début"), missing=_("Indiquez la date de début."))
    ends_on = date_field(_("Fin"), required=False, help_text=_("Vide : sans fin."))
    per_beneficiary_cap = money_field(
        _("Plafond par personne (€)"), required=False, help_text=_("Vide : pas de plafond.")
    )
    eligible_categories = checkboxes(
        _("Types de service financés"),
        PartnerCategory.choices,
        help_text=_("Aucune case cochée : tous les types de service."),
    )
    eligible_situations = checkboxes(
        _("Publics financés"),
        Situation.choices,
        help_text=_("Aucune case cochée : tous les publics."),
    )

    def __init__(self, *args, platforms, funders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [(p.pk, p.name) for p in platforms]
        if len(platforms) == 1:
            self.fields["platform"].widget = forms.HiddenInput()
            self.fields["platform"].initial = platforms[0].pk
        self.fields["funder"].choices = [("", _("— choisir —"))] + [(f.pk, f.name) for f in funders]


class LoanForm(ServiceErrorsMixin, forms.Form):
    """A loan application (`financing.loans.loan_create`); the schedule follows from it."""

    layout = (
        "beneficiary",
        ("kind", "lender"),
        ("principal", "annual_rate"),
        ("term_months", "grace_months"),
        ("method", "first_due_on"),
        "guarantee_share",
    )

    beneficiary = forms.TypedChoiceField(
        label=_("Personne"),
        coerce=int,
        error_messages={"required": _("Choisissez la personne qui emprunte.")},
    )
    kind = forms.ChoiceField(label=_("Type de prêt"), choices=LoanKind.choices)
    lender = forms.TypedChoiceField(
        label=_("Prêteur"),
        coerce=int,
        help_text=_("La banque ou l'association qui prête."),
        error_messages={"required": _("Choisissez le prêteur.")},
    )
    principal = money_field(
        _("Montant prêté (€)"), error_messages={"required": _("Indiquez le montant prêté.")}
    )
    annual_rate = FrenchDecimalField(
        label=_("Taux annuel (%)"),
        max_digits=6,
        decimal_places=3,
        help_text=_("0 pour un prêt sans intérêts. Par exemple 3 ou 2,5."),
        error_messages={"required": _("Indiquez le taux (0 s'il n'y a pas d'intérêts).")},
    )
    term_months = forms.IntegerField(
        label=_("Durée (mois)"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Indiquez la durée en mois."),
            "invalid": _("Écrivez un nombre de mois, par exemple 36."),
            "min_value": _("La durée est d'au moins un mois."),
        },
    )
    method = forms.ChoiceField(
        label=_("Mensualités"), choices=LoanMethod.choices, initial=LoanMethod.DECLINING_BALANCE
    )
    grace_months = forms.IntegerField(
        label=_("Différé (mois)"),
        min_value=0,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Mois au début où la personne ne paie que les intérêts."),
        error_messages={"min_value": _("Le différé ne peut pas être négatif.")},
    )
    first_due_on = date_field(
        _("Première échéance"), missing=_("Indiquez la date de la première échéance.")
    )
    guarantee_share = FrenchDecimalField(
        label=_("Part garantie (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        help_text=_(
            "Vide : 50 % pour un microcrédit (Fonds de cohésion sociale), "
            "0 pour un prêt associatif."
        ),
    )

    def __init__(self, *args, people, lenders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].choices = [("", _("— choisir —"))] + [
            (
                p.pk,
                f"{p.last_name.upper()} {p.first_name}" + (f" — {p.commune}" if p.commune else ""),
            )
            for p in people
        ]
        self.fields["lender"].choices = [("", _("— choisir —"))] + [(o.pk, o.name) for o in lenders]
        limits = settings.MICRO_CREDIT_LIMITS
        self.fields["principal"].help_text = _(
            "Un microcrédit va de %(min)s à %(max)s €, sur %(months)s mois au plus."
        ) % {
            "min": number_format(limits["min"], 0, force_grouping=True),
            "max": number_format(limits["max"], 0, force_grouping=True),
            "months": limits["max_months"],
        }


class RepaymentForm(forms.Form):
    layout = (("amount", "value_date", "method"), "note")
    amount = money_field(
        _("Montant reçu (€)"),
        min_value=Decimal("0.01"),
        error_messages={
            "required": _("Indiquez le montant reçu."),
            "min_value": _("Le montant doit être positif."),
        },
    )
    value_date = date_field(
        _("Date de valeur"),
        help_text=_("Le jour où l'argent a été reçu (pas dans le futur)."),
        missing=_("Indiquez la date de valeur."),
        validators=[not_in_future(_("La date de valeur ne peut pas être dans le futur."))],
    )
    method = forms.ChoiceField(
        label=_("Moyen de paiement"),
        choices=[("", _("— choisir —")), *MANUAL_METHODS],
        error_messages={"required": _("Indiquez comment la personne a payé.")},
    )
    note = forms.CharField(label=_("Note (facultatif)"), max_length=255, required=False)


class DisburseForm(forms.Form):
    on = date_field(
        _("Décaissé le"),
        missing=_("Indiquez la date du décaissement."),
        validators=[not_in_future(_("Le décaissement ne peut pas être dans le futur."))],
    )


# --- A booking's financing plan ----------------------------------------------------------


class PlanLineForm(forms.Form):
    """One line: who pays how much. Empty lines are ignored."""

    kind = forms.ChoiceField(
        label=_("Qui paie"),
        required=False,
        choices=[("", _("— choisir —")), *LineKind.choices],
    )
    amount = money_field(
        _("Montant (€)"),
        required=False,
        min_value=Decimal("0"),
        error_messages={"min_value": _("Un montant ne peut pas être négatif.")},
    )
    programme = forms.TypedChoiceField(label=_("Enveloppe d'aides"), coerce=int, required=False)
    loan = forms.TypedChoiceField(label=_("Prêt de la personne"), coerce=int, required=False)

    def __init__(self, *args, programmes=(), loans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", _("— aucune —")), *programmes]
        self.fields["loan"].choices = [("", _("— aucun —")), *loans]
        self.fields["programme"].empty_value = None
        self.fields["loan"].empty_value = None

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("kind") and data.get("amount") in (None, "")

    def clean(self):
        data = super().clean()
        kind, amount = data.get("kind"), data.get("amount")
        if "amount" in self.errors:
            return data
        if not kind and amount is None:
            return data
        if not kind:
            self.add_error("kind", _("Dites qui paie ce montant."))
        if amount is None:
            self.add_error("amount", _("Indiquez le montant."))
        if kind == LineKind.GRANT and not data.get("programme"):
            self.add_error("programme", _("Une aide vient d'une enveloppe : choisissez-la."))
        if kind == LineKind.LOAN and not data.get("loan"):
            self.add_error("loan", _("Choisissez le prêt de la personne."))
        return data

    def line(self) -> dict:
        data = self.cleaned_data
        line = {"kind": data["kind"], "amount": data["amount"]}
        if data["kind"] == LineKind.GRANT:
            line["programme"] = data["programme"]
        if data["kind"] == LineKind.LOAN:
            line["loan"] = data["loan"]
        return line


PlanLineFormSet = forms.formset_factory(PlanLineForm, extra=0, max_num=20, absolute_max=20)


class LoanFilterForm(forms.Form):
    q = forms.CharField(label=_("Nom de la personne"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous")), *LoanStatus.choices]
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Tous")), *LoanKind.choices]
    )
    bucket = forms.ChoiceField(
        label=_("Retard"), required=False, choices=[("", _("Tous")), *ArrearsBucket.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"
