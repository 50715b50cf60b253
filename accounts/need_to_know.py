"""Need-to-know (DESIGN §10): who may read and write which kind of data, written once.

`TABLE` says, for each kind of data, what each viewer may do with it (read, write). Viewers
are the membership roles, `beneficiary` (a signed-in person, about their own bookings) and
`signed_in` (anyone signed in, about their own account). Everything else asks this table:

- `may(user, kind, mode, organisation=..., audience=...)`, the one predicate;
- `organisations_where` / `platforms_where`, the organisations in which the user may, for
  the selectors that filter what a role sees;
- `Need`, what a view shows, declared next to it: `@need_to_know(...)` on a page (it also
  sends signed-out visitors to the sign-in page), the attribute `need_to_know = Need(...)`
  on an API view (checked by `NeedToKnowPermission`, the API's default permission, which
  refuses a view that declares nothing), `@signed_link(...)` on a page opened by a signed
  link instead of an account.

The table is the ceiling: views and services still scope objects to the user's own
platforms, partners, referrals and bookings, and may refuse an action to a role the table
lets read (a partner confirms a booking, an adviser books it). `tests/test_need_to_know.py`
requests every URL as every role and checks the answer against this table.
"""

from collections.abc import Iterable
from enum import StrEnum
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.enums import PARTNER_ROLES, PLATFORM_ROLES, OrganisationKind, Role
from accounts.permissions import is_beneficiary
from accounts.scoping import memberships
from core.errors import PermissionDeniedError


