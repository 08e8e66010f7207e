"""Payments of the schedule, each a `payment` entry of the envelope's ledger."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls import services as call_services
from programme.formats import format_euro
from programme.models import User
from programme.services import audited_save
from programme.states import Refused

from .. import domain
from ..enums import (
    PAYMENT_TRANSITIONS,
    PaymentState,
    ProjectState,
)
from ..models import FundedProject, Payment
from .common import (
    _contacts,
    _lock,
    _notify,
    _reference,
    _refresh_figures,
)

# --- Payments ------------------------------------------------------------------------------------


def payment_check(payment: Payment, project: FundedProject, today: date) -> tuple[bool, str]:
    """May `payment` be approved today? (ok, reason) for the page and the service."""
    return PAYMENT_TRANSITIONS.decide(
        payment.state,
        PaymentState.PAID,
        guards=domain,
        service="payment_approve",
        project_state=project.state,
        agreement_signed=project.state != ProjectState.AGREEMENT_PENDING,
        collaboration_state=project.collaboration_state,
        kind=payment.kind,
        due_on=payment.due_on,
        today=today,
        earlier_unpaid=Payment.objects.filter(
            project=project, state=PaymentState.SCHEDULED, due_on__lt=payment.due_on
        ).count(),
    )


@transaction.atomic
def payment_approve(*, actor: User, payment: Payment, today: date | None = None) -> Payment:
    """Approve and book one payment of the schedule.

    Side effects, in order: locks the project, then the payment; refuses (with the
    missing condition) unless the agreement is signed, the collaboration agreement
    accepted, the earlier payments made and the payment due; pays on the envelope
    (calls.services.envelope_pay: locks the envelope, refuses paid above committed per
    envelope and per project); raises the project's paid (the CheckConstraint
    `funded_project_never_overpaid` backs it); saves the payment (audited); on commit
    e-mails the consortium's contacts.
    """
    today = today or timezone.localdate()
    project = _lock(payment.project)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    ok, reason = payment_check(payment, project, today)
    if not ok:
        raise Refused(reason)
    if project.paid + payment.amount > project.committed:
        raise Refused(_("Refused: this payment would bring the paid aid above the committed aid."))
    entry = call_services.envelope_pay(
        actor=actor,
        envelope=project.envelope,
        amount=payment.amount,
        reason=f"{payment.get_kind_display()} {payment.year}: {project.application.acronym}",
        reference=_reference(project),
    )
    project.paid += payment.amount
    payment.state, payment.paid_at, payment.approved_by = PaymentState.PAID, timezone.now(), actor
    payment.ledger_entry = entry
    try:
        with transaction.atomic():
            audited_save(payment, actor=actor, reason=f"{payment.kind} paid")
            _refresh_figures(project)
            audited_save(project, actor=actor, reason=f"{payment.kind} paid")
    except IntegrityError:
        raise Refused(_("Refused by the database: paid would exceed committed.")) from None
    _notify(
        _contacts(project),
        project,
        _("%(acronym)s: payment approved") % {"acronym": project.application.acronym},
        _("A payment of %(amount)s was approved.")
        % {"amount": format_euro(payment.amount, cents=True)},
    )
    return payment
