"""Staff pages: the submitted applications (filters, search, sort, export) and the
admissibility check.
"""

import django_filters
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext as _, gettext_lazy

from calls.models import Call
from programme import exports
from programme.access import permission_required
from programme.formats import BRUSSELS
from programme.states import Refused
from programme.views import programme_history

from .. import selectors, services
from ..enums import HANDED_IN
from ..forms import (
    AdmissibilityForm,
)
from ..models import Application

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
