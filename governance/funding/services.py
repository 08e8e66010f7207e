"""All writes of funded projects (DOMAIN.md §6): a decision becomes a project, the support
agreement is drawn up (its PDF made by a worker), signed and amended in versions, the
collaboration agreement is uploaded and accepted, payments are approved (each a
`payment` entry of the envelope's ledger), changes are requested and decided, and the
project moves to final reporting, closing and closed (or is stopped), releasing what was
committed and not paid.

Every function is keyword-only, runs in a transaction, checks the rule of domain.py or
the state tables of enums.py (raising programme.states.Refused with the reason the user
reads), saves with full_clean() and an audit row, and queues e-mails and tasks on
commit. Lock order, everywhere: the project row, then the payment or change row, then
the envelope row (inside calls.services), so two writers never deadlock.
"""

import hashlib
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from calls import services as call_services
from governance.decisions import domain as decisions_domain
from governance.decisions.enums import DecisionOutcome
from governance.decisions.models import FundingDecision
from governance.decisions.services import letter_language
from programme.enums import Role
from programme.formats import format_euro, round_cents
from programme.models import User
from programme.pdf import html_to_pdf
from programme.services import audited_save, queue_email_to_users
from programme.states import Refused
from projects import selectors as project_selectors
from projects.models import Partner

from . import domain
from .enums import (
    CHANGE_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    PROJECT_TRANSITIONS,
    ChangeKind,
    ChangeState,
    CollaborationState,
    PaymentState,
    ProjectState,
)
from .models import AgreementAid, ChangeRequest, FundedProject, Payment, SupportAgreement

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


# --- A decision becomes a project ------------------------------------------------------------


@transaction.atomic
def project_open(*, actor: User | None, decision: FundingDecision, now: datetime | None = None):
    """Make the funded project of `decision` once the month to decline has passed.

    Side effects, in order: locks the decision; refuses unless it funded, was not
    declined and the month is over (an existing project is returned as it is); saves the
    project holding the committed aid on the decision's envelope (audited).
    """
    now = now or timezone.now()
    decision = FundingDecision.objects.select_for_update(of=("self",)).get(pk=decision.pk)
    existing = FundedProject.objects.filter(decision=decision).first()
    if existing is not None:
        return existing
    ok, reason = domain.can_become_project(
        outcome=decision.outcome,
        declined_at=decision.declined_at,
        decline_until=decisions_domain.add_one_month(decision.decided_at),
        now=now,
    )
    if not ok:
        raise Refused(reason)
    project = FundedProject(
        decision=decision,
        application_id=decision.application_id,
        envelope_id=decision.envelope_id,
        committed=decision.amount,
    )
    audited_save(project, actor=actor, reason="funded project opened")
    return project


def projects_open_due(*, now: datetime | None = None) -> int:
    """Open the project of every funded decision whose month to decline has passed (the
    beat task calls this daily). Returns how many were opened."""
    now = now or timezone.now()
    due = FundingDecision.objects.filter(
        outcome=DecisionOutcome.FUND, declined_at__isnull=True, project__isnull=True
    ).order_by("pk")
    opened = 0
    for decision in due:
        if now > decisions_domain.add_one_month(decision.decided_at):
            project_open(actor=None, decision=decision, now=now)
            opened += 1
    return opened


# --- Support agreement -----------------------------------------------------------------------


def planned_aid(project: FundedProject) -> dict[tuple[int, int], Decimal]:
    """(partner id, project year) → aid planned in the budget of the application: each
    partner's aid spread over its years in proportion to its cost per year."""
    dossier = project_selectors.load_dossier(project.application)
    planned = {}
    for partner, totals in zip(dossier.partners, dossier.partner_totals, strict=True):
        if not totals.total_cost:
            continue
        for year, cost in totals.cost_by_year.items():
            planned[(partner.pk, year)] = totals.aid.value * cost / totals.total_cost
    return planned


def _save_aid(agreement: SupportAgreement, parts: dict[tuple[int, int], Decimal]) -> None:
    AgreementAid.objects.filter(agreement=agreement).delete()
    AgreementAid.objects.bulk_create(
        AgreementAid(agreement=agreement, partner_id=p, year=y, amount=a)
        for (p, y), a in sorted(parts.items())
    )


def aid_parts(agreement: SupportAgreement) -> dict[tuple[int, int], Decimal]:
    return {(a.partner_id, a.year): a.amount for a in agreement.aid.all()}


