"""All writes of the projects app: applications, consortium, budgets, attachments,
submission, withdrawal, admissibility and form drafts.

Every function is keyword-only and runs in a transaction. Every write by an applicant
first locks the application row (SELECT … FOR UPDATE) and then asks
`calls.domain.accepts_submissions(call, now)` (or, during a completion request, whether
the item was asked for and the completion deadline has not passed), so a submission and
an edit never interleave and nothing is written after the deadline, whatever page the
person opened before it. E-mails and the PDF task are queued on commit.

Known limit: once submitted, an application is frozen; to change it before the deadline
the coordinator withdraws it and starts again (no "reopen").
"""

import hashlib
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from calls.domain import accepts_submissions
from calls.models import Call
from programme.enums import Role
from programme.formats import format_brussels, round_cents
from programme.models import Organisation, User
from programme.pdf import html_to_pdf
from programme.services import audited_save, queue_email_to_users, user_set_roles
from programme.states import Refused

from . import domain, selectors
from .enums import (
    APPLICATION_TRANSITIONS,
    AdmissibilityOutcome,
    ApplicationState,
    AttachmentKind,
    CompletionItem,
)
from .models import AdmissibilityCheck, Application, Attachment, BudgetEntry, FormDraft, Partner

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _lock(application: Application) -> Application:
    """The application row, locked until the transaction ends, with its call."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "call__parameters", "call__programme_year")
        .get(pk=application.pk)
    )


def write_allowed(
    application: Application, *, item: CompletionItem, now: datetime
) -> tuple[bool, str]:
    """May an applicant change `item` of `application` at `now`? (ok, reason)."""
    if application.state == ApplicationState.DRAFT:
        return accepts_submissions(application.call, now)
    if application.state == ApplicationState.COMPLETION_REQUESTED:
        check = getattr(application, "admissibility", None)
        if check is None or item not in check.completion_items:
            return False, _("Staff did not ask to complete this part of the application.")
        if check.completion_deadline is None or now >= check.completion_deadline:
            return False, _("The deadline for completing the application has passed.")
        return True, ""
    return False, _("This application was submitted and can no longer be changed.")


def _guard(application: Application, *, item: CompletionItem, now: datetime | None = None):
    ok, reason = write_allowed(application, item=item, now=now or timezone.now())
    if not ok:
        raise Refused(reason)


def _move(application: Application, to: str, *, service: str, **facts) -> None:
    """Move `application` to `to` (not saved) if enums.APPLICATION_TRANSITIONS lets
    `service` make the move and its guard passes with `facts`; else Refused."""
    APPLICATION_TRANSITIONS.check(application.state, to, guards=domain, service=service, **facts)
    application.state = to


def _contacts(application: Application):
    return User.objects.filter(partnerships__application=application, is_active=True).distinct()


# --- Applications ------------------------------------------------------------------------

PROJECT_FIELDS = (
    "title",
    "acronym",
    "abstract",
    "abstract_language",
    "action_domain",
    "theme",
    "disease_domain",
    "planned_start",
    "duration_months",
)


@transaction.atomic
def application_start(*, actor: User, call: Call, title: str, acronym: str, **fields) -> Application:
    """Start an application for an open call with the actor's organisation as coordinator.

    Side effects, in order: checks the call accepts submissions now; saves the
    application (audited); adds the actor's organisation as coordinating partner with
    the actor as contact person (audited).
    """
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")
    if actor.organisation_id is None:
        raise Refused(_("Register your organisation before you start an application."))
    call = Call.objects.select_related("parameters").get(pk=call.pk)
    ok, reason = accepts_submissions(call, timezone.now())
    if not ok:
        raise Refused(reason)
    application = Application(
        call=call,
        coordinator=actor.organisation,
        created_by=actor,
        title=title,
        acronym=acronym,
        **fields,
    )
    audited_save(application, actor=actor, reason="application started")
    organisation = actor.organisation
    partner = Partner(
        application=application,
        organisation=organisation,
        part=domain.default_part(kind=organisation.kind),
        is_coordinator=True,
        contact=actor,
        contact_email=actor.email,
        contact_name=actor.get_full_name(),
    )
    audited_save(partner, actor=actor, reason="coordinator")
    return application


@transaction.atomic
def application_update(*, actor: User, application: Application, **fields) -> Application:
    """Change the project data (title, abstract, domains, start, duration); audited."""
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")
    application = _lock(application)
    _guard(application, item=CompletionItem.GENERAL)
    changed = [name for name, value in fields.items() if getattr(application, name) != value]
    if changed:
        for name in changed:
            setattr(application, name, fields[name])
        audited_save(application, actor=actor, reason="edited: " + ", ".join(changed))
    return application


# --- Consortium --------------------------------------------------------------------------


def _invite_link(user: User, application: Application, site_url: str) -> str:
    if not site_url:
        return ""
    if user.has_usable_password():
        return site_url.rstrip("/") + reverse("application_detail", args=[application.pk])
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_url.rstrip("/") + reverse("password_reset_confirm", args=[uid, token])


def _contact_user(*, actor: User, email: str, name: str, organisation: Organisation) -> User:
    """The person with this e-mail, created (applicant, no password yet) when unknown."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        first, _sep, last = (name or "").strip().partition(" ")
        user = User(email=email, first_name=first, last_name=last, organisation=organisation)
        user.set_unusable_password()
        audited_save(user, actor=actor, reason="invited as partner contact")
        user_set_roles(actor=actor, user=user, roles=[Role.APPLICANT], reason="invited")
    elif not user.has_role(Role.APPLICANT):
        roles = [*user.roles, Role.APPLICANT]
        user_set_roles(actor=actor, user=user, roles=roles, reason="invited as partner contact")
    return user


