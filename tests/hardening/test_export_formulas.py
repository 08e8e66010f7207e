"""Formula injection: every staff CSV/XLSX download goes through programme.exports and
neutralises text a spreadsheet would run (an application title `=HYPERLINK(…)`, an
organisation called `+cmd|…`), while negative amounts stay numbers."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programme.models import Organisation
from projects.models import Application
from tests import factories
from tests.builders import admissible_application, consensus, evaluation_call

pytestmark = [pytest.mark.django_db, pytest.mark.hardening]

FORMULA = '=HYPERLINK("http://evil.example","click")'
STARTS = ("=", "+", "@", "\t", "\r")


def _formula_world():
    call = evaluation_call()
    application = admissible_application(call)
    Application.objects.filter(pk=application.pk).update(title=FORMULA, acronym="@SUM(A1)")
    Organisation.objects.filter(pk__in=application.partners.values("organisation")).update(
        name="+cmd|' /C calc'!A0"
    )
    consensus(application, [4, 4, 4], comment="=1+1")
    return call, application


def _csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    delimiter = ";" if text.split("\r\n", 1)[0].count(";") else ","
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _xlsx_problems(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    problems = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith(STARTS)
                ):
                    problems.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    return problems


def _download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_staff_export_neutralises_formulas(client):
    call, application = _formula_world()
    staff = factories.StaffFactory()
    client.force_login(staff)
    csv_urls = [
        reverse("admissibility_export", args=["csv"]) + f"?table={table}"
        for table in ("applications", "partners", "budget")
    ] + [reverse("evaluation_export", args=[call.pk, "csv"])]
    xlsx_urls = [
        reverse("admissibility_export", args=["xlsx"]),
        reverse("evaluation_export", args=[call.pk, "xlsx"]),
    ]
    manager = factories.ProgrammeManagerFactory()
    seen_formula = False
    for url in csv_urls:
        cells = _csv_cells(_download(client, url))
        assert [c for c in cells if c.startswith(STARTS)] == [], url
        seen_formula |= any(c == "'" + FORMULA for c in cells)
    assert seen_formula  # the hostile title is in the exports, neutralised
    for url in xlsx_urls:
        assert _xlsx_problems(_download(client, url)) == [], url
    client.force_login(manager)
    for fmt in ("csv", "xlsx"):
        content = _download(client, reverse("kpi_export", args=[call.programme.pk, fmt]))
        if fmt == "csv":
            assert [c for c in _csv_cells(content) if c.startswith(STARTS)] == []
        else:
            assert _xlsx_problems(content) == []
