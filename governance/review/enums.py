"""Choices of the review side: conflict sources, the states of a reviewer's assignment
and their transitions (as data), review-deadline reminders."""

from django.db import models
from django.utils.translation import gettext as _, pgettext_lazy

from programme.states import Transition, Transitions


class ConflictSource(models.TextChoices):
    DECLARED = "declared", pgettext_lazy("conflict source", "Declared by the reviewer")
    DETECTED = (
        "detected",
        pgettext_lazy(
            "conflict source",
            "Detected: the reviewer's organisation (or a linked one) is a partner",
        ),
    )


class AssignmentState(models.TextChoices):
    """A reviewer's work on one application. Transitions as data below; only
    governance.review.services changes them."""

    ASSIGNED = "assigned", pgettext_lazy("review state", "Assigned")
    DRAFT = "draft", pgettext_lazy("review state", "Being scored")
    SUBMITTED = "submitted", pgettext_lazy("review state", "Submitted")
    WITHDRAWN = "withdrawn", pgettext_lazy("review state", "Withdrawn (conflict)")


def _review_cannot_move(source: str, target: str) -> str:
    return _("This review is %(state)s and cannot be changed that way.") % {
        "state": AssignmentState(source).label.lower()
    }


_A = AssignmentState
_CONFLICT = ("conflict_declare", "reviews_assign_automatically", "conflicts_detect_for_link")

# Every allowed move: (from, to, the guard in domain.py, the services). A conflict the
# reviewer declares, or one detected when reviewers are assigned automatically, withdraws
# an unsubmitted assignment; a conflict found after the fact (an organisation link
# recorded later, `conflicts_detect_for_link`) withdraws it in any active state, a
# submitted review included: its scores stop counting. No guard decides a withdrawal: a
# conflict always withdraws; the table says which service withdraws what.
ASSIGNMENT_TRANSITIONS = Transitions(
    states=AssignmentState,
    initial=_A.ASSIGNED,
    moves=(
        Transition(_A.ASSIGNED, _A.DRAFT, "can_write_review", ("review_save_draft",)),
        Transition(_A.DRAFT, _A.DRAFT, "can_write_review", ("review_save_draft",)),
        Transition(_A.ASSIGNED, _A.SUBMITTED, "can_write_review", ("review_submit",)),
        Transition(_A.DRAFT, _A.SUBMITTED, "can_write_review", ("review_submit",)),
        Transition(_A.ASSIGNED, _A.WITHDRAWN, None, _CONFLICT),
        Transition(_A.DRAFT, _A.WITHDRAWN, None, _CONFLICT),
        Transition(_A.SUBMITTED, _A.WITHDRAWN, None, ("conflicts_detect_for_link",)),
    ),
    terminal=frozenset({_A.WITHDRAWN}),
    not_allowed=_review_cannot_move,
)


class ReviewReminderKind(models.TextChoices):
    """Review-deadline reminders to reviewers with unsubmitted assignments; each is sent
    at most once per reviewer and call."""

    THREE_DAYS = "3d", pgettext_lazy("reminder", "3 days before the review deadline")
    ONE_DAY = "1d", pgettext_lazy("reminder", "1 day before the review deadline")


# Assignments that still count (a withdrawn one was a conflict and is replaced).
ACTIVE_ASSIGNMENT_STATES = (
    AssignmentState.ASSIGNED,
    AssignmentState.DRAFT,
    AssignmentState.SUBMITTED,
)
OPEN_ASSIGNMENT_STATES = (AssignmentState.ASSIGNED, AssignmentState.DRAFT)


class LockPhase(models.TextChoices):
    """The phases of one application's evaluation that lock (issue 18, item 3)."""

    REVIEWS = "reviews", pgettext_lazy("evaluation phase", "Individual reviews")
    CONSENSUS = "consensus", pgettext_lazy("evaluation phase", "Consensus")


class LockCause(models.TextChoices):
    """What locked a phase: the individual reviews lock at the review deadline or once
    the consensus is recorded; the consensus locks once a decision proposal exists."""

    REVIEW_DEADLINE = "deadline", pgettext_lazy("lock", "the review deadline has passed")
    CONSENSUS_RECORDED = "consensus", pgettext_lazy("lock", "the consensus has been recorded")
    DECISION_PROPOSAL = "proposal", pgettext_lazy("lock", "a decision proposal exists")
    CALL_DECIDED = "decided", pgettext_lazy("lock", "the call has been decided")