@transaction.atomic
def agreement_draw_up(
    *,
    actor: User,
    project: FundedProject,
    start_date: date,
    end_date: date,
    deliverables: list[dict],
    special_conditions: str = "",
) -> SupportAgreement:
    """Draw up (or redraw, while unsigned) version 1 of the support agreement from the
    decision: the dates within the call's maximum duration, the granted aid spread over
    partners and years as budgeted, the deliverables and special conditions.

    Side effects, in order: locks the project; refuses after signature or outside the
    dates rule; saves the agreement and its aid lines (audited); queues its PDF.
    """
    project = _lock(project)
    if project.state != ProjectState.AGREEMENT_PENDING:
        raise Refused(_("The support agreement is signed; change it with a change request."))
    params = project.application.call.parameters
    ok, reason = domain.can_set_dates(
        start=start_date, end=end_date, max_months=params.max_duration_months
    )
    if not ok:
        raise Refused({"end_date": reason})
    agreement = SupportAgreement.objects.filter(project=project, version=1).first()
    if agreement is not None and agreement.signed_on:
        raise Refused(_("The support agreement is signed; change it with a change request."))
    agreement = agreement or SupportAgreement(project=project, version=1, created_by=actor)
    agreement.start_date, agreement.end_date = start_date, end_date
    agreement.aid_total = project.committed
    agreement.deliverables = deliverables
    agreement.special_conditions = special_conditions
    agreement.language = letter_language(project.application)
    audited_save(agreement, actor=actor, reason="support agreement drawn up")
    _save_aid(agreement, domain.split_aid(project.committed, planned_aid(project)))
    agreement_request_pdf(agreement=agreement)
    return agreement


def agreement_request_pdf(*, agreement: SupportAgreement) -> None:
    """Reset the file and queue its generation on commit."""
    SupportAgreement.objects.filter(pk=agreement.pk).update(
        file="", sha256="", generated_at=None, error=""
    )
    pk = agreement.pk
    transaction.on_commit(lambda: _queue_pdf(pk))


def _queue_pdf(agreement_id: int) -> None:
    from .tasks import generate_agreement

    generate_agreement.delay(agreement_id=agreement_id)


def agreement_context(agreement: SupportAgreement) -> dict:
    project = agreement.project
    lines = list(agreement.aid.select_related("partner__organisation").order_by("partner", "year"))
    years = sorted({line.year for line in lines})
    by_partner: dict[int, dict] = {}
    for line in lines:
        row = by_partner.setdefault(
            line.partner_id, {"partner": line.partner, "years": {}, "total": ZERO}
        )
        row["years"][line.year] = line.amount
        row["total"] += line.amount
    rows = [
        {**row, "cells": [row["years"].get(y, ZERO) for y in years]} for row in by_partner.values()
    ]
    return {
        "agreement": agreement,
        "project": project,
        "application": project.application,
        "call": project.application.call,
        "decision": project.decision,
        "years": years,
        "rows": rows,
        "schedule": domain.payment_schedule(
            aid_by_year={y: sum((r["years"].get(y, ZERO) for r in rows), ZERO) for y in years},
            start=agreement.start_date,
            end=agreement.end_date,
            advance_share=project.application.call.parameters.advance_share,
        ),
    }


def agreement_generate(*, agreement_id: int) -> SupportAgreement:
    """Make the agreement's PDF in the consortium's language (the Celery task calls
    this; a generated file is left alone, so a redelivery does nothing).

    Side effects, in order: renders the HTML and the PDF outside any transaction; with
    the row locked, stores the file and its checksum unless another delivery did.
    """
    agreement = SupportAgreement.objects.select_related(
        "project__application__call__parameters", "project__decision"
    ).get(pk=agreement_id)
    if agreement.generated_at:
        return agreement
    with translation.override(agreement.language):
        html = render_to_string(
            "governance/funding/agreement_pdf.html", agreement_context(agreement)
        )
    pdf = html_to_pdf(html, base_url=str(settings.BASE_DIR))
    with transaction.atomic():
        locked = SupportAgreement.objects.select_for_update().get(pk=agreement_id)
        if locked.generated_at:
            return locked
        locked.file.save(
            f"agreement-{locked.project_id}-v{locked.version}.pdf", ContentFile(pdf), save=False
        )
        locked.sha256, locked.generated_at, locked.error = (
            hashlib.sha256(pdf).hexdigest(),
            timezone.now(),
            "",
        )
        audited_save(locked, actor=None, reason="agreement PDF generated")
    return locked