def _queue_invitation(*, partner: Partner, actor: User, site_url: str) -> None:
    contact = partner.contact
    with translation.override(contact.language or "nl"):
        link = _invite_link(contact, partner.application, site_url)
    queue_email_to_users(
        users=[contact],
        subject=_("Invitation to the ICON application %(acronym)s")
        % {"acronym": partner.application.acronym},
        template="projects/email/invitation.txt",
        context={"partner": partner, "application": partner.application, "actor": actor,
                 "link": link},
    )


@transaction.atomic
def partner_add(
    *,
    actor: User,
    application: Application,
    organisation: Organisation,
    contact_email: str,
    contact_name: str = "",
    declares_non_economic: bool = False,
    site_url: str = "",
) -> Partner:
    """Add an organisation of the registry to the consortium.

    Side effects, in order: checks the application may change (deadline, state);
    finds or creates the contact person's account (applicant role, no password yet);
    saves the partner with its part (research or company, from its kind and
    declaration) (audited); on commit, e-mails the contact an invitation.
    """
    application = _lock(application)
    _guard(application, item=CompletionItem.CONSORTIUM)
    if Partner.objects.filter(application=application, organisation=organisation).exists():
        raise Refused(_("%(name)s is already a partner.") % {"name": organisation.name})
    contact = _contact_user(
        actor=actor, email=contact_email, name=contact_name, organisation=organisation
    )
    partner = Partner(
        application=application,
        organisation=organisation,
        part=domain.default_part(
            kind=organisation.kind, declares_non_economic=declares_non_economic
        ),
        declares_non_economic=declares_non_economic,
        contact=contact,
        contact_email=contact.email,
        contact_name=contact_name or contact.get_full_name(),
        invited_at=timezone.now(),
    )
    audited_save(partner, actor=actor, reason="partner added")
    _queue_invitation(partner=partner, actor=actor, site_url=site_url)
    return partner


@transaction.atomic
def partner_update(
    *,
    actor: User,
    partner: Partner,
    contact_email: str,
    contact_name: str = "",
    declares_non_economic: bool = False,
    site_url: str = "",
) -> Partner:
    """Change a partner's contact person or declaration (which may move it to the other
    part); a new contact person is invited by e-mail on commit. Audited."""
    _lock(partner.application)
    partner = Partner.objects.select_related("organisation", "contact", "application__call").get(
        pk=partner.pk
    )
    _guard(partner.application, item=CompletionItem.CONSORTIUM)
    organisation = partner.organisation
    new_contact = contact_email.strip().lower() != (partner.contact_email or "").lower()
    if new_contact:
        partner.contact = _contact_user(
            actor=actor, email=contact_email, name=contact_name, organisation=organisation
        )
        partner.contact_email = partner.contact.email
        partner.invited_at = timezone.now()
    partner.contact_name = contact_name
    partner.declares_non_economic = declares_non_economic
    partner.part = domain.default_part(
        kind=organisation.kind, declares_non_economic=declares_non_economic
    )
    audited_save(partner, actor=actor, reason="partner updated")
    if new_contact:
        _queue_invitation(partner=partner, actor=actor, site_url=site_url)
    return partner


