"""Writes of an application's own data: start, project data, attachments and form drafts,
and the lock-and-check every applicant write goes through (`_guard`).
"""

import hashlib
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.domain import accepts_submissions, may_start_full_proposal
from calls.enums import PreregistrationState
from calls.models import Call, CallRegistration
from programme import uploads
from programme.models import User
from programme.services import audited_save
from programme.states import Refused

from .. import domain
from ..enums import (
    APPLICATION_TRANSITIONS,
    ApplicationState,
    AttachmentKind,
    CompletionItem,
)
from ..models import Application, Attachment, FormDraft, Partner

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
def application_start(
    *, actor: User, call: Call, title: str, acronym: str, **fields
) -> Application:
    """Start an application for an open call with the actor's organisation as coordinator.

    Side effects, in order: checks the call accepts submissions now and, in a call with
    a pre-selection stage, that the actor or their organisation was pre-selected; saves the
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
    preselected = CallRegistration.objects.filter(
        Q(user=actor) | Q(user__organisation=actor.organisation),
        call=call,
        state=PreregistrationState.PRESELECTED,
    ).exists()
    ok, reason = may_start_full_proposal(call, preselected=preselected)
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
    """Store a PDF attachment outside the web root under a name of ours; a new project
    description replaces the previous one (which the history keeps). Audited. Refused
    when the file is not a PDF by content and name, or carries JavaScript, a launch
    action or embedded files (programme.uploads)."""
    application = _lock(application)
    _guard(application, item=CompletionItem.ATTACHMENTS)
    try:
        uploads.check_upload(upload, allowed=uploads.PDF_ONLY, max_bytes=MAX_ATTACHMENT_BYTES)
    except ValidationError as error:
        raise Refused(error.messages) from None
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


# --- Drafts of forms ---------------------------------------------------------------------


def draft_save(*, user: User, application: Application, form_key: str, data: dict) -> None:
    """Keep what `user` typed in a form that did not validate (nothing typed is lost)."""
    FormDraft.objects.update_or_create(
        user=user, application=application, form_key=form_key, defaults={"data": data}
    )


def draft_clear(*, user: User, application: Application, form_key: str) -> None:
    FormDraft.objects.filter(user=user, application=application, form_key=form_key).delete()


def draft_get(*, user: User, application: Application, form_key: str) -> dict | None:
    draft = FormDraft.objects.filter(user=user, application=application, form_key=form_key).first()
    return draft.data if draft else None