def agreement_fail(*, agreement_id: int, error: BaseException) -> None:
    SupportAgreement.objects.filter(pk=agreement_id).update(error=str(error)[:2000])


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


@transaction.atomic
def agreement_sign(
    *, actor: User, agreement: SupportAgreement, signed_on: date
) -> SupportAgreement:
    """Record the date the support agreement was signed.

    Side effects, in order: locks the project; refuses a version signed before, or a
    date in the future; saves the date (audited); for version 1 the project starts
    (agreement pending → running, guard can_start) with the agreement's dates and its
    payment schedule; on commit e-mails the consortium's contacts.
    """
    project = _lock(agreement.project)
    agreement = SupportAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.signed_on:
        raise Refused(
            _("This version was already signed on %(date)s.")
            % {"date": agreement.signed_on.isoformat()}
        )
    if signed_on > timezone.localdate():
        raise Refused({"signed_on": _("The signature date cannot be in the future.")})
    agreement.signed_on = signed_on
    audited_save(agreement, actor=actor, reason=f"agreement v{agreement.version} signed")
    if project.state == ProjectState.AGREEMENT_PENDING:
        PROJECT_TRANSITIONS.check(
            project.state,
            ProjectState.RUNNING,
            guards=domain,
            service="agreement_sign",
            signed_on=signed_on,
        )
        project.state = ProjectState.RUNNING
    project.start_date, project.end_date = agreement.start_date, agreement.end_date
    _schedule(project, agreement, service="agreement_sign")
    _refresh_figures(project)
    audited_save(project, actor=actor, reason=f"agreement v{agreement.version} in force")
    _notify(
        _contacts(project),
        project,
        _("%(acronym)s: support agreement signed") % {"acronym": project.application.acronym},
        _("Version %(version)s of the support agreement is in force.")
        % {"version": agreement.version},
    )
    return agreement


# --- Collaboration agreement -------------------------------------------------------------------


@transaction.atomic
def collaboration_upload(*, actor: User, project: FundedProject, file) -> FundedProject:
    """The coordinator uploads the collaboration agreement (IP and valorisation).

    Side effects, in order: locks the project; refuses a PDF that is not one, or after
    acceptance; stores the file and the moment (audited); on commit e-mails staff.
    """
    project = _lock(project)
    if project.state not in (ProjectState.AGREEMENT_PENDING, ProjectState.RUNNING):
        raise Refused(_("The project no longer takes a collaboration agreement."))
    if project.collaboration_state == CollaborationState.ACCEPTED:
        raise Refused(_("The collaboration agreement has been accepted already."))
    head = file.read(5)
    file.seek(0)
    if head != b"%PDF-":
        raise Refused({"file": _("Upload the collaboration agreement as a PDF file.")})
    project.collaboration_file.save(file.name, file, save=False)
    project.collaboration_state = CollaborationState.UPLOADED
    project.collaboration_uploaded_at = timezone.now()
    audited_save(project, actor=actor, reason="collaboration agreement uploaded")
    _notify(
        _staff(),
        project,
        _("%(acronym)s: collaboration agreement uploaded")
        % {"acronym": project.application.acronym},
        _("The coordinator uploaded the collaboration agreement; please check it."),
    )
    return project


@transaction.atomic
def collaboration_accept(*, actor: User, project: FundedProject) -> FundedProject:
    """Staff accept the uploaded collaboration agreement; payments may follow.
    Side effects: locks the project; refuses without an upload; saves (audited)."""
    project = _lock(project)
    if project.collaboration_state != CollaborationState.UPLOADED:
        raise Refused(_("There is no uploaded collaboration agreement to accept."))
    project.collaboration_state = CollaborationState.ACCEPTED
    project.collaboration_accepted_at = timezone.now()
    audited_save(project, actor=actor, reason="collaboration agreement accepted")
    return project


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


# --- Changes -------------------------------------------------------------------------------------


