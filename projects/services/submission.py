"""Submission and after: submit (snapshot, receipt, PDF by a worker), withdraw, the
admissibility check and the completion round.
"""

from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programme.formats import format_brussels
from programme.models import User
from programme.pdf import html_to_pdf
from programme.services import audited_save, outbox_enqueue, queue_email_to_users
from programme.states import Refused

from .. import domain, selectors
from ..enums import (
    AdmissibilityOutcome,
    ApplicationState,
    CompletionItem,
)
from ..models import AdmissibilityCheck, Application
from .application import _contacts, _lock, _move

# --- Submission --------------------------------------------------------------------------


@transaction.atomic
def application_submit(*, actor: User, application: Application) -> Application:
    """Submit the application; all or nothing.

    Side effects, in order: takes the server time at arrival; locks the application row
    (a concurrent submission or edit waits, then sees the new state); refuses when the
    call no longer accepts submissions at that time, when it was submitted already, or
    when a rule fails; freezes a snapshot of the whole application with a receipt
    number and the totals (audited); on commit, queues the PDF rendering of the
    snapshot and e-mails every partner contact the receipt.
    """
    now = timezone.now()
    application = _lock(application)
    if application.state != ApplicationState.DRAFT:
        raise Refused(_("This application has already been submitted."))
    dossier = selectors.load_dossier(application)
    _move(
        application,
        ApplicationState.SUBMITTED,
        service="application_submit",
        call=application.call,
        now=now,
        checks=dossier.checks,
    )
    receipt = domain.receipt_number(
        call_year=application.call.year, call_id=application.call_id, application_id=application.pk
    )
    application.snapshot = selectors.snapshot_from(
        dossier, submitted_at=now, receipt_number=receipt
    )
    application.receipt_number = receipt
    application.submitted_at = now
    application.total_cost = dossier.totals.project.cost
    application.total_aid = dossier.totals.project.aid
    audited_save(application, actor=actor, reason="submitted")
    _after_snapshot(application)
    queue_email_to_users(
        users=_contacts(application),
        subject=_("Receipt %(receipt)s: application %(acronym)s submitted")
        % {"receipt": receipt, "acronym": application.acronym},
        template="projects/email/submitted.txt",
        context={"application": application},
    )
    return application


def _after_snapshot(application: Application) -> None:
    from ..tasks import render_snapshot_pdf

    outbox_enqueue(task=render_snapshot_pdf, kwargs={"application_id": application.pk})


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    """Withdraw a submitted application (until the decision); e-mails the partners.
    Refused once the steering group decided on it (the applicant may then decline the
    aid instead, on the governance side)."""
    application = _lock(application)
    # The reverse relation of governance's FundingDecision: no import of governance here.
    _move(
        application,
        ApplicationState.WITHDRAWN,
        service="application_withdraw",
        has_decision=Application.objects.filter(pk=application.pk, decision__isnull=False).exists(),
    )
    application.withdrawn_at = timezone.now()
    audited_save(application, actor=actor, reason=("withdrawn: " + reason)[:100])
    queue_email_to_users(
        users=_contacts(application),
        subject=_("Application %(acronym)s withdrawn") % {"acronym": application.acronym},
        template="projects/email/withdrawn.txt",
        context={"application": application, "actor": actor, "reason": reason},
    )
    return application


def _brussels_text(value) -> str:
    """An ISO timestamp of the snapshot as '22 november 2026 19:20 CET' (active language)."""

    if not value:
        return ""
    try:
        return format_brussels(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def application_render_pdf(*, application_id: int) -> Application:
    """Render the snapshot of a submitted application to PDF (programme.pdf: tagged, A4,
    running header and footer) and store it."""

    application = Application.objects.select_related("call__programme").get(pk=application_id)
    if not application.snapshot:
        raise Refused(_("This application has no submitted version yet."))
    snapshot = application.snapshot
    language = "nl" if application.abstract_language == "nl" else "en"
    with translation.override(language):
        html = render_to_string(
            "projects/snapshot_pdf.html",
            {
                "s": snapshot,
                "programme": application.call.programme,
                "language": language,
                "document_title": f"{snapshot.get('acronym', '')} — "
                f"{snapshot.get('receipt_number', '')}",
                "generated_at": format_brussels(timezone.now()),
                # The snapshot keeps ISO timestamps; the reader gets Brussels time.
                "submitted_at": _brussels_text(snapshot.get("submitted_at")),
                "completed_at": _brussels_text(snapshot.get("completed_at")),
            },
        )
    pdf = html_to_pdf(html, base_url=str(settings.BASE_DIR))
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id)
        old = application.snapshot_pdf.name if application.snapshot_pdf else None
        application.snapshot_pdf.save(
            f"{application.receipt_number}.pdf", ContentFile(pdf), save=False
        )
        application.snapshot_pdf_at = timezone.now()
        Application.objects.filter(pk=application_id).update(
            snapshot_pdf=application.snapshot_pdf.name, snapshot_pdf_at=application.snapshot_pdf_at
        )
        if old and old != application.snapshot_pdf.name:
            storage = application.snapshot_pdf.storage
            transaction.on_commit(lambda: storage.delete(old))
    return application


