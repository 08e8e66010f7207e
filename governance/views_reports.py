"""The call's scores and decisions as CSV or XLSX (the same figures as the call
evaluation report, governance.evaluation_report); the PDF itself is asked for on the
reports page or from the ranking page and made by a worker."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from calls.models import Call
from programme.access import permission_required

from . import evaluation_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@permission_required("programme.view_reports")
def evaluation_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Scores and decisions of a call in the language of the page, masked for the
    viewer's conflicts of interest like the ranking page."""
    call = get_object_or_404(Call, pk=pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404("unknown format")
    data = evaluation_report.evaluation_data(call, viewer=request.user)
    language = (get_language() or "nl")[:2]
    if fmt == "csv":
        # The byte-order mark lets Excel recognise UTF-8 (€, ï, …).
        body = "\ufeff" + evaluation_report.scores_csv(data.table)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        title = _("Scores and decisions") + f": {data.call.title}"
        response = HttpResponse(evaluation_report.scores_xlsx(data, title=title),
                                content_type=XLSX)
    name = evaluation_report.export_name(call, fmt, language)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
