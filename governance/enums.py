"""Choices of the governance app: the bodies, their seats, who decides an aid.

Which seat belongs to which body, and which seats vote, is data (SEATS, VOTING_SEATS):
domain.py reads it, nothing else hard-codes it.
"""

from django.db import models
from django.utils.translation import pgettext_lazy


class BodyKind(models.TextChoices):
    ADVISORY_COUNCIL = (
        "advisory_council",
        pgettext_lazy("governance body", "Strategic advisory council"),
    )
    STEERING_GROUP = "steering_group", pgettext_lazy("governance body", "Steering group")


class Seat(models.TextChoices):
    """The seat a member holds in a body (DOMAIN.md §2)."""

    # Strategic advisory council, voting
    INDUSTRY = "industry", pgettext_lazy("seat", "Industry")
    VIB = "vib", pgettext_lazy("seat", "Knowledge institution: VIB")
    VITO = "vito", pgettext_lazy("seat", "Knowledge institution: VITO")
    UNIVERSITY = "university", pgettext_lazy("seat", "Knowledge institution: university (rotation)")
    UNIVERSITY_HOSPITAL = (
        "university_hospital",
        pgettext_lazy("seat", "University hospital (rotation)"),
    )
    GOVERNMENT = "government", pgettext_lazy("seat", "Appointed by the government")
    # Strategic advisory council, observers
    OBSERVER_VLAIO = "observer_vlaio", pgettext_lazy("seat", "Observer: VLAIO")
    OBSERVER_FWO = "observer_fwo", pgettext_lazy("seat", "Observer: FWO")
    OBSERVER_EWI = "observer_ewi", pgettext_lazy("seat", "Observer: EWI")
    OBSERVER_WVG = "observer_wvg", pgettext_lazy("seat", "Observer: WVG")
    OBSERVER_VASGAZ = "observer_vasgaz", pgettext_lazy("seat", "Observer: VASGAZ")
    # Steering group, voting
    VLAIO = "vlaio", pgettext_lazy("seat", "VLAIO")
    FWO = "fwo", pgettext_lazy("seat", "FWO")
    EWI = "ewi", pgettext_lazy("seat", "EWI")
    # Steering group, observers
    OBSERVER_COUNCIL = (
        "observer_council",
        pgettext_lazy("seat", "Observer: strategic advisory council"),
    )
    # Both bodies, observer
    PROGRAMME_MANAGER = "programme_manager", pgettext_lazy("seat", "Observer: programme manager")


# Lists show seats in the order of the enum (industry first, observers last).
SEAT_ORDER: dict[str, int] = {value: position for position, value in enumerate(Seat.values)}

SEATS: dict[str, frozenset[str]] = {
    BodyKind.ADVISORY_COUNCIL: frozenset(
        {
            Seat.INDUSTRY,
            Seat.VIB,
            Seat.VITO,
            Seat.UNIVERSITY,
            Seat.UNIVERSITY_HOSPITAL,
            Seat.GOVERNMENT,
            Seat.OBSERVER_VLAIO,
            Seat.OBSERVER_FWO,
            Seat.OBSERVER_EWI,
            Seat.OBSERVER_WVG,
            Seat.OBSERVER_VASGAZ,
            Seat.PROGRAMME_MANAGER,
        }
    ),
    BodyKind.STEERING_GROUP: frozenset(
        {Seat.VLAIO, Seat.FWO, Seat.EWI, Seat.OBSERVER_COUNCIL, Seat.PROGRAMME_MANAGER}
    ),
}

# Observers have no vote; every other seat votes.
VOTING_SEATS: frozenset[str] = frozenset(
    {
        Seat.INDUSTRY,
        Seat.VIB,
        Seat.VITO,
        Seat.UNIVERSITY,
        Seat.UNIVERSITY_HOSPITAL,
        Seat.GOVERNMENT,
        Seat.VLAIO,
        Seat.FWO,
        Seat.EWI,
    }
)


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