# --- Admissibility -----------------------------------------------------------------------


@transaction.atomic
def admissibility_record(
    *,
    actor: User,
    application: Application,
    outcome: str = "",
    complementary: bool | None = None,
    broad_application: bool | None = None,
    consortium_rules: bool | None = None,
    complete: bool | None = None,
    reason: str = "",
    completion_items: list[str] | None = None,
    completion_deadline: datetime | None = None,
) -> AdmissibilityCheck:
    """Record the staff checklist and, when given, the outcome.

    Side effects, in order: saves the checklist (audited); with an outcome, moves the
    application to admissible / inadmissible / completion requested (audited); on
    commit, e-mails the partner contacts an inadmissibility (with the reason) or a
    completion request (named items, deadline).
    """
    application = _lock(application)
    check, _created = AdmissibilityCheck.objects.select_for_update().get_or_create(
        application=application
    )
    check.complementary = complementary
    check.broad_application = broad_application
    check.consortium_rules = consortium_rules
    check.complete = complete
    check.reason = reason
    if outcome:
        items = (
            [CompletionItem(i).value for i in (completion_items or [])]
            if outcome == AdmissibilityOutcome.COMPLETION
            else []
        )
        target = {
            AdmissibilityOutcome.ADMISSIBLE: ApplicationState.ADMISSIBLE,
            AdmissibilityOutcome.INADMISSIBLE: ApplicationState.INADMISSIBLE,
            AdmissibilityOutcome.COMPLETION: ApplicationState.COMPLETION_REQUESTED,
        }[AdmissibilityOutcome(outcome)]
        _move(
            application,
            target,
            service="admissibility_record",
            outcome=outcome,
            reason=reason,
            completion_items=items,
            completion_deadline=completion_deadline,
            now=timezone.now(),
        )
        if outcome == AdmissibilityOutcome.COMPLETION:
            check.completion_items = items
            check.completion_deadline = completion_deadline
        check.outcome = outcome
        check.checked_by = actor
        check.checked_at = timezone.now()
    audited_save(check, actor=actor, reason=f"admissibility {outcome or 'checklist'}")
    if outcome:
        audited_save(application, actor=actor, reason=f"admissibility: {outcome}")
    if outcome == AdmissibilityOutcome.INADMISSIBLE:
        queue_email_to_users(
            users=_contacts(application),
            subject=_("Application %(acronym)s is inadmissible") % {"acronym": application.acronym},
            template="projects/email/inadmissible.txt",
            context={"application": application, "check": check},
        )
    elif outcome == AdmissibilityOutcome.COMPLETION:
        queue_email_to_users(
            users=_contacts(application),
            subject=_("Please complete application %(acronym)s") % {"acronym": application.acronym},
            template="projects/email/completion.txt",
            context={
                "application": application,
                "check": check,
                "items": [CompletionItem(i).label for i in check.completion_items],
            },
        )
    return check


@transaction.atomic
def application_complete(*, actor: User, application: Application) -> Application:
    """The applicant hands in the completed application: a new snapshot replaces the
    submitted version (the audit trail keeps the previous one), the application is
    submitted again and staff check it anew; PDF and receipt e-mail on commit."""
    now = timezone.now()
    application = _lock(application)
    if application.state != ApplicationState.COMPLETION_REQUESTED:
        raise Refused(_("No completion was requested for this application."))
    check = application.admissibility
    _move(
        application,
        ApplicationState.SUBMITTED,
        service="application_complete",
        completion_deadline=check.completion_deadline,
        now=now,
    )
    dossier = selectors.load_dossier(application)
    application.snapshot = selectors.snapshot_from(
        dossier, submitted_at=application.submitted_at, receipt_number=application.receipt_number
    )
    application.snapshot["completed_at"] = now.isoformat()
    application.total_cost = dossier.totals.project.cost
    application.total_aid = dossier.totals.project.aid
    audited_save(application, actor=actor, reason="completion handed in")
    check.outcome = ""
    audited_save(check, actor=actor, reason="completion handed in")
    _after_snapshot(application)
    queue_email_to_users(
        users=_contacts(application),
        subject=_("Receipt %(receipt)s: application %(acronym)s completed")
        % {"receipt": application.receipt_number, "acronym": application.acronym},
        template="projects/email/submitted.txt",
        context={"application": application},
    )
    return application
