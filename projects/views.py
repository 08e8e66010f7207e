"""Pages of the projects app: the applicant portal (start, project data, consortium,
budgets, attachments, live rule checks, submission, withdrawal, completion) and the
staff pages (submitted applications with export, admissibility check).

An application is fetched by `_get_application_for_user`, which answers 404 to anyone
who is neither a partner contact of it nor staff (no existence leak). Views check
input and call services; they hold no rules.
"""

from functools import wraps

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.domain import accepts_submissions
from calls.enums import CallState
from calls.models import Call
from programme import exports
from programme.access import login_required, permission_required
from programme.domain import EnterpriseNumberError
from programme.formats import BRUSSELS
from programme.forms import OrganisationForm
from programme.services import organisation_save
from programme.states import Refused
from programme.views import programme_history

from . import domain, selectors, services
from .enums import HANDED_IN, ApplicationState, CompletionItem
from .forms import (
    AdmissibilityForm,
    ApplicationForm,
    AttachmentForm,
    BudgetForm,
    PartnerEditForm,
    PartnerForm,
    form_data_for_draft,
)
from .models import Application, Attachment, Partner


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


# --- Consortium ---------------------------------------------------------------------------


@htmx_aware_login
def partner_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk, "projects.change_application")
    ok, reason = _may_write(application, CompletionItem.CONSORTIUM)
    form = PartnerForm(request.POST or None, application=application)
    staff = request.user.has_perm("programme.verify_organisation")
    new_requested = request.method == "POST" and not request.POST.get("organisation")
    org_form = OrganisationForm(
        request.POST if new_requested else None, prefix="org", staff=staff
    )
    if request.method == "POST":
        if not ok:
            form.add_error(None, reason)
        elif form.is_valid() and (form.cleaned_data["organisation"] or org_form.is_valid()):
            try:
                organisation = form.cleaned_data["organisation"]
                if organisation is None:
                    data = dict(org_form.cleaned_data)
                    data.pop("verified", None)
                    number = data.pop("enterprise_number")
                    organisation = organisation_save(
                        actor=request.user, enterprise_number=number, **data
                    )
                services.partner_add(
                    actor=request.user,
                    application=application,
                    organisation=organisation,
                    contact_email=form.cleaned_data["contact_email"],
                    contact_name=form.cleaned_data["contact_name"],
                    declares_non_economic=form.cleaned_data["declares_non_economic"],
                    site_url=_site_url(request),
                )
            except (Refused, EnterpriseNumberError) as error:
                form.add_error(None, str(error))
            except IntegrityError:
                org_form.add_error(
                    "enterprise_number", _("This enterprise number is already registered.")
                )
            else:
                messages.success(
                    request,
                    _("%(name)s joined the consortium; %(email)s is invited by e-mail.")
                    % {"name": organisation.name, "email": form.cleaned_data["contact_email"]},
                )
                return redirect("application_detail", pk=application.pk)
    return render(
        request,
        "projects/partner_form.html",
        {
            "application": application,
            "form": form,
            "org_form": org_form,
            "open_new": new_requested,
            "can_write": ok,
            "write_reason": reason,
        },
    )


@htmx_aware_login
def partner_edit(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk, "projects.change_application")
    partner = _get_partner(application, partner_pk)
    ok, reason = _may_write(application, CompletionItem.CONSORTIUM)
    initial = {
        "contact_email": partner.contact_email,
        "contact_name": partner.contact_name,
        "declares_non_economic": partner.declares_non_economic,
    }
    form = PartnerEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not ok:
            form.add_error(None, reason)
        elif form.is_valid():
            try:
                services.partner_update(
                    actor=request.user, partner=partner, site_url=_site_url(request),
                    **form.cleaned_data,
                )
            except Refused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Partner saved."))
                return redirect("application_detail", pk=application.pk)
    return render(
        request,
        "projects/partner_edit.html",
        {"application": application, "partner": partner, "form": form, "can_write": ok,
         "write_reason": reason},
    )


@require_POST
@htmx_aware_login
def partner_remove(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk, "projects.change_application")
    partner = _get_partner(application, partner_pk)
    try:
        services.partner_remove(actor=request.user, partner=partner)
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s left the consortium.") % {"name": partner})
    return redirect("application_detail", pk=application.pk)


def _budget_form_key(partner: Partner) -> str:
    return f"budget-{partner.pk}"