def _parse_new_aid(project: FundedProject, new_aid: dict) -> dict[str, dict[str, str]]:
    """Check the partners and amounts of a requested aid table; amounts to the cent."""
    partners = set(
        Partner.objects.filter(application=project.application).values_list("pk", flat=True)
    )
    clean: dict[str, dict[str, str]] = {}
    for partner_id, years in (new_aid or {}).items():
        if int(partner_id) not in partners:
            raise Refused({"new_aid": _("A partner of the table is not in this project.")})
        clean[str(int(partner_id))] = {}
        for year, amount in years.items():
            value = round_cents(amount)
            if value < 0 or int(year) < 1:
                raise Refused({"new_aid": _("Aid per year cannot be negative.")})
            clean[str(int(partner_id))][str(int(year))] = str(value)
    return clean


@transaction.atomic
def change_request(
    *,
    actor: User,
    project: FundedProject,
    kind: str,
    description: str,
    new_end_date: date | None = None,
    new_aid: dict | None = None,
) -> ChangeRequest:
    """The coordinator asks for a change: an extension (new end date), a budget shift
    (new aid per partner and year, the same total) or a partner leaving (its aid set to
    zero from a year on; the rest is released or shifted in `new_aid`).

    Side effects, in order: locks the project; refuses unless it runs with an agreement
    in force and the request says what it needs; saves the request (audited); counts it
    on the project; on commit e-mails staff.
    """
    project = _lock(project)
    if project.state != ProjectState.RUNNING:
        raise Refused(_("Changes are requested while the project runs."))
    if not description.strip():
        raise Refused({"description": _("Say what should change and why.")})
    if kind == ChangeKind.EXTENSION and new_end_date is None:
        raise Refused({"new_end_date": _("An extension needs the new end date.")})
    if kind in (ChangeKind.BUDGET_SHIFT, ChangeKind.PARTNER_LEAVES) and not new_aid:
        raise Refused({"new_aid": _("Give the new aid per partner and year.")})
    change = ChangeRequest(
        project=project,
        kind=kind,
        description=description,
        new_end_date=new_end_date if kind == ChangeKind.EXTENSION else None,
        new_aid=_parse_new_aid(project, new_aid) if kind != ChangeKind.EXTENSION else {},
        requested_by=actor,
    )
    audited_save(change, actor=actor, reason=f"change requested: {kind}")
    _refresh_figures(project)
    audited_save(project, actor=actor, reason="change requested")
    _notify(
        _staff(),
        project,
        _("%(acronym)s asks for a change") % {"acronym": project.application.acronym},
        f"{change.get_kind_display()}: {description}",
    )
    return change


def change_outcome(change: ChangeRequest, current: SupportAgreement) -> tuple[date, dict]:
    """The end date and the aid per (partner, year) the agreement would have with the
    change approved."""
    parts = aid_parts(current)
    end = current.end_date
    if change.kind == ChangeKind.EXTENSION:
        end = change.new_end_date
    for partner_id, years in change.new_aid.items():
        for year, amount in years.items():
            parts[(int(partner_id), int(year))] = Decimal(amount)
    return end, parts


@transaction.atomic
def change_decide(
    *, actor: User, change: ChangeRequest, approve: bool, reason: str
) -> ChangeRequest:
    """Staff approve or refuse a change request, with a reason.

    Side effects, in order: locks the project and the request; refuses a decided
    request or a missing reason; approving checks the dates rule and the money (the new
    aid never below what was paid; an increase is committed on the envelope — refused
    with the figures if it does not fit — a decrease is released); saves a new version of
    the agreement saying what changed and why, in force from today, and reschedules the
    unpaid payments; saves the request (audited); on commit e-mails the contacts.
    """
    project = _lock(change.project)
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    if not reason.strip():
        raise Refused({"reason": _("Give the reason of the decision.")})
    target = ChangeState.APPROVED if approve else ChangeState.REFUSED
    current = agreement_in_force(project)
    if current is None:
        raise Refused(_("The project has no signed agreement to amend."))
    end, parts = change_outcome(change, current)
    aid_after = round_cents(sum(parts.values(), ZERO))
    CHANGE_TRANSITIONS.check(
        change.state,
        target,
        guards=domain,
        service="change_decide",
        kind=change.kind,
        start=current.start_date,
        new_end=end,
        max_months=project.application.call.parameters.max_duration_months,
        aid_before=project.committed,
        aid_after=aid_after,
        paid=project.paid,
        available=project.envelope.available,
    )
    change.state, change.decided_by, change.decided_at = target, actor, timezone.now()
    change.decision_reason = reason
    if approve:
        delta = aid_after - project.committed
        reference = _reference(project)
        label = f"Change {change.get_kind_display()}: {project.application.acronym}"
        if delta > 0:
            call_services.envelope_commit(
                actor=actor,
                envelope=project.envelope,
                amount=delta,
                reason=label,
                reference=reference,
            )
        elif delta < 0:
            call_services.envelope_release(
                actor=actor,
                envelope=project.envelope,
                amount=-delta,
                reason=label,
                reference=reference,
            )
            project.released += -delta
        project.committed = aid_after
        version = SupportAgreement(
            project=project,
            version=current.version + 1,
            start_date=current.start_date,
            end_date=end,
            aid_total=aid_after,
            deliverables=current.deliverables,
            special_conditions=current.special_conditions,
            change_summary=f"{change.get_kind_display()}: {change.description}\n{reason}",
            # The approved change is the amendment: in force from the decision.
            signed_on=timezone.localdate(),
            language=current.language,
            created_by=actor,
        )
        audited_save(version, actor=actor, reason=f"agreement v{version.version}: change approved")
        _save_aid(version, parts)
        change.agreement = version
        project.end_date = end
        _schedule(project, version, service="change_decide")
        agreement_request_pdf(agreement=version)
    audited_save(change, actor=actor, reason=f"change {target}")
    _refresh_figures(project)
    audited_save(project, actor=actor, reason=f"change {target}")
    _notify(
        _contacts(project),
        project,
        _("%(acronym)s: your change request was %(outcome)s")
        % {"acronym": project.application.acronym, "outcome": ChangeState(target).label.lower()},
        reason,
    )
    return change


