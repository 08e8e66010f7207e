"""States and choices of funded projects. The project's lifecycle and the payment's
lifecycle are data (programme.states.Transitions); services.py is the only code that
applies a move, domain.py holds the guards."""

from django.db import models
from django.utils.translation import pgettext_lazy

from programme.states import Transition, Transitions


class ProjectState(models.TextChoices):
    AGREEMENT_PENDING = "agreement_pending", pgettext_lazy("project state", "Agreement pending")
    RUNNING = "running", pgettext_lazy("project state", "Running")
    REPORTING = "reporting", pgettext_lazy("project state", "Final reporting")
    CLOSING = "closing", pgettext_lazy("project state", "Closing")
    CLOSED = "closed", pgettext_lazy("project state", "Closed")
    STOPPED = "stopped", pgettext_lazy("project state", "Stopped")


PROJECT_TRANSITIONS = Transitions(
    states=ProjectState,
    initial=ProjectState.AGREEMENT_PENDING,
    moves=(
        Transition(
            ProjectState.AGREEMENT_PENDING,
            ProjectState.RUNNING,
            "can_start",
            ("agreement_sign",),
        ),
        Transition(
            ProjectState.RUNNING, ProjectState.REPORTING, "can_end", ("project_transition",)
        ),
        Transition(ProjectState.REPORTING, ProjectState.CLOSING, None, ("project_transition",)),
        Transition(ProjectState.CLOSING, ProjectState.CLOSED, None, ("project_close",)),
        Transition(ProjectState.AGREEMENT_PENDING, ProjectState.STOPPED, None, ("project_stop",)),
        Transition(ProjectState.RUNNING, ProjectState.STOPPED, None, ("project_stop",)),
        Transition(ProjectState.REPORTING, ProjectState.STOPPED, None, ("project_stop",)),
    ),
    terminal=frozenset({ProjectState.CLOSED, ProjectState.STOPPED}),
)

# States in which the project still holds money on the envelope.
OPEN_STATES = (
    ProjectState.AGREEMENT_PENDING,
    ProjectState.RUNNING,
    ProjectState.REPORTING,
    ProjectState.CLOSING,
)


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", pgettext_lazy("payment", "Advance")
    BALANCE = "balance", pgettext_lazy("payment", "Balance")


class PaymentState(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("payment state", "Scheduled")
    PAID = "paid", pgettext_lazy("payment state", "Paid")
    CANCELLED = "cancelled", pgettext_lazy("payment state", "Cancelled")


PAYMENT_TRANSITIONS = Transitions(
    states=PaymentState,
    initial=PaymentState.SCHEDULED,
    moves=(
        Transition(PaymentState.SCHEDULED, PaymentState.PAID, "can_pay", ("payment_approve",)),
        Transition(
            PaymentState.SCHEDULED,
            PaymentState.CANCELLED,
            None,
            ("agreement_sign", "change_decide", "project_close", "project_stop"),
        ),
    ),
    terminal=frozenset({PaymentState.PAID, PaymentState.CANCELLED}),
)


class ChangeKind(models.TextChoices):
    EXTENSION = "extension", pgettext_lazy("project change", "Extension")
    BUDGET_SHIFT = "budget_shift", pgettext_lazy("project change", "Budget shift")
    PARTNER_LEAVES = "partner_leaves", pgettext_lazy("project change", "Partner leaves")
    PARTNER_JOINS = "partner_joins", pgettext_lazy("project change", "Partner joins")


class ChangeState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("change state", "Pending")
    APPROVED = "approved", pgettext_lazy("change state", "Approved")
    REFUSED = "refused", pgettext_lazy("change state", "Refused")


CHANGE_TRANSITIONS = Transitions(
    states=ChangeState,
    initial=ChangeState.PENDING,
    moves=(
        Transition(
            ChangeState.PENDING, ChangeState.APPROVED, "can_approve_change", ("change_decide",)
        ),
        Transition(ChangeState.PENDING, ChangeState.REFUSED, None, ("change_decide",)),
    ),
    terminal=frozenset({ChangeState.APPROVED, ChangeState.REFUSED}),
)


class CollaborationState(models.TextChoices):
    MISSING = "missing", pgettext_lazy("collaboration agreement", "Not uploaded")
    UPLOADED = "uploaded", pgettext_lazy("collaboration agreement", "Uploaded, to be checked")
    ACCEPTED = "accepted", pgettext_lazy("collaboration agreement", "Accepted")
