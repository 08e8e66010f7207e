"""The applicant portal: start, project data, live rule checks, attachments, submission,
withdrawal, completion and the snapshot PDF.

An application is fetched by `_get_application_for_user`, which answers 404 to anyone
who may not see it (no existence leak). Views check input and call services; they hold
no rules.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.domain import accepts_submissions
from calls.enums import CallState
from calls.models import Call
from programme.access import login_required, permission_required
from programme.services import outbox_enqueue
from programme.states import Refused
from programme.views import programme_history

from .. import selectors, services
from ..enums import ApplicationState, CompletionItem
from ..forms import (
    ApplicationForm,
    AttachmentForm,
    form_data_for_draft,
)
from ..models import Application, Attachment, Partner


def htmx_aware_login(view):
    """Like login_required, but an htmx request of a logged-out person (an expired
    session during autosave) gets 401, so the page keeps what was typed and says so
    instead of swapping in the login page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated and request.htmx:
            return HttpResponse(status=401)
        return login_required(view)(request, *args, **kwargs)

    return wrapped


def _get_application_for_user(request: HttpRequest, pk: int, perm: str | None = None):
    """The application, or 404 when this user may not know about it; 403 when they may
    see it but not do `perm`."""
    application = selectors.application_for_user(request.user, pk)
    if application is None:
        raise Http404("no such application for this user")
    if perm is not None and not request.user.has_perm(perm, application):
        raise PermissionDenied
    return application


def _get_partner(application: Application, partner_pk: int) -> Partner:
    return get_object_or_404(
        Partner.objects.select_related("organisation", "contact"),
        pk=partner_pk,
        application=application,
    )


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _may_write(application: Application, item: CompletionItem) -> tuple[bool, str]:
    return services.write_allowed(application, item=item, now=timezone.now())


def _checks_changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = "checksChanged"
    return response


# --- Applicant portal ---------------------------------------------------------------------


@permission_required("projects.list_own_applications")
def application_list(request: HttpRequest) -> HttpResponse:
    """The applicant's applications and the calls open for a new one."""
    applications = (
        selectors.applications_of(request.user)
        .select_related("call", "coordinator")
        .order_by("-created_at")
    )
    now = timezone.now()
    open_calls = Call.objects.filter(state=CallState.OPEN, opens_at__lte=now, deadline__gt=now)
    return render(
        request,
        "projects/application_list.html",
        {"applications": applications, "open_calls": open_calls},
    )


@permission_required("projects.start_application")
def application_create(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("parameters"), pk=call_pk)
    ok, reason = accepts_submissions(call, timezone.now())
    form = ApplicationForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_start(
                actor=request.user, call=call, **form.cleaned_data
            )
        except Refused as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Application started. It is saved as you type."))
            return redirect("application_detail", pk=application.pk)
    return render(
        request,
        "projects/application_form.html",
        {"form": form, "call": call, "call_open": ok, "call_reason": reason},
    )


@htmx_aware_login
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk)
    dossier = selectors.load_dossier(application)
    user = request.user
    is_coordinator = user.has_perm("projects.change_application", application)
    admissibility = getattr(application, "admissibility", None)
    context = {
        "application": application,
        "dossier": dossier,
        "is_coordinator": is_coordinator,
        "draft_invitations": sum(
            1 for p in dossier.partners if p.invited_at is None and not p.is_coordinator
        ),
        "can_submit": user.has_perm("projects.submit_application", application)
        and application.state == ApplicationState.DRAFT,
        "can_withdraw": user.has_perm("projects.withdraw_application", application)
        and application.state
        in (
            ApplicationState.SUBMITTED,
            ApplicationState.COMPLETION_REQUESTED,
            ApplicationState.ADMISSIBLE,
        )
        # governance's FundingDecision (reverse relation): no withdrawal once decided
        and not Application.objects.filter(pk=application.pk, decision__isnull=False).exists(),
        "write": {item.value: _may_write(application, item) for item in CompletionItem},
        "editable_partners": {
            p.pk for p in dossier.partners if user.has_perm("projects.change_budget", p)
        },
        "admissibility": admissibility,
        "completion_labels": [
            CompletionItem(i).label for i in getattr(admissibility, "completion_items", [])
        ],
        "is_staff": user.has_perm("projects.check_admissibility"),
    }
    if user.has_perm("programme.view_history"):
        context["history"] = programme_history(application)
    return render(request, "projects/application_detail.html", context)


@htmx_aware_login
def application_checks(request: HttpRequest, pk: int) -> HttpResponse:
    """The live 'ready to submit?' panel (htmx partial)."""
    application = _get_application_for_user(request, pk)
    dossier = selectors.load_dossier(application)
    return render(
        request, "projects/_checks.html", {"application": application, "dossier": dossier}
    )


GENERAL_FORM = "general"