# --- Project moves and closing -------------------------------------------------------------------


def _release_unpaid(actor, project: FundedProject, why: str, service: str) -> None:
    """Cancel the scheduled payments and release what was committed and not paid."""
    for payment in Payment.objects.filter(project=project, state=PaymentState.SCHEDULED):
        PAYMENT_TRANSITIONS.check(
            payment.state, PaymentState.CANCELLED, guards=domain, service=service
        )
        payment.state = PaymentState.CANCELLED
        audited_save(payment, actor=actor, reason=why)
    unpaid = project.committed - project.paid
    if unpaid > 0:
        call_services.envelope_release(
            actor=actor,
            envelope=project.envelope,
            amount=unpaid,
            reason=f"{why}: {project.application.acronym}",
            reference=_reference(project),
        )
        project.released += unpaid
        project.committed = project.paid


@transaction.atomic
def project_transition(
    *, actor: User, project: FundedProject, to_state: str, today: date | None = None
) -> FundedProject:
    """Running → final reporting (after the end date), final reporting → closing (the
    reports are approved). Side effects: locks; checks the table; saves (audited)."""
    today = today or timezone.localdate()
    project = _lock(project)
    PROJECT_TRANSITIONS.check(
        project.state,
        to_state,
        guards=domain,
        service="project_transition",
        end_date=project.end_date,
        today=today,
    )
    project.state = to_state
    audited_save(project, actor=actor, reason=f"project: {to_state}")
    return project


@transaction.atomic
def project_close(*, actor: User, project: FundedProject) -> FundedProject:
    """Close a settled project. Side effects, in order: locks; checks the table (closing
    → closed); cancels the scheduled payments; releases committed − paid to the envelope
    (calls.services.envelope_release); saves (audited)."""
    project = _lock(project)
    PROJECT_TRANSITIONS.check(
        project.state, ProjectState.CLOSED, guards=domain, service="project_close"
    )
    _release_unpaid(actor, project, "project closed", "project_close")
    project.state = ProjectState.CLOSED
    _refresh_figures(project)
    audited_save(project, actor=actor, reason="project closed")
    return project


@transaction.atomic
def project_stop(*, actor: User, project: FundedProject, reason: str) -> FundedProject:
    """Stop a project early, with a reason. Side effects as project_close, then on commit
    e-mails the consortium's contacts."""
    project = _lock(project)
    if not reason.strip():
        raise Refused({"reason": _("Give the reason for stopping the project.")})
    PROJECT_TRANSITIONS.check(
        project.state, ProjectState.STOPPED, guards=domain, service="project_stop"
    )
    _release_unpaid(actor, project, "project stopped", "project_stop")
    project.state, project.stop_reason = ProjectState.STOPPED, reason
    _refresh_figures(project)
    audited_save(project, actor=actor, reason="project stopped")
    _notify(
        _contacts(project),
        project,
        _("%(acronym)s: the project was stopped") % {"acronym": project.application.acronym},
        reason,
    )
    return project
