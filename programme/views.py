import django_filters
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _, gettext_lazy

from . import domain, services
from .access import login_required, permission_required
from .enums import KpiKind, OrganisationKind, Role, SmeClass
from .forms import MilestoneForm, OrganisationForm, OrganisationLinkForm
from .models import (
    BudgetLine,
    Kpi,
    MilestoneRecord,
    Organisation,
    OrganisationLink,
    Programme,
)


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the container health check: the app answers and the database too."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    """Landing page; a logged-in user sees a panel per role they hold."""
    context: dict = {}
    if request.user.is_authenticated:
        roles = request.user.roles
        context["programmes"] = Programme.objects.all()
        if roles & {Role.STAFF, Role.ADMIN, Role.PROGRAMME_MANAGER}:
            context["unverified_organisations"] = Organisation.objects.filter(
                verified=False
            ).order_by("-created_at")[:10]
            context["organisation_count"] = Organisation.objects.count()
        if Role.PROGRAMME_MANAGER in roles or Role.STEERING in roles:
            context["kpis"] = (
                Kpi.objects.select_related("programme")
                .annotate(record_count=Count("milestones"))
                .order_by("programme", "number")
            )
        if request.user.organisation_id:
            context["my_organisation"] = request.user.organisation
    return render(request, "programme/home.html", context)


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = Programme.objects.prefetch_related("years")
    return render(request, "programme/programme_list.html", {"programmes": programmes})


def programme_history(obj, limit: int = 50) -> list[dict]:
    """The audit rows of `obj`, newest first, each with the fields it changed."""
    records = list(obj.history.select_related("history_user").all()[: limit + 1])
    rows = []
    for record, older in zip(records, records[1:] + [None]):
        changes = []
        if older is not None:
            delta = record.diff_against(older)
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        rows.append({"record": record, "changes": changes})
    return rows[:limit]


@permission_required("programme.view_programme")
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme, pk=pk)
    lines = BudgetLine.objects.filter(programme_year__programme=programme).select_related(
        "programme_year"
    )
    table = domain.budget_table([y.year for y in programme.years.all()], lines)
    kpis = programme.kpis.prefetch_related(
        Prefetch(
            "milestones",
            queryset=MilestoneRecord.objects.select_related("recorded_by"),
        )
    )
    domains = programme.action_domains.filter(parent=None).prefetch_related("children")
    context = {
        "programme": programme,
        "table": table,
        "kpis": kpis,
        "action_domains": domains,
        "themes": programme.themes.all(),
        "disease_domains": programme.disease_domains.all(),
        "can_record": request.user.has_perm("programme.record_milestone"),
        "can_see_evidence": request.user.has_perm("programme.view_milestone_evidence"),
        "can_see_kpis": request.user.has_perm("programme.view_reports"),
    }
    if request.user.has_perm("programme.view_history"):
        context["history"] = programme_history(programme)
    return render(request, "programme/programme_detail.html", context)


@permission_required("programme.record_milestone")
def milestone_create(request: HttpRequest, kpi_pk: int) -> HttpResponse:
    kpi = get_object_or_404(Kpi.objects.select_related("programme"), pk=kpi_pk)
    if kpi.kind != KpiKind.MILESTONE:
        raise Http404("computed KPIs take no records")
    form = MilestoneForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.milestone_record(actor=request.user, kpi=kpi, **form.cleaned_data)
        messages.success(request, _("Milestone recorded."))
        return redirect("programme_detail", pk=kpi.programme_id)
    return render(request, "programme/milestone_form.html", {"form": form, "kpi": kpi})


@permission_required("programme.view_milestone_evidence")
def milestone_evidence(request: HttpRequest, pk: int) -> FileResponse:
    record = get_object_or_404(MilestoneRecord, pk=pk)
    if not record.evidence_file:
        raise Http404("no file")
    return FileResponse(record.evidence_file.open("rb"), as_attachment=True)


# --- Organisations -------------------------------------------------------------------------


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    kind = django_filters.ChoiceFilter(
        choices=OrganisationKind.choices, label=gettext_lazy("Kind")
    )
    sme_class = django_filters.ChoiceFilter(
        choices=SmeClass.choices, label=gettext_lazy("SME class")
    )
    verified = django_filters.BooleanFilter(label=gettext_lazy("Verified"))

    class Meta:
        model = Organisation
        fields = ["q", "kind", "sme_class", "verified"]

    def search(self, queryset, name, value):
        digits = "".join(ch for ch in value if ch.isdigit())
        condition = Q(name__icontains=value)
        if len(digits) >= 4:
            condition |= Q(enterprise_number__contains=digits)
        return queryset.filter(condition)


@permission_required("programme.list_organisations")
def organisation_list(request: HttpRequest) -> HttpResponse:
    queryset = Organisation.objects.annotate(member_count=Count("members")).order_by("name")
    filterset = OrganisationFilter(request.GET or None, queryset=queryset)
    return render(
        request,
        "programme/organisation_list.html",
        {"filter": filterset, "organisations": filterset.qs},
    )


def _get_organisation_for_user(request: HttpRequest, pk: int, perm: str) -> Organisation:
    """The organisation, or 404 when this user may not see it (no existence leak)."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not request.user.has_perm("programme.view_organisation", organisation):
        raise Http404("not visible")
    if not request.user.has_perm(perm, organisation):
        raise PermissionDenied
    return organisation


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _get_organisation_for_user(request, pk, "programme.view_organisation")
    links = OrganisationLink.objects.filter(
        Q(organisation=organisation) | Q(other=organisation)
    ).select_related("organisation", "other")
    context = {
        "organisation": organisation,
        "links": links,
        "members": organisation.members.all(),
        "can_edit": request.user.has_perm("programme.change_organisation", organisation),
        "can_link": request.user.has_perm("programme.add_organisationlink"),
    }
    if request.user.has_perm("programme.view_history"):
        context["history"] = programme_history(organisation)
    return render(request, "programme/organisation_detail.html", context)