@htmx_aware_login
def partner_budget(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    """A partner's budget grid, with its totals and reasons. Every partner contact may
    read it; its own contact and the coordinator may change it. An htmx POST saves as
    the person types (invalid cells are kept as a draft)."""
    application = _get_application_for_user(request, pk)
    partner = _get_partner(application, partner_pk)
    may_edit = request.user.has_perm("projects.change_budget", partner)
    ok, reason = _may_write(application, CompletionItem.BUDGET)
    years = domain.project_years(application.duration_months or 0)
    key = _budget_form_key(partner)
    saved = False
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        form = BudgetForm(request.POST, partner=partner, years=years)
        if not ok:
            form.is_valid()
            form.add_error(None, reason)
        elif form.is_valid():
            try:
                services.budget_save(actor=request.user, partner=partner, amounts=form.amounts())
            except Refused as error:
                form.add_error(None, str(error))
            else:
                services.draft_clear(user=request.user, application=application, form_key=key)
                saved = True
        if not saved and ok:
            services.draft_save(
                user=request.user, application=application, form_key=key,
                data=form_data_for_draft(form),
            )
        if saved and not request.htmx:
            messages.success(request, _("Budget saved."))
            return redirect("partner_budget", pk=application.pk, partner_pk=partner.pk)
    else:
        draft = services.draft_get(user=request.user, application=application, form_key=key)
        if draft is not None and may_edit:
            form = BudgetForm(draft, partner=partner, years=years)
            form.is_valid()
            messages.info(request, _("We restored what you typed last time; it is not saved yet."))
        else:
            form = BudgetForm(partner=partner, years=years)
    dossier = selectors.load_dossier(application)
    totals = next(t for p, t in dossier.rows() if p.pk == partner.pk)
    context = {
        "application": application,
        "partner": partner,
        "form": form,
        "totals": totals,
        "dossier": dossier,
        "may_edit": may_edit and ok,
        "write_reason": reason if may_edit else "",
        "saved": saved,
        "now": timezone.now(),
    }
    if request.htmx and request.method == "POST":
        return _checks_changed(render(request, "projects/_budget_summary.html", context))
    return render(request, "projects/partner_budget.html", context)


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
                _("Your application is submitted. Receipt number: %(receipt)s.")
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
                for i in getattr(getattr(application, "admissibility", None),
                                 "completion_items", [])
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
        # Lost task, demo data, or still rendering: (re)queue it. The task is idempotent;
        # without a broker (eager mode) it renders right here.
        from .tasks import render_snapshot_pdf

        render_snapshot_pdf.delay(application_id=application.pk)
        application.refresh_from_db()
    if not application.snapshot_pdf:
        return render(request, "projects/pdf_pending.html", {"application": application})
    return FileResponse(
        application.snapshot_pdf.open("rb"),
        filename=f"{application.receipt_number}.pdf",
        content_type="application/pdf",
    )


# --- Staff: submitted applications and admissibility --------------------------------------

SORTS = {
    "submitted": "submitted_at",
    "-submitted": "-submitted_at",
    "acronym": "acronym",
    "-acronym": "-acronym",
    "cost": "total_cost",
    "-cost": "-total_cost",
    "aid": "total_aid",
    "-aid": "-total_aid",
    "coordinator": "coordinator__name",
    "-coordinator": "-coordinator__name",
}


class SubmittedFilter(django_filters.FilterSet):
    call = django_filters.ModelChoiceFilter(
        queryset=Call.objects.order_by("-deadline"), label=gettext_lazy("Call")
    )
    state = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in HANDED_IN], label=gettext_lazy("State")
    )
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    sort = django_filters.ChoiceFilter(
        method="order",
        label=gettext_lazy("Sort by"),
        choices=[
            ("submitted", gettext_lazy("Submitted (oldest first)")),
            ("-submitted", gettext_lazy("Submitted (newest first)")),
            ("acronym", gettext_lazy("Acronym")),
            ("coordinator", gettext_lazy("Coordinator")),
            ("-cost", gettext_lazy("Total cost (highest first)")),
            ("-aid", gettext_lazy("Requested aid (highest first)")),
        ],
    )

    class Meta:
        model = Application
        fields = ["call", "state", "q", "sort"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(acronym__icontains=value)
            | Q(receipt_number__icontains=value)
            | Q(coordinator__name__icontains=value)
        )

    def order(self, queryset, name, value):
        return queryset.order_by(SORTS.get(value, "submitted_at"), "pk")


def _submitted_queryset(request: HttpRequest):
    queryset = (
        Application.objects.filter(state__in=HANDED_IN)
        .select_related("call", "coordinator", "admissibility")
        .annotate(partner_count=Count("partners", distinct=True))
        .order_by("submitted_at", "pk")
    )
    return SubmittedFilter(request.GET or None, queryset=queryset)


LIST_PAGE_SIZE = 100


@permission_required("projects.list_submitted")
def admissibility_list(request: HttpRequest) -> HttpResponse:
    filterset = _submitted_queryset(request)
    page = Paginator(filterset.qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/admissibility_list.html",
        {
            "filter": filterset,
            "applications": page.object_list,
            "page_obj": page,
            "query": query.urlencode(),
        },
    )


@permission_required("projects.list_submitted")
def admissibility_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list as CSV or XLSX (same filters and order as the page). The XLSX
    has three sheets: applications, partners, budget lines; the CSV gives one of them
    (`?table=partners`, `?table=budget`, default the applications)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("unknown format")
    table = request.GET.get("table", "applications") if fmt == "csv" else "applications"
    if table not in selectors.EXPORT_TABLES:
        raise Http404("unknown table")
    tables = selectors.submitted_export_tables(_submitted_queryset(request).qs)
    language = (get_language() or "nl")[:2]
    stamp = timezone.localtime(timezone.now(), BRUSSELS).strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        content = exports.table_csv(tables[table], language=language)
    else:
        content = exports.workbook_xlsx(list(tables.values()), language=language)
    return exports.export_response(content, filename=f"{table}-{stamp}.{fmt}")


@permission_required("projects.check_admissibility")
def admissibility_check(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(
        Application.objects.select_related("call", "coordinator").filter(state__in=HANDED_IN),
        pk=pk,
    )
    check = getattr(application, "admissibility", None)

    def tri(value):
        return {True: "yes", False: "no"}.get(value, "")

    initial = {}
    if check is not None:
        initial = {
            "complementary": tri(check.complementary),
            "broad_application": tri(check.broad_application),
            "consortium_rules": tri(check.consortium_rules),
            "complete": tri(check.complete),
            "reason": check.reason,
            "completion_items": check.completion_items,
            "completion_deadline": check.completion_deadline,
        }
    form = AdmissibilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.admissibility_record(
                actor=request.user, application=application, **form.service_kwargs()
            )
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Admissibility check saved."))
            return redirect("admissibility_check", pk=application.pk)
    context = {
        "application": application,
        "s": application.snapshot,
        "check": check,
        "form": form,
        "history": programme_history(application),
    }
    return render(request, "projects/admissibility_check.html", context)
