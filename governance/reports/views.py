"""Pages of the reports: the call's scores and decisions as CSV or XLSX (the same figures
as the call evaluation report, evaluation.py), the KPI page and its exports, the reports
page (requests, progress, downloads; the PDFs are made by a worker) and the budget
execution pages."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext as _

from calls.enums import LedgerEntryKind
from calls.models import Call, Envelope
from calls.selectors import year_overview
from governance.decisions.selectors import funded_participations
from programme import exports, kpis
from programme.access import permission_required
from programme.enums import BudgetLineKind
from programme.formats import parse_int
from programme.models import (
    BudgetLine,
    GeneratedReport,
    Programme,
    ProgrammeYear,
    ReportKind,
    ReportState,
)

from . import evaluation, kpi_report, services as reports
from .domain import report_download_name
from .forms import REQUEST_FORMS, KpiReportForm

ZERO = Decimal("0")


@permission_required("programme.view_reports")
def evaluation_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Scores and decisions of a call in the language of the page, masked for the
    viewer's conflicts of interest like the ranking page."""
    call = get_object_or_404(Call, pk=pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404("unknown format")
    data = evaluation.evaluation_data(call, viewer=request.user)
    language = (get_language() or "nl")[:2]
    if fmt == "csv":
        content = exports.table_csv(data.table, language=language)
    else:
        title = _("Scores and decisions") + f": {data.call.title}"
        content = exports.workbook_xlsx(
            evaluation.scores_sheets(data, title=title), language=language
        )
    return exports.export_response(content, filename=evaluation.export_name(call, fmt, language))


# --- KPI page and generated reports ----------------------------------------------------------


def _programme_year(request: HttpRequest, programme: Programme) -> int | None:
    """The `?year=` of a KPI page when it is a year of the programme, else None (whole)."""
    year = parse_int(request.GET.get("year"))
    if year is not None and programme.years.filter(year=year).exists():
        return year
    return None


@permission_required("programme.view_reports")
def kpi_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The KPIs of a programme against their targets, with their source rows and the
    budget execution: the same figures as the KPI report PDF and the exports."""
    programme = get_object_or_404(Programme, pk=pk)
    year = _programme_year(request, programme)
    context = kpi_report.kpi_report_context(programme, year=year, viewer=request.user)
    context["years"] = list(programme.years.values_list("year", flat=True))
    context["can_request"] = request.user.has_perm("programme.request_report")
    return render(request, "governance/reports/kpi_overview.html", context)


@permission_required("programme.view_reports")
def kpi_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The KPI table as CSV or XLSX, in the language of the page."""
    programme = get_object_or_404(Programme, pk=pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404("unknown format")
    year = _programme_year(request, programme)
    context = kpi_report.kpi_report_context(programme, year=year, viewer=request.user)
    language = (get_language() or "nl")[:2]
    if fmt == "csv":
        content = exports.table_csv(context["table"], language=language)
    else:
        title = _("KPI report") + f": {programme.name}" + (f" ({year})" if year else "")
        sheets = kpi_report.kpi_sheets(
            table=context["table"],
            results=context["results"],
            budget=context["budget"],
            title=title,
            trend=context.get("trend"),
        )
        content = exports.workbook_xlsx(sheets, language=language)
    name = f"kpi-{programme.code}-{year or 'all'}-{language}.{fmt}"
    return exports.export_response(content, filename=name)


def _with_programmes(report_list: list[GeneratedReport]) -> list[GeneratedReport]:
    """Attach `programme` and `call` (from the parameters) to each report: one query
    for all programmes, one for all calls."""
    ids = {r.parameters.get("programme") for r in report_list} - {None}
    programmes = Programme.objects.in_bulk(ids)
    call_ids = {r.parameters.get("call") for r in report_list} - {None}
    calls = Call.objects.in_bulk(call_ids) if call_ids else {}
    for report in report_list:
        report.programme = programmes.get(report.parameters.get("programme"))
        report.call = calls.get(report.parameters.get("call"))
    return report_list


REPORT_HISTORY_LIMIT = 100


@permission_required("programme.view_reports")
def report_list(request: HttpRequest) -> HttpResponse:
    """The history of generated reports and the forms to request one of each kind (the
    KPI report first, then forms.REQUEST_FORMS: the call evaluation report). A POST
    names its kind; only that form is bound, so a refused request keeps its input."""
    can_request = request.user.has_perm("programme.request_report")
    if request.method == "POST" and not can_request:
        raise PermissionDenied
    request_forms = []
    if can_request:
        language = request.user.language or (get_language() or "nl")[:2]
        initial = {"language": language}
        programme_id = parse_int(request.GET.get("programme"), minimum=1)
        if programme_id is not None:
            initial["programme"] = programme_id
        year = parse_int(request.GET.get("year"))
        if year is not None:
            initial["year"] = year
        posted = request.POST.get("kind", ReportKind.KPI) if request.method == "POST" else None
        kinds = [(ReportKind.KPI, KpiReportForm, initial)]
        call_id = parse_int(request.GET.get("call"), minimum=1)
        other_initial = {"language": language, **({"call": call_id} if call_id else {})}
        kinds += [(kind, form_class, other_initial) for kind, form_class in REQUEST_FORMS.items()]
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
        "governance/reports/report_list.html",
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
    return render(request, "governance/reports/_report_row.html", {"report": report})


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
        filename=report_download_name(report, programme.code if programme else ""),
        content_type="application/pdf",
    )


# --- Budget ---------------------------------------------------------------------------------


@permission_required("calls.view_budget")
def budget_index(request: HttpRequest) -> HttpResponse:
    years = ProgrammeYear.objects.select_related("programme").order_by("programme", "year")
    lines = dict(
        BudgetLine.objects.filter(kind=BudgetLineKind.PROJECT_BUDGET)
        .values("programme_year")
        .annotate(total=Sum("amount"))
        .values_list("programme_year", "total")
    )
    envelopes = {
        row["call__programme_year"]: row
        for row in Envelope.objects.values("call__programme_year").annotate(
            amount=Sum("amount"),
            committed=Sum("committed"),
            reserved=Sum("reserved"),
            paid=Sum("paid"),
            count=Count("pk"),
        )
    }
    rows = []
    for year in years:
        env = envelopes.get(year.pk, {})
        amount = env.get("amount") or ZERO
        committed = env.get("committed") or ZERO
        reserved = env.get("reserved") or ZERO
        rows.append(
            {
                "year": year,
                "budget_line": lines.get(year.pk) or ZERO,
                "envelopes": amount,
                "count": env.get("count", 0),
                "committed": committed,
                "paid": env.get("paid") or ZERO,
                "available": amount - committed - reserved,
            }
        )
    return render(request, "governance/reports/budget_index.html", {"rows": rows})


@permission_required("calls.view_budget")
def budget_year(request: HttpRequest, pk: int) -> HttpResponse:
    year = get_object_or_404(ProgrammeYear.objects.select_related("programme"), pk=pk)
    envelopes = (
        Envelope.objects.filter(call__programme_year=year)
        .select_related("call", "action_domain")
        .annotate(
            released=Coalesce(
                Sum("ledger__amount", filter=Q(ledger__kind=LedgerEntryKind.RELEASE)),
                ZERO,
                output_field=DecimalField(),
            )
        )
        .order_by("call__deadline", "name_nl")
    )
    context = {
        "overview": year_overview(year),
        "envelopes": envelopes,
        "lines": BudgetLine.objects.filter(programme_year=year, kind=BudgetLineKind.PROJECT_BUDGET),
        # From the funded projects (the governance app's source of programme.kpis); None
        # until decisions exist, and the page says so instead of showing a made-up figure.
        "sme_share": kpis.sme_share_of_aid(funded_participations(year.programme, year.year)),
    }
    return render(request, "governance/reports/budget_year.html", context)