def _save_organisation(request, form, organisation=None):
    data = dict(form.cleaned_data)
    verified = data.pop("verified", None)
    number = data.pop("enterprise_number")
    try:
        return services.organisation_save(
            actor=request.user,
            organisation=organisation,
            enterprise_number=number,
            verified=verified,
            **data,
        )
    except IntegrityError:
        # Two people registered the same number at the same moment: say so, keep input.
        form.add_error("enterprise_number", _("This enterprise number is already registered."))
        return None


@permission_required("programme.add_organisation")
def organisation_create(request: HttpRequest) -> HttpResponse:
    staff = request.user.has_perm("programme.verify_organisation")
    form = OrganisationForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        organisation = _save_organisation(request, form)
        if organisation is not None:
            messages.success(
                request,
                _("%(name)s is registered as %(klass)s.")
                % {"name": organisation.name, "klass": organisation.get_sme_class_display()},
            )
            return redirect("organisation_detail", pk=organisation.pk)
    return render(request, "programme/organisation_form.html", {"form": form})


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _get_organisation_for_user(request, pk, "programme.change_organisation")
    staff = request.user.has_perm("programme.verify_organisation")
    form = OrganisationForm(request.POST or None, instance=organisation, staff=staff)
    if request.method == "POST" and form.is_valid():
        if _save_organisation(request, form, organisation) is not None:
            messages.success(request, _("Changes saved."))
            return redirect("organisation_detail", pk=organisation.pk)
    return render(
        request, "programme/organisation_form.html", {"form": form, "organisation": organisation}
    )


@permission_required("programme.add_organisationlink")
def organisation_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationLinkForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_link_create(
            actor=request.user, organisation=organisation, **form.cleaned_data
        )
        messages.success(request, _("Link recorded."))
        return redirect("organisation_detail", pk=organisation.pk)
    return render(
        request, "programme/organisation_link_form.html", {"form": form, "organisation": organisation}
    )


# --- Accounts ------------------------------------------------------------------------------


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset whose e-mail goes through the Celery worker, in the user's language."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        services.queue_email(to=[to_email], subject=subject, body=body)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "registration/password_reset.html"


# --- KPI page and generated reports ----------------------------------------------------------
# Imported here, not at the top, so that this section merges as one appended block.
from django.utils.translation import get_language  # noqa: E402

from . import reports  # noqa: E402
from .models import GeneratedReport, ReportKind, ReportState  # noqa: E402
from .reports_forms import KpiReportForm  # noqa: E402


def _programme_year(request: HttpRequest, programme: Programme) -> int | None:
    """The `?year=` of a KPI page when it is a year of the programme, else None (whole)."""
    raw = request.GET.get("year", "")
    if raw.isdigit() and programme.years.filter(year=int(raw)).exists():
        return int(raw)
    return None


