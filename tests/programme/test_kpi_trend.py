"""The KPI trend per programme year (programme.kpis.kpi_trend): figures per year from the
same KPI functions as the table, worked out by hand over funded projects decided
through the governance app; on the KPI page and in the whole-programme PDF; the query
count of the page does not grow with the projects; the chart's target line."""

import re
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from governance.bodies.enums import BodyKind
from governance.decisions import services as decisions
from governance.decisions.enums import DecisionOutcome
from governance.reports import charts, kpi_report, kpis as report_kpis, services as reports
from programme.demo import seed_programme
from programme.enums import KpiStatus
from programme.models import ReportKind
from tests.builders import (
    admissible_application,
    consensus,
    evaluation_call,
    meeting_with_quorum,
    set_budget,
)
from tests.factories import (
    LargeCompanyFactory,
    PartnerFactory,
    ProgrammeManagerFactory,
    ResearchOrganisationFactory,
    StaffFactory,
)
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


def fund(application, meeting, amount):
    consensus(application, [4, 4, 4])
    decisions.decision_record(
        actor=StaffFactory(),
        application=application,
        meeting=meeting,
        outcome=DecisionOutcome.FUND,
        amount=Decimal(amount),
        decided_by="An Janssens",
    )


def project_2019(call, meeting):
    """Small coordinator 400,000 (aid 60% of 240,000 research + 45% of 160,000
    development = 216,000), large company 600,000 (50% of 360,000 + 25% of 240,000 =
    240,000), research organisation 500,000 (aid 100%): requested aid 956,000."""
    fund(admissible_application(call, aid="956000"), meeting, "956000")


def project_2020(call, meeting):
    """Small coordinator 200,000 (aid 72,000 + 36,000 = 108,000), two large companies
    600,000 each (aid 240,000 each), research organisation 500,000: aid 1,088,000."""
    application = admissible_application(call, aid="1088000", partners=False)
    set_budget(application.partners.get(is_coordinator=True), "100000")
    for _ in range(2):
        set_budget(
            PartnerFactory(application=application, organisation=LargeCompanyFactory()), "300000"
        )
    set_budget(
        PartnerFactory(application=application, organisation=ResearchOrganisationFactory()),
        "250000",
    )
    fund(application, meeting, "1088000")


@pytest.fixture
def programme():
    """The seed-001 programme (KPIs 1-7, years 2019 and 2020), one call per year, one
    funded project in each (and a rejected one in 2019, which counts nowhere)."""
    programme = seed_programme()
    meeting = meeting_with_quorum(programme, BodyKind.STEERING_GROUP)
    calls = {
        year: evaluation_call(
            programme=programme,
            programme_year=programme.years.get(year=year),
            envelope=Decimal("10000000"),
        )
        for year in (2019, 2020)
    }
    project_2019(calls[2019], meeting)
    rejected = admissible_application(calls[2019], aid="956000")
    consensus(rejected, [2, 2, 2])
    decisions.decision_record(
        actor=StaffFactory(),
        application=rejected,
        meeting=meeting,
        outcome=DecisionOutcome.REJECT,
        decided_by="An Janssens",
    )
    project_2020(calls[2020], meeting)
    programme.trend_calls = calls
    programme.trend_meeting = meeting
    return programme


# Worked out in the docstrings above (KPI definitions of DOMAIN.md §3). SME share by
# number: 1 of 3 partner participations in 2019, 1 of 4 in 2020; by budget (the aid):
# 216,000 / 956,000 and 108,000 / 1,088,000. Leverage: company own funds / all aid:
# (184,000 + 360,000) / 956,000 and (92,000 + 2 × 360,000) / 1,088,000.
EXPECTED = {
    2019: [Decimal("1"), Decimal("33.3"), Decimal("22.6"), Decimal("2"), Decimal("56.9")],
    2020: [Decimal("1"), Decimal("25.0"), Decimal("9.9"), Decimal("3"), Decimal("74.6")],
}


