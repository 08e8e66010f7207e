"""States and choices of the calls app. The lifecycle is data: CALL_TRANSITIONS lists
every allowed move with its guard in domain.py; services.call_transition is the only code
that applies one."""

from django.db import models
from django.utils.translation import gettext as _, pgettext_lazy

from programme.states import Transition, Transitions


class CallState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("call state", "Draft")
    OPEN = "open", pgettext_lazy("call state", "Open")
    CLOSED = "closed", pgettext_lazy("call state", "Closed")
    IN_EVALUATION = "in_evaluation", pgettext_lazy("call state", "In evaluation")
    DECIDED = "decided", pgettext_lazy("call state", "Decided")
    ARCHIVED = "archived", pgettext_lazy("call state", "Archived")


def _call_cannot_move(source: str, target: str) -> str:
    return _("A call cannot go from “%(from)s” to “%(to)s”.") % {
        "from": CallState(source).label,
        "to": CallState(target).label,
    }


# Every allowed move: (from, to, the guard in domain.py that must pass, the services).
CALL_TRANSITIONS = Transitions(
    states=CallState,
    initial=CallState.DRAFT,
    moves=(
        Transition(CallState.DRAFT, CallState.OPEN, "can_open", ("call_transition",)),
        Transition(CallState.OPEN, CallState.CLOSED, "can_close", ("call_transition",)),
        Transition(
            CallState.CLOSED, CallState.IN_EVALUATION, "can_start_evaluation", ("call_transition",)
        ),
        Transition(CallState.IN_EVALUATION, CallState.DECIDED, "can_decide", ("call_transition",)),
        Transition(CallState.DECIDED, CallState.ARCHIVED, "can_archive", ("call_transition",)),
    ),
    terminal=frozenset({CallState.ARCHIVED}),
    not_allowed=_call_cannot_move,
)


class AidCapScope(models.TextChoices):
    """Over what the maximum aid per company is counted (DOMAIN.md §4)."""

    APPLICATION = "application", pgettext_lazy("aid cap scope", "Per application")
    CALL = (
        "call",
        pgettext_lazy("aid cap scope", "Per company over all its funded projects of the call"),
    )


class Instrument(models.TextChoices):
    ICON = "icon", pgettext_lazy("instrument", "ICON project")


class LedgerEntryKind(models.TextChoices):
    RESERVE = "reserve", pgettext_lazy("ledger entry", "Reservation")
    UNRESERVE = "unreserve", pgettext_lazy("ledger entry", "Reservation lifted")
    COMMIT = "commit", pgettext_lazy("ledger entry", "Commitment")
    RELEASE = "release", pgettext_lazy("ledger entry", "Release")
    TRANSFER_OUT = "transfer_out", pgettext_lazy("ledger entry", "Transfer out")
    TRANSFER_IN = "transfer_in", pgettext_lazy("ledger entry", "Transfer in")
    # Committed money paid out to a funded project (governance.funding): paid ≤ committed.
    PAYMENT = "payment", pgettext_lazy("ledger entry", "Payment")


class TieBreak(models.TextChoices):
    """Steps to order proposals with equal weighted totals, applied in the call's order."""

    CRITERION_1 = "criterion_1", pgettext_lazy("tie-break", "Higher score on the first criterion")
    CRITERION_2 = "criterion_2", pgettext_lazy("tie-break", "Higher score on the second criterion")
    SME_SHARE = "sme_share", pgettext_lazy("tie-break", "Higher SME share of the budget")
    LOWER_AID = "lower_aid", pgettext_lazy("tie-break", "Lower requested aid")
    EARLIER_SUBMISSION = "earlier", pgettext_lazy("tie-break", "Earlier submission")


DEFAULT_TIE_BREAK = [
    TieBreak.CRITERION_1,
    TieBreak.CRITERION_2,
    TieBreak.SME_SHARE,
    TieBreak.LOWER_AID,
    TieBreak.EARLIER_SUBMISSION,
]


class ReminderKind(models.TextChoices):
    """Deadline reminders to registered applicants; each is sent at most once per person."""

    WEEK = "7d", pgettext_lazy("reminder", "7 days before the deadline")
    DAY = "1d", pgettext_lazy("reminder", "1 day before the deadline")


class PreregistrationState(models.TextChoices):
    """Where a pre-registration stands in a call with a pre-selection stage."""

    REGISTERED = "registered", pgettext_lazy("pre-registration state", "Registered")
    PRESELECTED = "preselected", pgettext_lazy("pre-registration state", "Pre-selected")
    NOT_PRESELECTED = "not_preselected", pgettext_lazy("pre-registration state", "Not pre-selected")


# Staff pre-select registrations of a call in one go (services.preselection_record): the
# chosen ones up to the call's ceiling, the rest turned down with a reason. Final.
PREREGISTRATION_TRANSITIONS = Transitions(
    states=PreregistrationState,
    initial=PreregistrationState.REGISTERED,
    moves=(
        Transition(
            PreregistrationState.REGISTERED,
            PreregistrationState.PRESELECTED,
            "can_preselect",
            ("preselection_record",),
        ),
        Transition(
            PreregistrationState.REGISTERED,
            PreregistrationState.NOT_PRESELECTED,
            "can_turn_down_preregistration",
            ("preselection_record",),
        ),
    ),
    terminal=frozenset({PreregistrationState.PRESELECTED, PreregistrationState.NOT_PRESELECTED}),
)
