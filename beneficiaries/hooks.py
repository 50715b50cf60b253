"""Extension points of beneficiaries for the apps above it, which plug into them from their
`AppConfig.ready()` (beneficiaries never imports them). They are Django signals:

- `referral_answered(referral)`: sent inside the transaction of the platform's answer to a
  referral (accepted or refused), after the referral is saved. A receiver writes in that
  same transaction (exchange writes its outgoing webhooks to its outbox here); if it
  raises, the answer rolls back.
- `person_actions(beneficiary, referral, request)`: asked while the staff see a person's
  record (`beneficiary`) or a referral (`referral`, in the inbox and on its page); each
  receiver returns a list of `Action`s (a label and a URL) for the user, or []. The agenda
  offers « Prendre rendez-vous : diagnostic » here.
- `person_exported(beneficiary)`: asked while the JSON export of a person's data is built
  (right of access); each receiver returns `{section: [rows]}` (JSON-ready values) for what
  its app holds on the person, or {}. Bookings adds the waiting-list entries, the agenda
  the appointments and the collective sessions.
- `person_anonymised(beneficiary, now)`: sent inside the transaction that anonymises a
  person, after the record is stripped. A receiver removes or cancels what its app still
  holds on the person in that same transaction (free text, places in line, appointments to
  come, whose seats go to the next people); if it raises, nothing is anonymised.
"""

from dataclasses import dataclass

from django.dispatch import Signal

from beneficiaries.models import Beneficiary

referral_answered = Signal()
person_actions = Signal()
person_exported = Signal()
person_anonymised = Signal()


@dataclass(frozen=True)
class Action:
    label: str
    url: str


def actions_for(*, request, beneficiary=None, referral=None) -> list[Action]:
    """The actions other apps offer on this record or referral, in the order they
    registered."""
    answers = person_actions.send(
        sender=Beneficiary, beneficiary=beneficiary, referral=referral, request=request
    )
    return [action for _receiver, actions in answers for action in actions or []]


def exported_sections(*, beneficiary) -> dict[str, list]:
    """What the other apps hold on the person, merged (a section name is one app's)."""
    sections: dict[str, list] = {}
    for _receiver, answer in person_exported.send(sender=Beneficiary, beneficiary=beneficiary):
        sections.update(answer or {})
    return sections