@transaction.atomic
def partner_remove(*, actor: User, partner: Partner) -> None:
    """Remove a partner (never the coordinator) with its budget; the history keeps both."""
    application = _lock(partner.application)
    _guard(application, item=CompletionItem.CONSORTIUM)
    if partner.is_coordinator:
        raise Refused(_("The coordinator cannot be removed from the consortium."))
    partner._history_user = actor
    partner._change_reason = "partner removed"
    partner.delete()


# --- Budget ------------------------------------------------------------------------------


@transaction.atomic
def budget_save(
    *, actor: User, partner: Partner, amounts: dict[tuple[int, str, str], Decimal]
) -> Partner:
    """Set a partner's budget to `amounts` ((year, category, activity) → euro).

    Cells left out or zero are removed; only changed cells are written, each with an
    audit row. Refused when the application may no longer change.
    """
    application = _lock(partner.application)
    _guard(application, item=CompletionItem.BUDGET)
    allowed = set(domain.activities_for_part(partner.part))
    years = set(domain.project_years(application.duration_months or 0))
    existing = {(e.year, e.category, e.activity): e for e in partner.budget_entries.all()}
    for key, amount in amounts.items():
        year, category, activity = key
        amount = round_cents(amount or 0)
        if amount < 0:
            raise Refused(_("Amounts cannot be negative."))
        entry = existing.pop(key, None)
        if amount == 0 or activity not in allowed or year not in years:
            if entry is not None:
                entry._history_user = actor
                entry.delete()
            continue
        if entry is None:
            entry = BudgetEntry(partner=partner, year=year, category=category, activity=activity)
        elif entry.amount == amount:
            continue
        entry.amount = amount
        audited_save(entry, actor=actor, reason="budget")
    for entry in existing.values():
        entry._history_user = actor
        entry.delete()
    # 'Last changed' of the application, which the autosave script compares with its copy.
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    return partner


# --- Attachments -------------------------------------------------------------------------


def check_pdf_upload(*, head: bytes, size: int) -> tuple[bool, str]:
    """A PDF by its content (starts with %PDF-), at most 20 MB. The name is ignored."""
    if size > MAX_ATTACHMENT_BYTES:
        return False, _("The file is larger than 20 MB.")
    if not head.startswith(b"%PDF-"):
        return False, _("This file is not a PDF (its content is checked, not its name).")
    return True, ""


@transaction.atomic
def attachment_add(
    *, actor: User, application: Application, kind: AttachmentKind, upload: UploadedFile
) -> Attachment:
    """Store a PDF attachment outside the web root; a new project description replaces
    the previous one (which the history keeps). Audited."""
    application = _lock(application)
    _guard(application, item=CompletionItem.ATTACHMENTS)
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    ok, reason = check_pdf_upload(head=head, size=upload.size)
    if not ok:
        raise Refused(reason)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    if kind == AttachmentKind.DESCRIPTION:
        for old in application.attachments.filter(kind=AttachmentKind.DESCRIPTION):
            old._history_user = actor
            old.file.delete(save=False)
            old.delete()
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=(upload.name or "document.pdf")[-255:],
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save("upload.pdf", upload, save=False)
    audited_save(attachment, actor=actor, reason=f"attachment {kind}")
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    application = _lock(attachment.application)
    _guard(application, item=CompletionItem.ATTACHMENTS)
    attachment._history_user = actor
    attachment._change_reason = "attachment removed"
    stored = attachment.file.name
    attachment.delete()
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(stored))


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
    from .tasks import render_snapshot_pdf

    pk = application.pk
    transaction.on_commit(lambda: render_snapshot_pdf.delay(application_id=pk))


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


# --- Drafts of forms ---------------------------------------------------------------------


def draft_save(*, user: User, application: Application, form_key: str, data: dict) -> None:
    """Keep what `user` typed in a form that did not validate (nothing typed is lost)."""
    FormDraft.objects.update_or_create(
        user=user, application=application, form_key=form_key, defaults={"data": data}
    )


def draft_clear(*, user: User, application: Application, form_key: str) -> None:
    FormDraft.objects.filter(user=user, application=application, form_key=form_key).delete()


def draft_get(*, user: User, application: Application, form_key: str) -> dict | None:
    draft = FormDraft.objects.filter(
        user=user, application=application, form_key=form_key
    ).first()
    return draft.data if draft else None