def test_kpi_trend_gives_each_years_figures(programme):
    with translation.override("en"):
        trend = report_kpis.kpi_trend(programme, today=date(2022, 1, 1))

    assert trend.years == (2019, 2020)
    assert [(m.kpi_number, m.label, m.target) for m in trend.measures] == [
        (1, "Calls opened", Decimal("1")),
        (3, "SME share by number", Decimal("30")),
        (3, "SME share by budget", Decimal("30")),
        (4, "Unique companies (lowest call)", Decimal("15")),
        (5, "Leverage", Decimal("200")),
    ]
    assert {year: [c.value for c in cells] for year, cells in trend.rows} == EXPECTED
    assert [c.status for c in trend.rows[1][1]] == [
        KpiStatus.MET,
        KpiStatus.NOT_MET,
        KpiStatus.NOT_MET,
        KpiStatus.NOT_MET,
        KpiStatus.NOT_MET,
    ]


def test_kpi_trend_agrees_with_the_kpis_of_each_year(programme):
    """One source of truth: a year's trend figures are that year's KPI results."""
    trend = report_kpis.kpi_trend(programme, today=date(2022, 1, 1))

    for year, cells in trend.rows:
        results = {
            r.number: r
            for r in report_kpis.programme_kpis(programme, year=year, today=date(2022, 1, 1))
        }
        assert [c.value for c in cells] == [
            results[1].value,
            results[3].breakdown[0].value,
            results[3].breakdown[1].value,
            results[4].value,
            results[5].value,
        ]


def test_kpi_trend_of_a_year_without_funded_projects_is_pending(programme):
    programme.years.create(year=2021)

    trend = report_kpis.kpi_trend(programme, today=date(2021, 6, 1))

    cells_2021 = trend.rows[2][1]
    assert trend.rows[2][0] == 2021
    assert [(c.value, c.display, c.status) for c in cells_2021] == [
        (Decimal(0), "0", KpiStatus.PENDING),  # no call yet, the year is not over
        *[(None, "—", KpiStatus.PENDING)] * 4,
    ]


def trend_table_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table[^>]*id="kpi-trend".*?</table>', html, re.S).group(0)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows


def test_kpi_page_shows_the_trend_per_year_with_targets(client, programme):
    client.force_login(ProgrammeManagerFactory())
    client.cookies["django_language"] = "en"

    response = client.get(reverse("kpi_overview", args=[programme.pk]))

    html = response.content.decode()
    assert trend_table_rows(html) == [
        [
            "Year",
            "Calls opened (KPI 1)",
            "SME share by number (KPI 3)",
            "SME share by budget (KPI 3)",
            "Unique companies (lowest call) (KPI 4)",
            "Leverage (KPI 5)",
        ],
        ["2019", "1 Met", "33.3 % Met", "22.6 % Not met", "2 Not met", "56.9 % Not met"],
        ["2020", "1 Met", "25.0 % Not met", "9.9 % Not met", "3 Not met", "74.6 % Not met"],
        ["Target", "≥ 1", "≥ 30.0 %", "≥ 30.0 %", "≥ 15", "≥ 200.0 %"],
    ]
    # One chart per measure, each an image with a title, the target a dashed line.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 6
    assert "KPI 3: SME share by budget per year</title>" in html
    assert "<title>SME share by budget, 2020: 9.9\u00a0%</title>" in unescape(html)
    assert "<title>Target: 30.0\u00a0%</title>" in unescape(html)


def test_kpi_page_for_one_year_has_no_trend(client, programme):
    client.force_login(ProgrammeManagerFactory())

    response = client.get(reverse("kpi_overview", args=[programme.pk]), {"year": "2020"})

    assert response.context["trend"] is None
    assert 'id="kpi-trend"' not in response.content.decode()


def test_kpi_page_query_count_does_not_grow_with_the_funded_projects(
    client, programme, query_count
):
    client.force_login(ProgrammeManagerFactory())
    url = reverse("kpi_overview", args=[programme.pk])

    small = query_count(client.get, url)
    for year in (2019, 2020):
        for _ in range(2):
            project_2020(programme.trend_calls[year], programme.trend_meeting)
    large = query_count(client.get, url)

    assert large == small
    rows = dict(report_kpis.kpi_trend(programme).rows)
    assert [c.value for c in rows[2019]][3] == Decimal("8")  # 2 + 2 × 3 new companies


