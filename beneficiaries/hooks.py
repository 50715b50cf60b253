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
"""

from dataclasses import dataclass

from django.dispatch import Signal

from beneficiaries.models import Beneficiary

referral_answered = Signal()
person_actions = Signal()


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