class DataKind(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    SITUATION = "situation"
    DIAGNOSIS = "diagnosis"
    ACTION_PLAN = "action_plan"
    FOLLOW_UP = "follow_up"
    OUTCOME = "outcome"
    CONSENT = "consent"
    EXPORT = "export"
    ACCESS_LOG = "access_log"
    CASELOAD = "caseload"
    REFERRAL = "referral"
    SHARED_FOLLOW_UP = "shared_follow_up"
    BOOKINGS = "bookings"
    BOOKING_PARTIES = "booking_parties"
    BOOKING_DOCUMENTS = "booking_documents"
    FINANCING_PLAN = "financing_plan"
    PROGRAMMES = "programmes"
    LOANS = "loans"
    PORTFOLIO = "portfolio"
    CATALOGUE = "catalogue"
    PARTNER_PROFILE = "partner_profile"
    AGREEMENTS = "agreements"
    MEMBERS = "members"
    WEBHOOKS = "webhooks"
    ACCOUNT = "account"
    # Issue 16: the front door
    WAITING_LIST = "waiting_list"
    NETWORK = "network"
    RULES = "rules"
    # reporting
    INDICATORS = "indicators"
    FUNDER_REPORT = "funder_report"
    # Settlements (paying the partners)
    BANK_DETAILS = "bank_details"
    SETTLEMENTS = "settlements"
    # payments/
    PAYMENTS = "payments"
    SHARE_PAYMENT = "share_payment"
    # agenda (issue 16)
    AGENDA = "agenda"
    APPOINTMENTS = "appointments"


# What each kind holds (the documentation prints it next to the table).
MEANING: dict[DataKind, str] = {
    DataKind.IDENTITY: "a person's name and birth date",
    DataKind.CONTACT: "their phone, e-mail, address",
    DataKind.SITUATION: "situation (RSA...), project, household, income notes, licence, "
    "vehicle, French level, nationality group, eligibility, step of the support",
    DataKind.DIAGNOSIS: "the mobility diagnosis (summary, decision) and the barriers",
    DataKind.ACTION_PLAN: "the action plan",
    DataKind.FOLLOW_UP: "follow-up appointments and their notes",
    DataKind.OUTCOME: "how the support ended",
    DataKind.CONSENT: "the person's consents",
    DataKind.EXPORT: "the full JSON export of a record",
    DataKind.ACCESS_LOG: "who read a record",
    DataKind.CASELOAD: "the advisers' active files (counts)",
    DataKind.REFERRAL: "the referral (fiche de repérage) and its answer",
    DataKind.SHARED_FOLLOW_UP: "steps and dates of the support, shared with the referring "
    "prescriber while the person consents",
    DataKind.BOOKINGS: "a booking: service, dates, status, prices",
    DataKind.BOOKING_PARTIES: "the person's name and phone on a booking",
    DataKind.BOOKING_DOCUMENTS: "the voucher (PDF) and calendar entry of a booking",
    DataKind.FINANCING_PLAN: "who pays what for a booking (grants, loan, the person's share)",
    DataKind.PROGRAMMES: "grant envelopes and their awards",
    DataKind.LOANS: "loans, schedules, repayments, ledger",
    DataKind.PORTFOLIO: "portfolio, arrears, instalments due, late borrowers, exports",
    DataKind.CATALOGUE: "partners' services, prices and free slots",
    DataKind.PARTNER_PROFILE: "a partner's portal: profile, rules, closures, calendar",
    DataKind.AGREEMENTS: "partner agreements with platforms",
    DataKind.MEMBERS: "an organisation's members and invitations",
    DataKind.WEBHOOKS: "an organisation's webhook subscriptions, secrets and deliveries",
    DataKind.ACCOUNT: "one's own account and home page",
    DataKind.WAITING_LIST: "waiting lists of full services and collective sessions: who "
    "waits, for which dates, the places offered",
    DataKind.NETWORK: "the prescribers' network: organisations, their referrals by month, "
    "the referral kit",
    DataKind.RULES: "the platform's eligibility rules, appointment kinds and organisations' "
    "details",
    # reporting
    DataKind.INDICATORS: "a platform's indicators and annual bilan: counts, rates, money "
    "totals (the adviser's dashboard: their own file; the finance officer's: money)",
    DataKind.FUNDER_REPORT: "aggregated figures of the programmes a funder pays for, counts "
    "under 5 hidden, no person",
    DataKind.BANK_DETAILS: "a partner's IBAN and BIC, and their approval",
    DataKind.SETTLEMENTS: "monthly partner statements, their lines and transfer files "
    "(never a person's social data)",
    DataKind.PAYMENTS: "online payments, refunds, SEPA mandates, Stripe events (reconciliation)",
    DataKind.SHARE_PAYMENT: "paying the person's share of a booking online",
    DataKind.AGENDA: "the platform's places, advisers' opening hours and closures, free slots",
    DataKind.APPOINTMENTS: "the platform's own appointments, collective sessions and outreach "
    "dates, and who is in them",
}


class Mode(StrEnum):
    READ = "read"
    WRITE = "write"


BENEFICIARY = "beneficiary"
SIGNED_IN = "signed_in"
VIEWERS: tuple[str, ...] = (*Role.values, BENEFICIARY, SIGNED_IN)
PLATFORM_STAFF = frozenset(PLATFORM_ROLES)
PARTNERS = frozenset(PARTNER_ROLES)
PRESCRIBERS = frozenset({Role.PRESCRIBER})
BENEFICIARIES = frozenset({BENEFICIARY})

R = frozenset({Mode.READ})
RW = frozenset({Mode.READ, Mode.WRITE})
_ADMIN, _ADVISER, _FINANCE = Role.ADMIN, Role.ADVISER, Role.FINANCE_OFFICER
_MANAGER, _STAFF, _PRESCRIBER = Role.PARTNER_MANAGER, Role.PARTNER_STAFF, Role.PRESCRIBER
_FUNDER = Role.FUNDER
K = DataKind

# kind → viewer → modes. A viewer absent from a row may neither read nor write that kind.
# fmt: off
TABLE: dict[DataKind, dict[str, frozenset[Mode]]] = {
    K.IDENTITY:          {_ADMIN: RW, _ADVISER: RW, _FINANCE: R},
    K.CONTACT:           {_ADMIN: RW, _ADVISER: RW, _FINANCE: R},
    K.SITUATION:         {_ADMIN: RW, _ADVISER: RW},
    K.DIAGNOSIS:         {_ADMIN: RW, _ADVISER: RW},
    K.ACTION_PLAN:       {_ADMIN: RW, _ADVISER: RW},
    K.FOLLOW_UP:         {_ADMIN: RW, _ADVISER: RW},
    K.OUTCOME:           {_ADMIN: RW, _ADVISER: RW},
    K.CONSENT:           {_ADMIN: RW, _ADVISER: RW},
    K.EXPORT:            {_ADMIN: R, _ADVISER: R},
    K.ACCESS_LOG:        {_ADMIN: R, _ADVISER: R},
    K.CASELOAD:          {_ADMIN: R, _ADVISER: R},
    K.REFERRAL:          {_ADMIN: RW, _ADVISER: RW, _PRESCRIBER: RW},
    K.SHARED_FOLLOW_UP:  {_PRESCRIBER: R},
    K.BOOKINGS:          {_ADMIN: RW, _ADVISER: RW, _FINANCE: R, _MANAGER: RW, _STAFF: RW,
                          BENEFICIARY: RW},
    K.BOOKING_PARTIES:   {_ADMIN: R, _ADVISER: R, _FINANCE: R, _MANAGER: R, _STAFF: R,
                          BENEFICIARY: R},
    K.BOOKING_DOCUMENTS: {_ADMIN: R, _ADVISER: R, _MANAGER: R, _STAFF: R, BENEFICIARY: R},
    K.FINANCING_PLAN:    {_ADMIN: RW, _ADVISER: RW, _FINANCE: RW},
    K.PROGRAMMES:        {_ADMIN: RW, _FINANCE: RW},
    K.LOANS:             {_ADMIN: RW, _ADVISER: R, _FINANCE: RW},
    K.PORTFOLIO:         {_ADMIN: R, _FINANCE: R},
    K.CATALOGUE:         {_ADMIN: RW, _ADVISER: R, _FINANCE: R, _MANAGER: RW, _STAFF: R},
    K.PARTNER_PROFILE:   {_ADMIN: RW, _MANAGER: RW, _STAFF: R},
    K.AGREEMENTS:        {_ADMIN: RW, _MANAGER: R, _STAFF: R},
    K.MEMBERS:           {_ADMIN: RW, _MANAGER: RW},
    K.WEBHOOKS:          {_ADMIN: RW, _MANAGER: RW},
    K.ACCOUNT:           {SIGNED_IN: RW},
    K.WAITING_LIST:      {_ADMIN: RW, _ADVISER: RW, BENEFICIARY: R},
    K.NETWORK:           {_ADMIN: RW, _ADVISER: R},
    K.RULES:             {_ADMIN: RW, _ADVISER: R},
    # reporting
    K.INDICATORS:        {_ADMIN: R, _ADVISER: R, _FINANCE: R},
    K.FUNDER_REPORT:     {_ADMIN: R, _FUNDER: R},
    K.BANK_DETAILS:      {_ADMIN: RW, _FINANCE: RW, _MANAGER: RW},
    K.SETTLEMENTS:       {_ADMIN: RW, _FINANCE: RW, _MANAGER: R},
    K.PAYMENTS:          {_ADMIN: RW, _FINANCE: RW},
    K.SHARE_PAYMENT:     {_ADMIN: RW, _ADVISER: RW, BENEFICIARY: RW},
    K.AGENDA:            {_ADMIN: RW, _ADVISER: RW},
    K.APPOINTMENTS:      {_ADMIN: RW, _ADVISER: RW, BENEFICIARY: RW},
}
# fmt: on


def viewer_may(viewer: str, kind: DataKind, mode: Mode = Mode.READ) -> bool:
    """The table itself: may this viewer (a role, `beneficiary`, `signed_in`) do this?"""
    return mode in TABLE[kind].get(viewer, frozenset())


def _org_id(organisation) -> int | None:
    if organisation is None:
        return None
    return organisation if isinstance(organisation, int) else organisation.pk


def may(user, kind: DataKind, mode: Mode = Mode.READ, *, organisation=None,
        audience: Iterable[str] | None = None) -> bool:  # fmt: skip
    """Whether the user may read (or write) this kind of data: through a role held in
    `organisation` (any organisation when None), counting only the viewers in `audience`
    when given. Membership roles are read from the per-user cache; whether the user is a
    beneficiary is asked only when no role answered and the table lets beneficiaries in."""
    if user is None or not user.is_authenticated:
        return False
    wanted = frozenset(audience) if audience is not None else None
    org_id = _org_id(organisation)

    def counts(viewer: str) -> bool:
        return (wanted is None or viewer in wanted) and viewer_may(viewer, kind, mode)

    if counts(SIGNED_IN):
        return True
    for m in memberships(user):
        if (org_id is None or m.organisation_id == org_id) and counts(m.role):
            return True
    return org_id is None and counts(BENEFICIARY) and is_beneficiary(user)


def organisations_where(user, kind: DataKind, mode: Mode = Mode.READ, *,
                        org_kind: str | None = None) -> set[int]:  # fmt: skip
    """The organisations in which one of the user's roles may read (write) this kind."""
    return {
        m.organisation_id
        for m in memberships(user)
        if viewer_may(m.role, kind, mode) and (org_kind is None or m.organisation_kind == org_kind)
    }


def platforms_where(user, kind: DataKind, mode: Mode = Mode.READ) -> set[int]:
    return organisations_where(user, kind, mode, org_kind=OrganisationKind.PLATFORM)


def roles_that(kind: DataKind, mode: Mode = Mode.READ) -> list[str]:
    """The membership roles that may read (write) this kind, in `Role` order."""
    return [role for role in Role.values if viewer_may(role, kind, mode)]


# --- What a view shows --------------------------------------------------------------------


class Need:
    """What a view shows or changes: `kinds`, read on GET/HEAD/OPTIONS and written on other
    methods, unless `mode` fixes it (a page whose form changes something declares
    `Mode.WRITE`, so that the form is not shown to mere readers); `shows`, kinds it also
    shows, always read (the person's name and phone next to the booking an API call
    changes). `audience` narrows the viewers the view is for (the prescriber's pages, the
    partner's...). `link_for`: the view is opened by a signed link sent to these viewers,
    not by an account."""

    def __init__(self, *kinds: DataKind, mode: Mode | None = None,
                 shows: Iterable[DataKind] = (), audience: Iterable[str] | None = None,
                 link_for: Iterable[str] | None = None):  # fmt: skip
        if not kinds:
            raise ValueError("Need() names at least one kind of data.")
        self.kinds = tuple(DataKind(k) for k in kinds)
        self.mode = mode
        self.shows = tuple(DataKind(k) for k in shows)
        self.audience = frozenset(audience) if audience is not None else None
        self.link_for = frozenset(link_for) if link_for is not None else None

    def __repr__(self) -> str:
        return f"Need({', '.join(self.kinds)}, mode={self.mode}, audience={self.audience})"

    def checks(self, method: str) -> list[tuple[DataKind, Mode]]:
        """(kind, mode) pairs a request with this method needs."""
        if self.mode is not None:
            mode = self.mode
        else:
            mode = Mode.READ if method.upper() in SAFE_METHODS else Mode.WRITE
        return [(kind, mode) for kind in self.kinds] + [(kind, Mode.READ) for kind in self.shows]

    def allows(self, user, method: str) -> bool:
        return all(
            may(user, kind, mode, audience=self.audience) for kind, mode in self.checks(method)
        )

    def allows_viewer(self, viewer: str, method: str = "GET") -> bool:
        """The same answer for a viewer alone (the tests and the documentation)."""
        if self.audience is not None and viewer not in self.audience:
            return False
        return all(viewer_may(viewer, kind, mode) for kind, mode in self.checks(method))


def need_of(view) -> Need | None:
    """The declaration of a view: a function's attribute, or an API view class's."""
    need = getattr(view, "need_to_know", None)
    if need is None and hasattr(view, "view_class"):
        need = getattr(view.view_class, "need_to_know", None)
    return need


REFUSED = _("Ces informations sont réservées à d'autres rôles que le vôtre.")


def need_to_know(*kinds: DataKind, mode: Mode | None = None, shows: Iterable[DataKind] = (),
                 audience: Iterable[str] | None = None, refusal=REFUSED):  # fmt: skip
    """Decorate a page with what it shows: signed-out visitors go to the sign-in page, a
    role the table refuses gets 403 with `refusal` (before the view's own checks, a
    POST-only view included)."""
    need = Need(*kinds, mode=mode, shows=shows, audience=audience)

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not need.allows(request.user, request.method):
                raise PermissionDeniedError(str(refusal))
            return view(request, *args, **kwargs)

        wrapper.need_to_know = need
        return wrapper

    return decorate


def signed_link(*kinds: DataKind, link_for: Iterable[str]):
    """Declare a page opened by a signed link (no account): what it shows, and to whom the
    link is sent. The view checks the signature itself."""
    need = Need(*kinds, mode=Mode.READ, link_for=link_for)

    def decorate(view):
        view.need_to_know = need
        return view

    return decorate


class NeedToKnowPermission(BasePermission):
    """The API's default permission: signed in, and the view's `need_to_know` allows the
    user. A view that declares nothing is refused (say what it shows)."""

    message = REFUSED

    def has_permission(self, request, view):
        need = getattr(view, "need_to_know", None)
        user = request.user
        if need is None or user is None or not user.is_authenticated:
            return False
        return need.allows(user, request.method)


# --- The table as documentation ---------------------------------------------------------

VIEWER_TITLES = {
    Role.ADMIN: "admin", Role.ADVISER: "adviser", Role.FINANCE_OFFICER: "finance officer",
    Role.PARTNER_MANAGER: "partner manager", Role.PARTNER_STAFF: "partner staff",
    Role.PRESCRIBER: "prescriber", BENEFICIARY: "beneficiary", SIGNED_IN: "anyone signed in",
    Role.FUNDER: "funder",
}  # fmt: skip


def markdown_table() -> str:
    """The table in Markdown (docs/architecture.md holds a copy; a test compares them)."""
    cell = {RW: "read, write", R: "read"}
    lines = [
        "| data | " + " | ".join(VIEWER_TITLES[v] for v in VIEWERS) + " |",
        "|---" * (len(VIEWERS) + 1) + "|",
    ]
    for kind in DataKind:
        modes = [cell.get(TABLE[kind].get(v, frozenset()), "—") for v in VIEWERS]
        lines.append(f"| `{kind}`: {MEANING[kind]} | " + " | ".join(modes) + " |")
    return "\n".join(lines) + "\n"