@permission_required("programme.view_reports")
def kpi_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The KPIs of a programme against their targets, with their source rows and the
    budget execution: the same figures as the KPI report PDF and the exports."""
    programme = get_object_or_404(Programme, pk=pk)
    year = _programme_year(request, programme)
    context = reports.kpi_report_context(programme, year=year)
    context["years"] = list(programme.years.values_list("year", flat=True))
    context["can_request"] = request.user.has_perm("programme.request_report")
    return render(request, "programme/reports/kpi_overview.html", context)


@permission_required("programme.view_reports")
def kpi_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The KPI table as CSV or XLSX, in the language of the page."""
    programme = get_object_or_404(Programme, pk=pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404("unknown format")
    year = _programme_year(request, programme)
    context = reports.kpi_report_context(programme, year=year)
    name = f"kpi-{programme.code}-{year or 'all'}-{get_language()[:2]}.{fmt}"
    if fmt == "csv":
        # The byte-order mark lets Excel recognise UTF-8 (€, ï, …).
        body = "\ufeff" + reports.kpi_csv(context["table"])
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        title = _("KPI report") + f": {programme.name}" + (f" ({year})" if year else "")
        response = HttpResponse(
            reports.kpi_xlsx(
                table=context["table"],
                results=context["results"],
                budget=context["budget"],
                title=title,
            ),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _with_programmes(report_list: list[GeneratedReport]) -> list[GeneratedReport]:
    """Attach `programme` and `call` (from the parameters) to each report: one query
    for all programmes, one for all calls."""
    from django.apps import apps

    ids = {r.parameters.get("programme") for r in report_list} - {None}
    programmes = Programme.objects.in_bulk(ids)
    call_ids = {r.parameters.get("call") for r in report_list} - {None}
    calls = apps.get_model("calls", "Call").objects.in_bulk(call_ids) if call_ids else {}
    for report in report_list:
        report.programme = programmes.get(report.parameters.get("programme"))
        report.call = calls.get(report.parameters.get("call"))
    return report_list


REPORT_HISTORY_LIMIT = 100


@permission_required("programme.view_reports")
def report_list(request: HttpRequest) -> HttpResponse:
    """The history of generated reports and the forms to request one of each kind (the
    KPI report here; other apps register theirs, e.g. the call evaluation report). A
    POST names its kind; only that form is bound, so a refused request keeps its input."""
    can_request = request.user.has_perm("programme.request_report")
    if request.method == "POST" and not can_request:
        raise PermissionDenied
    request_forms = []
    if can_request:
        language = request.user.language or (get_language() or "nl")[:2]
        initial = {"language": language}
        programme_id = request.GET.get("programme", "")
        if programme_id.isdigit():
            initial["programme"] = int(programme_id)
        year = request.GET.get("year", "")
        if year.isdigit():
            initial["year"] = int(year)
        posted = request.POST.get("kind", ReportKind.KPI) if request.method == "POST" else None
        kinds = [(ReportKind.KPI, KpiReportForm, initial)]
        call_id = request.GET.get("call", "")
        other_initial = {"language": language, **({"call": int(call_id)} if call_id.isdigit() else {})}
        kinds += [(kind, form_class, other_initial)
                  for kind, form_class in reports.REQUEST_FORMS.items()]
        for kind, form_class, form_initial in kinds:
            form = form_class(request.POST if posted == kind else None, initial=form_initial)
            form.kind, form.title = kind, getattr(form_class, "title", _("Request a KPI report"))
            request_forms.append(form)
            if posted == kind and form.is_valid():
                reports.report_request(
                    actor=request.user, kind=kind, parameters=form.cleaned_data["parameters"]
                )
                messages.success(
                    request, _("The report is being made; its row below shows the progress.")
                )
                return redirect("report_list")
    history = reports.mark_downloadable(
        request.user,
        _with_programmes(
            list(GeneratedReport.objects.select_related("requested_by")[:REPORT_HISTORY_LIMIT])
        ),
    )
    return render(
        request,
        "programme/reports/report_list.html",
        {
            "form": request_forms[0] if request_forms else None,
            "request_forms": request_forms[1:],
            "reports": history,
            "limit": REPORT_HISTORY_LIMIT,
        },
    )


@permission_required("programme.view_reports")
def report_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the history table; htmx polls it while the report is being made."""
    report = get_object_or_404(GeneratedReport.objects.select_related("requested_by"), pk=pk)
    reports.mark_downloadable(request.user, _with_programmes([report]))
    return render(request, "programme/reports/_report_row.html", {"report": report})


@permission_required("programme.view_reports")
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    """The report's PDF, for those who may see reports; 404 until it is made."""
    report = get_object_or_404(GeneratedReport, pk=pk, state=ReportState.DONE)
    if not reports.may_download(request.user, report):
        raise Http404("conflict of interest in the report's call")
    if not report.file or not report.file.storage.exists(report.file.name):
        raise Http404("file missing")
    programme = Programme.objects.filter(pk=report.parameters.get("programme")).first()
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=reports.report_download_name(report, programme.code if programme else ""),
        content_type="application/pdf",
    )