@htmx_aware_login
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The project data. An htmx POST autosaves: valid input is saved, invalid input is
    kept as a draft and shown again, bound, the next time the page opens."""
    application = _get_application_for_user(request, pk, "projects.change_application")
    ok, reason = _may_write(application, CompletionItem.GENERAL)
    if request.method == "POST":
        form = ApplicationForm(request.POST, instance=application, call=application.call)
        saved = False
        if not ok:
            form.is_valid()
            form.add_error(None, reason)
        elif form.is_valid():
            try:
                services.application_update(
                    actor=request.user, application=application, **form.cleaned_data
                )
            except Refused as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                services.draft_clear(
                    user=request.user, application=application, form_key=GENERAL_FORM
                )
                saved = True
        if not saved and ok:
            services.draft_save(
                user=request.user,
                application=application,
                form_key=GENERAL_FORM,
                data=form_data_for_draft(form),
            )
        if request.htmx:
            response = render(
                request,
                "projects/_autosave_status.html",
                {"form": form, "saved": saved, "now": timezone.now()},
            )
            return _checks_changed(response)
        if saved:
            messages.success(request, _("Project data saved."))
            return redirect("application_detail", pk=application.pk)
    else:
        draft = services.draft_get(
            user=request.user, application=application, form_key=GENERAL_FORM
        )
        if draft is not None:
            form = ApplicationForm(draft, instance=application, call=application.call)
            form.is_valid()
            messages.info(request, _("We restored what you typed last time; it is not saved yet."))
        else:
            form = ApplicationForm(instance=application, call=application.call)
    return render(
        request,
        "projects/application_edit.html",
        {"application": application, "form": form, "can_write": ok, "write_reason": reason},
    )


# --- Attachments --------------------------------------------------------------------------


@htmx_aware_login
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk, "projects.change_application")
    ok, reason = _may_write(application, CompletionItem.ATTACHMENTS)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not ok:
            form.add_error(None, reason)
        elif form.is_valid():
            try:
                services.attachment_add(
                    actor=request.user,
                    application=application,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
            except Refused as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, _("Attachment stored."))
                return redirect("application_detail", pk=application.pk)
    return render(
        request,
        "projects/attachment_form.html",
        {"application": application, "form": form, "can_write": ok, "write_reason": reason},
    )


@htmx_aware_login
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    application = _get_application_for_user(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, application=application)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@htmx_aware_login
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk, "projects.change_application")
    attachment = get_object_or_404(Attachment, pk=attachment_pk, application=application)
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("application_detail", pk=application.pk)


# --- Submission and after -----------------------------------------------------------------


@htmx_aware_login
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the 'ready to submit?' page. POST: submit now (server time decides)."""
    application = _get_application_for_user(request, pk, "projects.submit_application")
    error = None
    if request.method == "POST":
        try:
            services.application_submit(actor=request.user, application=application)
        except Refused as exc:
            error = str(exc)
        else:
            application.refresh_from_db()
            messages.success(
                request,
                _(
                    "Your application is submitted. Receipt number: %(receipt)s. The receipt "
                    "will follow by e-mail, with the PDF of the submitted version."
                )
                % {"receipt": application.receipt_number},
            )
            return redirect("application_detail", pk=application.pk)
    dossier = selectors.load_dossier(application)
    ok, reason = accepts_submissions(application.call, timezone.now())
    return render(
        request,
        "projects/application_submit.html",
        {
            "application": application,
            "dossier": dossier,
            "error": error,
            "call_open": ok,
            "call_reason": reason,
        },
        status=409 if error else 200,
    )


@htmx_aware_login
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk, "projects.withdraw_application")
    error = None
    if request.method == "POST":
        try:
            services.application_withdraw(
                actor=request.user,
                application=application,
                reason=request.POST.get("reason", "")[:300],
            )
        except Refused as exc:
            error = str(exc)
        else:
            messages.success(request, _("The application is withdrawn."))
            return redirect("application_detail", pk=application.pk)
    return render(
        request,
        "projects/application_withdraw.html",
        {"application": application, "error": error},
    )


@htmx_aware_login
def application_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand in the application after a completion request."""
    application = _get_application_for_user(request, pk, "projects.change_application")
    error = None
    if request.method == "POST":
        try:
            services.application_complete(actor=request.user, application=application)
        except Refused as exc:
            error = str(exc)
        else:
            messages.success(request, _("The completed application is handed in."))
            return redirect("application_detail", pk=application.pk)
    return render(
        request,
        "projects/application_complete.html",
        {
            "application": application,
            "check": getattr(application, "admissibility", None),
            "error": error,
            "items": [
                CompletionItem(i).label
                for i in getattr(
                    getattr(application, "admissibility", None), "completion_items", []
                )
            ],
        },
    )


@htmx_aware_login
def application_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The submitted version as PDF (rendered by the worker after submission)."""
    application = _get_application_for_user(request, pk)
    if not application.snapshot:
        raise Http404("not submitted")
    if not application.snapshot_pdf:
        # Lost task, demo data, or still rendering: (re)queue it through the outbox (a
        # broker that is down leaves it for the sweep). The task is idempotent; without a
        # broker (eager mode) it renders right here.
        from ..tasks import render_snapshot_pdf

        outbox_enqueue(
            task=render_snapshot_pdf, kwargs={"application_id": application.pk}, unique=True
        )
        application.refresh_from_db()
    if not application.snapshot_pdf:
        return render(request, "projects/pdf_pending.html", {"application": application})
    return FileResponse(
        application.snapshot_pdf.open("rb"),
        filename=f"{application.receipt_number}.pdf",
        content_type="application/pdf",
    )
