"""The KPI functions (programme.kpis): statuses against targets, drill-down rows, the
placeholders of KPIs 3-5 and their formulas over Participation rows, budget execution."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from calls import selectors as call_selectors
from calls.enums import CallState
from governance.reports import kpis as report_kpis
from programme import kpis
from programme.enums import KpiKind, KpiStatus
from tests.factories import (
    BudgetLineFactory,
    CallFactory,
    EnvelopeFactory,
    KpiFactory,
    MilestoneRecordFactory,
    ProgrammeFactory,
    ProgrammeYearFactory,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def programme(db):
    programme = ProgrammeFactory()
    for year in (2019, 2020):
        ProgrammeYearFactory(programme=programme, year=year)
    return programme


def year_of(programme, year):
    return programme.years.get(year=year)


def kpi1(programme):
    return KpiFactory(
        programme=programme,
        number=1,
        kind=KpiKind.COMPUTED,
        target=Decimal("1"),
        unit="count",
        name_en="At least 1 call per year",
    )


# --- KPI 1 -----------------------------------------------------------------------------------


def test_calls_per_year_met_when_every_year_has_an_opened_call(programme):
    kpi = kpi1(programme)
    CallFactory(programme_year=year_of(programme, 2019), title_en="ICON 2019")
    CallFactory(
        programme_year=year_of(programme, 2020), title_en="ICON 2020", state=CallState.DECIDED
    )

    result = report_kpis.calls_per_year(programme, kpi=kpi, today=date(2021, 1, 10))

    assert result.status == KpiStatus.MET
    assert result.value == Decimal(2)
    assert [(f.label, f.value, f.status) for f in result.breakdown] == [
        ("2019", Decimal(1), KpiStatus.MET),
        ("2020", Decimal(1), KpiStatus.MET),
    ]
    assert [row[:2] for row in result.rows] == [(2019, "ICON 2019"), (2020, "ICON 2020")]


def test_calls_per_year_does_not_count_draft_calls(programme):
    kpi = kpi1(programme)
    CallFactory(programme_year=year_of(programme, 2019), state=CallState.DRAFT)

    result = report_kpis.calls_per_year(programme, kpi=kpi, today=date(2021, 1, 10))

    assert result.value == Decimal(0)
    assert result.rows == ()
    assert result.status == KpiStatus.NOT_MET
    assert result.reason == "no call opened in 2019; no call opened in 2020"


def test_calls_per_year_pending_for_a_year_not_over(programme):
    kpi = kpi1(programme)
    CallFactory(programme_year=year_of(programme, 2019))

    result = report_kpis.calls_per_year(programme, kpi=kpi, today=date(2020, 5, 1))

    assert [f.status for f in result.breakdown] == [KpiStatus.MET, KpiStatus.PENDING]
    assert result.status == KpiStatus.PENDING
    assert result.reason == "2020 is not over yet"


def test_calls_per_year_for_one_year_ignores_the_others(programme):
    kpi = kpi1(programme)
    CallFactory(programme_year=year_of(programme, 2020))

    result = report_kpis.calls_per_year(programme, kpi=kpi, year=2020, today=date(2021, 1, 1))

    assert [f.label for f in result.breakdown] == ["2020"]
    assert result.status == KpiStatus.MET


def test_calls_per_year_ignores_calls_of_other_programmes(programme):
    kpi = kpi1(programme)
    CallFactory(programme_year=ProgrammeYearFactory(year=2019))

    result = report_kpis.calls_per_year(programme, kpi=kpi, today=date(2021, 1, 1))

    assert result.value == Decimal(0)


# --- KPIs 2, 6, 7: milestones --------------------------------------------------------------


def test_milestone_met_when_a_record_exists(db):
    record = MilestoneRecordFactory(
        kpi__deadline=date(2020, 12, 31), date=date(2020, 6, 30), description="Roadmap delivered"
    )

    result = kpis.milestone_status(kpi=record.kpi, records=[record], today=date(2021, 3, 1))

    assert result.status == KpiStatus.MET
    assert result.reason == "delivered on June 30, 2020"
    assert result.rows == (
        (date(2020, 6, 30), "Roadmap delivered", "roadmap.pdf", str(record.recorded_by)),
    )


def test_milestone_pending_before_its_deadline(db):
    kpi = KpiFactory(deadline=date(2020, 12, 31))

    result = kpis.milestone_status(kpi=kpi, records=[], today=date(2020, 12, 31))

    assert result.status == KpiStatus.PENDING
    assert result.reason == "no record yet (deadline Dec. 31, 2020)"


def test_milestone_not_met_after_its_deadline_without_record(db):
    kpi = KpiFactory(deadline=date(2020, 12, 31))

    result = kpis.milestone_status(kpi=kpi, records=[], today=date(2021, 1, 1))

    assert result.status == KpiStatus.NOT_MET
    assert result.reason == "deadline Dec. 31, 2020 passed without a record"


def test_milestone_without_deadline_stays_pending(db):
    kpi = KpiFactory(deadline=None)

    result = kpis.milestone_status(kpi=kpi, records=[], today=date(2030, 1, 1))

    assert result.status == KpiStatus.PENDING


def test_milestone_recorded_late_is_met_and_says_so(db):
    record = MilestoneRecordFactory(kpi__deadline=date(2020, 12, 31), date=date(2021, 2, 1))

    result = kpis.milestone_status(kpi=record.kpi, records=[record], today=date(2021, 3, 1))

    assert result.status == KpiStatus.MET
    assert result.reason == "delivered on Feb. 1, 2021 (after the deadline of Dec. 31, 2020)"


# --- KPIs 3, 4, 5 ------------------------------------------------------------------------------


def participation(
    org: int,
    *,
    sme: bool,
    company: bool = True,
    call: int = 1,
    budget: str = "100000",
    aid: str = "40000",
    project: str = "P1",
):
    return kpis.Participation(
        call_id=call,
        call_title=f"Call {call}",
        project=project,
        organisation_id=org,
        organisation_name=f"Org {org}",
        is_company=company,
        is_sme=sme,
        budget=Decimal(budget),
        aid=Decimal(aid),
    )


@pytest.fixture
def kpi3(db):
    return KpiFactory(number=3, kind=KpiKind.COMPUTED, target=Decimal("30"), unit="percent")


def test_kpis_3_4_5_pending_without_decided_projects(programme):
    for number, target in ((3, "30"), (4, "15"), (5, "200")):
        KpiFactory(
            programme=programme, number=number, kind=KpiKind.COMPUTED, target=Decimal(target)
        )

    results = report_kpis.programme_kpis(programme, today=date(2021, 1, 1))

    assert [(r.number, r.status, r.reason, r.value) for r in results] == [
        (3, KpiStatus.PENDING, "no decided projects yet", None),
        (4, KpiStatus.PENDING, "no decided projects yet", None),
        (5, KpiStatus.PENDING, "no decided projects yet", None),
    ]


def test_sme_involvement_needs_the_target_by_number_and_by_budget(kpi3):
    parts = [
        participation(1, sme=True, budget="100000", aid="60000"),
        participation(2, sme=False, budget="900000", aid="250000"),
        participation(3, sme=True, budget="100000", aid="40000"),
        # A research organisation counts among the participations and the aid (DOMAIN §3).
        participation(9, sme=False, company=False, budget="500000", aid="500000"),
    ]

    result = kpis.sme_involvement(kpi=kpi3, participations=parts, today=date(2021, 1, 1))

    assert [(f.value, f.status) for f in result.breakdown] == [
        (Decimal("50.0"), KpiStatus.MET),  # 2 of 4 participations
        (Decimal("11.8"), KpiStatus.NOT_MET),  # aid 100,000 of 850,000
        (Decimal("12.5"), ""),  # secondary: cost 200,000 of 1,600,000
        (Decimal("18.2"), ""),  # secondary: 200,000 of the company part's 1,100,000
    ]
    assert result.status == KpiStatus.NOT_MET
    assert result.value == Decimal("11.8")
    assert len(result.rows) == 4


def test_unique_companies_per_call_counts_each_company_once(db):
    kpi = KpiFactory(number=4, kind=KpiKind.COMPUTED, target=Decimal("2"))
    parts = [
        participation(1, sme=True, call=1, project="A"),
        participation(1, sme=True, call=1, project="B"),  # same company, second project
        participation(2, sme=False, call=1),
        participation(3, sme=False, call=2),
    ]

    result = kpis.unique_companies_per_call(kpi=kpi, participations=parts, today=date(2021, 1, 1))

    assert [(f.label, f.value, f.status) for f in result.breakdown] == [
        ("Call 1", Decimal(2), KpiStatus.MET),
        ("Call 2", Decimal(1), KpiStatus.NOT_MET),
    ]
    assert result.value == Decimal(1)
    assert result.status == KpiStatus.NOT_MET


def test_leverage_is_company_own_funds_over_government_funds(db):
    kpi = KpiFactory(
        number=5, kind=KpiKind.COMPUTED, target=Decimal("200"), deadline=date(2021, 12, 31)
    )
    parts = [
        participation(1, sme=False, budget="1000000", aid="250000"),  # own funds 750,000
        participation(9, sme=False, company=False, budget="250000", aid="250000"),
    ]

    result = kpis.leverage(kpi=kpi, participations=parts, today=date(2021, 6, 1))

    assert result.value == Decimal("150.0")  # 750,000 / 500,000
    assert result.status == KpiStatus.PENDING  # below target, deadline not reached
    late = kpis.leverage(kpi=kpi, participations=parts, today=date(2022, 1, 1))
    assert late.status == KpiStatus.NOT_MET


def test_funded_participations_feed_kpis_3_4_5(programme, monkeypatch):
    KpiFactory(programme=programme, number=4, kind=KpiKind.COMPUTED, target=Decimal("1"))
    seen = []

    def source(prog, year):
        seen.append((prog.pk, year))
        return [participation(1, sme=True)]

    # The KPIs read the funded projects' partners through this one function.
    monkeypatch.setattr(report_kpis, "funded_participations", source)
    results = report_kpis.programme_kpis(programme, year=2020, today=date(2021, 1, 1))

    assert seen == [(programme.pk, 2020)]
    assert (results[0].status, results[0].value) == (KpiStatus.MET, Decimal(1))


# --- All KPIs, the table, the budget -------------------------------------------------------


def test_kpi_table_has_one_row_per_kpi_with_the_result_figures(programme):
    kpi1(programme)
    MilestoneRecordFactory(kpi__programme=programme, kpi__number=2, date=date(2020, 6, 30))
    CallFactory(programme_year=year_of(programme, 2019))

    results = report_kpis.programme_kpis(programme, today=date(2021, 1, 1))
    table = kpis.kpi_table(results)

    assert [c.label for c in table.columns] == [
        "KPI",
        "Name",
        "Target",
        "Result",
        "Value",
        "Status",
        "Reason",
    ]
    assert table.rows == (
        (
            1,
            "At least 1 call per year",
            "≥ 1 per year",
            "2019: 1; 2020: 0",
            Decimal(1),
            "Not met",
            "no call opened in 2020",
        ),
        (
            2,
            "A strategic roadmap",
            "delivered",
            "June 30, 2020",
            None,
            "Met",
            "delivered on June 30, 2020",
        ),
    )


def test_programme_kpis_query_count_does_not_grow_with_records(programme, query_count):
    kpi1(programme)
    milestone = KpiFactory(programme=programme, number=2)
    MilestoneRecordFactory(kpi=milestone)
    CallFactory(programme_year=year_of(programme, 2019))
    one = query_count(report_kpis.programme_kpis, programme, today=date(2021, 1, 1))
    for _ in range(4):
        MilestoneRecordFactory(kpi=milestone)
        CallFactory(programme_year=year_of(programme, 2019))

    five = query_count(report_kpis.programme_kpis, programme, today=date(2021, 1, 1))

    assert (five, five <= 6) == (one, True)


def test_budget_execution_sums_lines_and_envelopes_per_year(programme):
    BudgetLineFactory(programme_year=year_of(programme, 2019), amount=Decimal("4500000"))
    BudgetLineFactory(
        programme_year=year_of(programme, 2019),
        kind="study",
        name_nl="Studie",
        name_en="Study",
        amount=Decimal("200000"),
    )
    BudgetLineFactory(programme_year=year_of(programme, 2020), amount=Decimal("5000000"))
    call = CallFactory(
        programme_year=year_of(programme, 2019),
        title_en="ICON 2019",
        opens_at=datetime(2019, 3, 1, tzinfo=UTC),
    )
    EnvelopeFactory(
        call=call,
        initial_amount=Decimal("3000000"),
        reserved=Decimal("500000"),
        committed=Decimal("1000000"),
    )

    budget = call_selectors.budget_execution(programme)

    y2019, y2020 = budget.years
    assert [label for label, _ in y2019.lines] == ["Study", "Project budget"]
    assert (y2019.total, y2019.project_budget, y2019.envelope_amount) == (
        Decimal("4700000"),
        Decimal("4500000"),
        Decimal("3000000"),
    )
    assert (y2019.reserved, y2019.committed, y2019.available, y2019.not_in_envelopes) == (
        Decimal("500000"),
        Decimal("1000000"),
        Decimal("1500000"),
        Decimal("1500000"),
    )
    assert y2020.envelopes == ()
    assert budget.total == Decimal("9700000")
    assert call_selectors.budget_execution(programme, year=2020).total == Decimal("5000000")
