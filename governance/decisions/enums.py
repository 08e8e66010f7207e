"""Choices of the decision side: who decides an aid, the funding cut's policy, the
advice and decision outcomes, the kinds of letter, the decision proposal's states (its
transitions as data) and the steering group's votes on it."""

from django.db import models
from django.utils.translation import gettext as _, pgettext_lazy

from programme.states import Transition, Transitions


class DecidingLevel(models.TextChoices):
    """Who takes the funding decision for an aid amount (DOMAIN.md §2)."""

    ADMINISTRATOR_GENERAL = (
        "administrator_general",
        pgettext_lazy("deciding level", "Administrator-general"),
    )
    DECISION_COMMITTEE = "decision_committee", pgettext_lazy("deciding level", "Decision committee")


class CutPolicy(models.TextChoices):
    """What the funding cut does with a proposal that does not fit the remaining budget."""

    STOP = "stop", pgettext_lazy("funding cut", "Stop at the first proposal that does not fit")
    SKIP = "skip", pgettext_lazy("funding cut", "Skip it and fund lower-ranked ones that fit")


class AdviceOutcome(models.TextChoices):
    FUND = "fund", pgettext_lazy("advice", "Fund")
    RESERVE = "reserve", pgettext_lazy("advice", "Reserve list")
    REJECT = "reject", pgettext_lazy("advice", "Reject")


class DecisionOutcome(models.TextChoices):
    FUND = "fund", pgettext_lazy("decision", "Funded")
    RESERVE = "reserve", pgettext_lazy("decision", "Reserve list")
    REJECT = "reject", pgettext_lazy("decision", "Rejected")


class LetterKind(models.TextChoices):
    DECISION = "decision", pgettext_lazy("letter", "Decision letter")
    ESR = "esr", pgettext_lazy("letter", "Evaluation Summary Report")
    RESERVE = "reserve", pgettext_lazy("letter", "Decision letter: funded from the reserve list")


class ProposalState(models.TextChoices):
    """A decision proposal: staff prepare it from the ranking, the steering group votes
    on it in a meeting, staff record the funding decisions once it is approved."""

    DRAFT = "draft", pgettext_lazy("proposal state", "Draft")
    ON_AGENDA = "on_agenda", pgettext_lazy("proposal state", "On the steering group's agenda")
    APPROVED = "approved", pgettext_lazy("proposal state", "Approved by the steering group")
    DECIDED = "decided", pgettext_lazy("proposal state", "Decisions recorded")
    REJECTED = "rejected", pgettext_lazy("proposal state", "Rejected by the steering group")


class VoteChoice(models.TextChoices):
    APPROVE = "approve", pgettext_lazy("vote", "Approve")
    AMEND = "amend", pgettext_lazy("vote", "Amend")
    REJECT = "reject", pgettext_lazy("vote", "Reject")


def _proposal_cannot_move(source: str, target: str) -> str:
    return _("The decision proposal is “%(state)s”; it cannot become “%(to)s”.") % {
        "state": ProposalState(source).label,
        "to": ProposalState(target).label,
    }


_P = ProposalState

# Every allowed move: (from, to, the guard in domain.py, the services). The votes decide
# where a proposal on the agenda goes (domain.vote_outcome): a majority of the voting
# members present approves or rejects it; a majority for amending it, or every present
# member having voted without a majority, sends it back to staff as a draft.
PROPOSAL_TRANSITIONS = Transitions(
    states=ProposalState,
    initial=_P.DRAFT,
    moves=(
        Transition(_P.DRAFT, _P.ON_AGENDA, "can_put_on_agenda", ("proposal_put_on_agenda",)),
        Transition(_P.ON_AGENDA, _P.APPROVED, None, ("proposal_vote",)),
        Transition(_P.ON_AGENDA, _P.REJECTED, None, ("proposal_vote",)),
        Transition(_P.ON_AGENDA, _P.DRAFT, None, ("proposal_vote",)),
        Transition(
            _P.APPROVED, _P.DECIDED, "can_record_proposal_decisions", ("proposal_record_decisions",)
        ),
    ),
    terminal=frozenset({_P.DECIDED, _P.REJECTED}),
    not_allowed=_proposal_cannot_move,
)
