"""Change requests (an approved one is a new agreement version) and the project's moves:
final reporting, closing, stopping (releasing what was committed and not paid)."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls import services as call_services
from programme.formats import round_cents
from programme.models import Organisation, User
from programme.services import audited_save
from programme.states import Refused
from projects.models import Partner

from .. import domain
from ..enums import (
    CHANGE_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    PROJECT_TRANSITIONS,
    ChangeKind,
    ChangeState,
    PaymentState,
    ProjectState,
)
from ..models import ChangeRequest, FundedProject, Payment, SupportAgreement
from .agreement import agreement_request_pdf
from .common import (
    ZERO,
    _contacts,
    _lock,
    _notify,
    _reference,
    _refresh_figures,
    _save_aid,
    _schedule,
    _staff,
    agreement_in_force,
    aid_parts,
)
from .joining import (
    joining_apply,
    joining_clean,
    joining_figures,
    joining_notify,
    joining_recheck,
)

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
    join_organisation: Organisation | None = None,
    joining: dict | None = None,
) -> ChangeRequest:
    """The coordinator asks for a change: an extension (new end date), a budget shift
    (new aid per partner and year, the same total), a partner leaving (its aid set to
    zero from a year on; the rest is released or shifted in `new_aid`) or a partner
    joining (`join_organisation`, a verified organisation of the registry that is not a
    partner yet, and `joining`: its contact, activity, cost per year × category and the
    aid it asks, checked by services.joining.joining_clean).

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
    clean_joining: dict = {}
    if kind == ChangeKind.PARTNER_JOINS:
        current = agreement_in_force(project)
        if current is None:
            raise Refused(_("The project has no signed agreement to amend."))
        clean_joining = joining_clean(
            project=project,
            agreement=current,
            organisation=join_organisation,
            joining=joining or {},
        )
    change = ChangeRequest(
        project=project,
        kind=kind,
        description=description,
        new_end_date=new_end_date if kind == ChangeKind.EXTENSION else None,
        new_aid=_parse_new_aid(project, new_aid)
        if kind in (ChangeKind.BUDGET_SHIFT, ChangeKind.PARTNER_LEAVES)
        else {},
        join_organisation=join_organisation if kind == ChangeKind.PARTNER_JOINS else None,
        joining=clean_joining,
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
    change approved. A joining partner's aid is keyed by partner id 0 (it is not a
    partner yet); a join that no longer holds (see joining_figures) adds none."""
    parts = aid_parts(current)
    end = current.end_date
    if change.kind == ChangeKind.EXTENSION:
        end = change.new_end_date
    if change.kind == ChangeKind.PARTNER_JOINS and change.state == ChangeState.PENDING:
        try:
            figures = joining_figures(
                change.project, change.join_organisation, change.joining, current
            )
        except Refused:
            figures = None
        for year, amount in (figures.by_year if figures else {}).items():
            parts[(0, year)] = amount
    for partner_id, years in change.new_aid.items():
        for year, amount in years.items():
            parts[(int(partner_id), int(year))] = Decimal(amount)
    return end, parts


@transaction.atomic
def change_decide(
    *, actor: User, change: ChangeRequest, approve: bool, reason: str, site_url: str = ""
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
    if approve and change.kind == ChangeKind.PARTNER_JOINS:
        # Refused with the reason when the organisation or its figures no longer hold.
        joining_recheck(project, change, current)
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
        if change.kind == ChangeKind.PARTNER_JOINS:
            change.joined_partner = joining_apply(actor=actor, project=project, change=change)
            parts = {
                (change.joined_partner.pk if partner == 0 else partner, year): amount
                for (partner, year), amount in parts.items()
            }
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
    contacts = _contacts(project)
    if change.joined_partner is not None:
        contacts = contacts.exclude(pk=change.joined_partner.contact_id)
        joining_notify(
            actor=actor,
            project=project,
            partner=change.joined_partner,
            aid=round_cents(sum(change_joined_aid(change, version), ZERO)),
            site_url=site_url,
        )
    _notify(
        contacts,
        project,
        _("%(acronym)s: your change request was %(outcome)s")
        % {"acronym": project.application.acronym, "outcome": ChangeState(target).label.lower()},
        reason,
    )
    return change


def change_joined_aid(change: ChangeRequest, agreement: SupportAgreement) -> list[Decimal]:
    """The aid per year of the partner an approved join added, in `agreement`."""
    return [
        amount
        for (partner, _year), amount in aid_parts(agreement).items()
        if partner == change.joined_partner_id
    ]


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
