"""A decision becomes a project; the support agreement is drawn up, made as a PDF by a
worker and signed; the collaboration agreement is uploaded and accepted."""

import hashlib
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.decisions import domain as decisions_domain
from governance.decisions.enums import DecisionOutcome
from governance.decisions.models import FundingDecision
from governance.decisions.services import letter_language
from programme.models import User
from programme.pdf import html_to_pdf
from programme.services import audited_save
from programme.states import Refused
from projects import selectors as project_selectors

from .. import domain
from ..enums import (
    PROJECT_TRANSITIONS,
    CollaborationState,
    ProjectState,
)
from ..models import FundedProject, SupportAgreement
from .common import (
    ZERO,
    _contacts,
    _lock,
    _notify,
    _refresh_figures,
    _save_aid,
    _schedule,
    _staff,
)

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
    from ..tasks import generate_agreement

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
