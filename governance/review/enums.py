"""Choices of the review side: conflict sources, the states of a reviewer's assignment
and their transitions (as data), review-deadline reminders."""

from django.db import models
from django.utils.translation import pgettext_lazy


class ConflictSource(models.TextChoices):
    DECLARED = "declared", pgettext_lazy("conflict source", "Declared by the reviewer")
    DETECTED = "detected", pgettext_lazy(
        "conflict source", "Detected: the reviewer's organisation (or a linked one) is a partner"
    )


class AssignmentState(models.TextChoices):
    """A reviewer's work on one application. Transitions as data below; only
    governance.services changes them."""

    ASSIGNED = "assigned", pgettext_lazy("review state", "Assigned")
    DRAFT = "draft", pgettext_lazy("review state", "Being scored")
    SUBMITTED = "submitted", pgettext_lazy("review state", "Submitted")
    WITHDRAWN = "withdrawn", pgettext_lazy("review state", "Withdrawn (conflict)")


# (from, to) → the services that may make the move. A conflict the reviewer declares
# withdraws an unsubmitted assignment; a conflict found after the fact (an organisation
# link recorded later, `conflicts_detect_for_link`) withdraws it in any active state, a
# submitted review included: its scores stop counting.
ASSIGNMENT_TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    (AssignmentState.ASSIGNED, AssignmentState.DRAFT): ("review_save_draft",),
    (AssignmentState.DRAFT, AssignmentState.DRAFT): ("review_save_draft",),
    (AssignmentState.ASSIGNED, AssignmentState.SUBMITTED): ("review_submit",),
    (AssignmentState.DRAFT, AssignmentState.SUBMITTED): ("review_submit",),
    (AssignmentState.ASSIGNED, AssignmentState.WITHDRAWN): ("conflict_declare",
                                                            "conflict_detected"),
    (AssignmentState.DRAFT, AssignmentState.WITHDRAWN): ("conflict_declare", "conflict_detected"),
    (AssignmentState.SUBMITTED, AssignmentState.WITHDRAWN): ("conflict_detected",),
}


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