def test_whole_programme_pdf_prints_the_trend_and_one_year_pdf_does_not(programme):
    manager = ProgrammeManagerFactory()

    def text(year):
        report = reports.report_request(
            actor=manager,
            kind=ReportKind.KPI,
            parameters={"programme": programme.pk, "year": year, "language": "en"},
        )
        report = reports.report_generate(report_id=report.pk)
        return " ".join(pdf_text(Path(settings.MEDIA_ROOT) / report.file.name, mode="-raw").split())

    whole = text(None)
    assert "Trend per year" in whole
    assert "KPI figures per programme year, against their targets" in whole
    assert "2020 1 Met 25.0 % Not met 9.9 % Not met 3 Not met 74.6 % Not met" in whole
    assert "Trend per year" not in text(2020)


def test_kpi_workbook_has_the_same_trend_as_the_page(client, programme):
    import io

    from openpyxl import load_workbook

    client.force_login(ProgrammeManagerFactory())
    client.cookies["django_language"] = "en"

    response = client.get(reverse("kpi_export", args=[programme.pk, "xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content))["Trend per year"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1:] == (
        "Calls opened (KPI 1)",
        "SME share by number (KPI 3)",
        "SME share by budget (KPI 3)",
        "Unique companies (lowest call) (KPI 4)",
        "Leverage (KPI 5)",
    )
    for year, *values in rows[1:3]:
        assert [Decimal(str(v)) for v in values] == EXPECTED[year]
    assert rows[3] == ("Target", 1, 30, 30, 15, 200)


def test_page_and_pdf_print_the_first_source_rows_and_the_workbook_all(
    client, programme, monkeypatch
):
    import io

    from openpyxl import load_workbook

    monkeypatch.setattr(kpi_report, "SOURCE_ROWS_SHOWN", 2)
    client.force_login(ProgrammeManagerFactory())
    client.cookies["django_language"] = "en"
    context = kpi_report.kpi_report_context(programme, year=None)
    kpi3 = next(r for r in context["results"] if r.number == 3)
    assert len(kpi3.rows) > 2  # a funded partner per row

    html = unescape(client.get(reverse("kpi_overview", args=[programme.pk])).content.decode())
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("kpi_export", args=[programme.pk, "xlsx"])).content)
    )

    assert f"The first 2 of {len(kpi3.rows)} source rows" in html
    caption = f"KPI 3: {len(kpi3.rows)} source rows</caption>"
    table = html[html.index(caption) :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    assert body.count("<tr>") == 2
    sources = [row for row in workbook["Sources"].iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(sources) if str(row[0]).startswith("KPI 3:"))
    end = next(i for i, row in enumerate(sources) if str(row[0]).startswith("KPI 4:"))
    assert end - start - 3 == len(kpi3.rows)  # title, header, rows, blank line
    report_html = kpi_report.kpi_report_html(
        programme=programme, year=None, language="en", generated_at=timezone.now()
    )
    assert f"The first 2 of {len(kpi3.rows)} source rows" in report_html


# --- The chart's target line -------------------------------------------------------------------


def test_bar_chart_draws_the_target_line_and_no_bar_for_an_unknown_value():
    svg = charts.bar_chart(
        title="SME share",
        categories=["2019", "2020", "2021"],
        series=[charts.Series("SME share", [Decimal("20"), Decimal("40"), None])],
        target=Decimal("30"),
        target_label="Target",
        value_format=lambda v: f"{v:.0f}%",
    )

    assert svg.count("<rect x=") == 2 + 1  # two bars (none for 2021) + one legend key
    # Axis top 50 (nice maximum of 40); plot height 198 from y=34: 30 is at 34 + 198 × 0.4.
    assert '<line x1="78.0" y1="113.2" x2="630.0" y2="113.2" stroke="#a11d21"' in svg
    assert "<title>Target: 30%</title>" in svg


def test_bar_chart_axis_reaches_a_target_above_every_bar():
    svg = charts.bar_chart(
        title="Leverage",
        categories=["2019"],
        series=[charts.Series("Leverage", [Decimal("60")])],
        target=Decimal("200"),
        target_label="Target",
        value_format=lambda v: f"{v:.0f}",
    )

    assert 'fill="#333">200</text>' in svg  # the top of the axis is the target
