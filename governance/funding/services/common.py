"""Helpers the funding services share: locks, the ledger reference, notices, the
agreement in force, the aid table of a version and the payment schedule it makes."""

from decimal import Decimal

from programme.enums import Role
from programme.models import User
from programme.services import audited_save, queue_email_to_users

from .. import domain
from ..enums import (
    PAYMENT_TRANSITIONS,
    ChangeState,
    PaymentState,
)
from ..models import AgreementAid, ChangeRequest, FundedProject, Payment, SupportAgreement

ZERO = Decimal("0")


def _reference(project: FundedProject) -> str:
    """The ledger reference of the project: the one its decision committed under."""
    application = project.application
    return application.receipt_number or str(application.pk)


def _lock(project: FundedProject) -> FundedProject:
    return (
        FundedProject.objects.select_for_update(of=("self",))
        .select_related("application", "application__call__parameters", "envelope", "decision")
        .get(pk=project.pk)
    )


def _staff():
    return User.objects.filter(groups__name__in=[Role.STAFF, Role.ADMIN], is_active=True).distinct()


def _contacts(project: FundedProject):
    return User.objects.filter(
        partnerships__application_id=project.application_id, is_active=True
    ).distinct()


def _notify(users, project: FundedProject, subject: str, message: str) -> None:
    queue_email_to_users(
        users=users,
        subject=subject,
        template="governance/funding/email/notice.txt",
        context={"project": project, "message": message},
    )


def agreement_in_force(project: FundedProject) -> SupportAgreement | None:
    """The latest signed version of the project's support agreement."""
    return (
        SupportAgreement.objects.filter(project=project, signed_on__isnull=False)
        .order_by("-version")
        .first()
    )


def _refresh_figures(project: FundedProject) -> None:
    """The dashboard's denormalised columns: next payment due, pending changes."""
    project.next_payment_due = (
        Payment.objects.filter(project=project, state=PaymentState.SCHEDULED)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    project.pending_changes = ChangeRequest.objects.filter(
        project=project, state=ChangeState.PENDING
    ).count()


def _save_aid(agreement: SupportAgreement, parts: dict[tuple[int, int], Decimal]) -> None:
    AgreementAid.objects.filter(agreement=agreement).delete()
    AgreementAid.objects.bulk_create(
        AgreementAid(agreement=agreement, partner_id=p, year=y, amount=a)
        for (p, y), a in sorted(parts.items())
    )


def aid_parts(agreement: SupportAgreement) -> dict[tuple[int, int], Decimal]:
    return {(a.partner_id, a.year): a.amount for a in agreement.aid.all()}


def _schedule(project: FundedProject, agreement: SupportAgreement, *, service: str) -> None:
    """Replace the scheduled (unpaid) payments by the schedule of `agreement`, less what
    was already paid for each advance year and for the balance."""
    aid_by_year: dict[int, Decimal] = {}
    for (_partner, year), amount in aid_parts(agreement).items():
        aid_by_year[year] = aid_by_year.get(year, ZERO) + amount
    for payment in Payment.objects.filter(project=project, state=PaymentState.SCHEDULED):
        PAYMENT_TRANSITIONS.check(
            payment.state, PaymentState.CANCELLED, guards=domain, service=service
        )
        payment.state = PaymentState.CANCELLED
        audited_save(payment, actor=None, reason="rescheduled by a new agreement version")
    paid: dict[tuple[str, int], Decimal] = {}
    for payment in Payment.objects.filter(project=project, state=PaymentState.PAID):
        key = (payment.kind, payment.year)
        paid[key] = paid.get(key, ZERO) + payment.amount
    for item in domain.payment_schedule(
        aid_by_year=aid_by_year,
        start=agreement.start_date,
        end=agreement.end_date,
        advance_share=project.application.call.parameters.advance_share,
    ):
        rest = item.amount - paid.get((item.kind, item.year), ZERO)
        if rest > 0:
            payment = Payment(
                project=project, kind=item.kind, year=item.year, due_on=item.due_on, amount=rest
            )
            audited_save(payment, actor=None, reason=f"scheduled by agreement v{agreement.version}")
