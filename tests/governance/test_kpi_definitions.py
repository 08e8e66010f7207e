"""One definition per KPI (issue 18, item 5; DOMAIN.md §3): programme.kpis computes each
figure once, and the KPI page, the ranking's scenario figures and the optimal selection
all call it. Hand-worked figures, then the ranking and the KPI page on the same set."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from governance.bodies.enums import BodyKind
from governance.decisions import ranking, selectors, services as decisions
from governance.decisions.enums import DecisionOutcome
from programme import kpis
from programme.enums import KpiKind, KpiStatus
from projects.models import Application
from tests.builders import (
    admissible_application,
    consensus,
    evaluation_call,
    meeting_with_quorum,
    set_budget,
)
from tests.factories import (
    KpiFactory,
    PartnerFactory,
    SmallCompanyFactory,
    StaffFactory,
)


def row(org, *, company=True, sme=False, cost, aid, project="P1"):
    return kpis.Participation(
        call_id=1,
        call_title="Call",
        project=project,
        organisation_id=org,
        organisation_name=f"Org {org}",
        is_company=company,
        is_sme=sme,
        budget=D(cost),
        aid=D(aid),
    )


# A: SME 400,000 cost / 200,000 aid; B: large 600,000 / 150,000; C: research organisation
# 250,000 / 250,000; D: SME in two projects, 100,000 / 50,000 in each.
ROWS = [
    row(1, sme=True, cost="400000", aid="200000"),
    row(2, cost="600000", aid="150000"),
    row(3, company=False, cost="250000", aid="250000"),
    row(4, sme=True, cost="100000", aid="50000"),
    row(4, sme=True, cost="100000", aid="50000", project="P2"),
]


def test_kpi_figures_hand_worked():
    # KPI 3 by number: 3 SME participations (A, D, D) of 5 = 60.0 %.
    assert kpis.sme_share_by_number(ROWS) == D("60.0")
    # KPI 3 by budget: SME aid 300,000 of all aid 700,000 = 42.857… → 42.9 %.
    assert kpis.sme_share_by_budget(ROWS) == D("42.9")
    # Secondary: SME cost 600,000 of 1,450,000 = 41.379… → 41.4 %; of the company part
    # (1,200,000) 50.0 %.
    assert kpis.sme_share_of_cost(ROWS) == D("41.4")
    assert kpis.sme_share_of_company_cost(ROWS) == D("50.0")
    # KPI 4: A, B, D (D counted once).
    assert kpis.unique_companies(ROWS) == 3
    # KPI 5: own funds 200,000 + 450,000 + 50,000 + 50,000 = 750,000 over 700,000 aid.
    assert kpis.company_own_funds(ROWS) == D("750000")
    assert kpis.leverage_share(ROWS) == D("107.1")


def test_kpi_figures_without_rows_are_none():
    assert [
        kpis.sme_share_by_number([]),
        kpis.sme_share_by_budget([]),
        kpis.sme_share_of_cost([]),
        kpis.leverage_share([]),
        kpis.unique_companies([]),
    ] == [None, None, None, None, 0]


def test_sme_involvement_judges_number_and_aid_and_labels_the_secondary_shares():
    kpi = KpiFactory.build(number=3, kind=KpiKind.COMPUTED, target=D("45"), unit="percent")
    result = kpis.sme_involvement(kpi=kpi, participations=ROWS, today=date(2021, 1, 1))
    assert [(f.label, f.value, f.status) for f in result.breakdown] == [
        ("by number", D("60.0"), KpiStatus.MET),
        ("by budget", D("42.9"), KpiStatus.NOT_MET),
        ("secondary: SME share of the total project cost", D("41.4"), ""),
        ("secondary: SME share of the company-part cost", D("50.0"), ""),
    ]
    assert result.status == KpiStatus.NOT_MET  # by budget is short; secondaries don't count
    assert result.breakdown[2].status_label == ""
    assert result.reason == "3 of 5 partner participations are SMEs"


def test_scenario_figures_are_the_kpi_functions():
    partners = {
        "P1": [
            ranking.PartnerFigures(r.organisation_id, r.is_company, r.is_sme, r.cost, r.aid)
            for r in ROWS[:4]
        ],
        "P2": [ranking.PartnerFigures(4, True, True, D("100000"), D("50000"))],
    }
    figures = ranking.scenario_figures(["P1", "P2"], partners)
    assert (
        figures.sme_share_number,
        figures.sme_share_budget,
        figures.sme_share_cost,
        figures.sme_share_company_cost,
        figures.unique_companies,
        figures.leverage,
    ) == (D("60.0"), D("42.9"), D("41.4"), D("50.0"), 3, D("107.1"))


def test_optimal_selection_uses_the_aid_for_the_sme_share_by_budget():
    # Both proposals have one SME of two partners (50% by number). By cost the SME holds
    # 50% of X and 10% of Y; by aid 10% of X and 50% of Y. Only the aid counts: Y meets
    # the 30% target, X does not, though X scores higher and its SME cost share is 50%.
    def proposal(id, total, sme_cost, sme_aid, other_cost, other_aid):
        return ranking.ProposalFigures(
            id=id,
            weighted_total=D(total),
            requested_aid=D(sme_aid) + D(other_aid),
            partners=(
                ranking.PartnerFigures(f"{id}s", True, True, D(sme_cost), D(sme_aid)),
                ranking.PartnerFigures(f"{id}l", True, False, D(other_cost), D(other_aid)),
            ),
        )

    x = proposal("X", "14", "500000", "10000", "500000", "90000")
    y = proposal("Y", "12", "100000", "50000", "900000", "50000")
    best = ranking.optimal_selection([x, y], D("150000"))
    assert best.selected == ("Y",) and best.meets_sme_targets


@pytest.mark.django_db
def test_ranking_scenario_equals_the_kpi_page_for_the_funded_set(client):
    """The funded set's figures on the ranking page and on the KPI page are the same."""
    call = evaluation_call(envelope=D("3000000"))
    programme = call.programme
    for number, unit, target in ((3, "percent", 30), (4, "count", 15), (5, "percent", 200)):
        KpiFactory(
            programme=programme, number=number, kind=KpiKind.COMPUTED, unit=unit, target=target
        )
    applications = [admissible_application(call, acronym=f"APP{i}") for i in range(3)]
    # A second SME in the first project; the third project is not funded.
    set_budget(
        PartnerFactory(application=applications[0], organisation=SmallCompanyFactory()), "90000"
    )
    for application, scores in zip(applications, ([5, 5, 5], [4, 4, 4], [3, 3, 4]), strict=True):
        consensus(application, scores)
    # Each application requests what its partners' budgets give (the builder's round
    # figure would make the steering group grant less than the partners' aid).
    result = selectors.call_ranking(call)
    for application in applications:
        requested = sum((p.aid for p in result.partners[application.pk]), D(0))
        Application.objects.filter(pk=application.pk).update(total_aid=requested)
        application.total_aid = requested
    meeting = meeting_with_quorum(programme, BodyKind.STEERING_GROUP)
    for application in applications[:2]:
        decisions.decision_record(
            actor=StaffFactory(),
            application=application,
            meeting=meeting,
            outcome=DecisionOutcome.FUND,
            amount=application.total_aid,
            decided_by="A. Generaal",
        )
    funded = [a.pk for a in applications[:2]]
    client.force_login(StaffFactory())
    page = client.get(reverse("ranking", args=[call.pk]), {"cut": 0, "include": funded})
    scenario = page.context["scenario"]
    assert sorted(scenario.selected) == sorted(funded)
    figures = scenario.figures
    response = client.get(reverse("kpi_overview", args=[programme.pk]))
    results = {r.number: r for r in response.context["results"]}
    kpi3 = {f.label: f.value for f in results[3].breakdown}
    on_the_kpi_page = (
        kpi3["by number"],
        kpi3["by budget"],
        kpi3["secondary: SME share of the total project cost"],
        kpi3["secondary: SME share of the company-part cost"],
        results[4].value,
        results[5].value,
    )
    on_the_ranking = (
        figures.sme_share_number,
        figures.sme_share_budget,
        figures.sme_share_cost,
        figures.sme_share_company_cost,
        figures.unique_companies,
        figures.leverage,
    )
    assert on_the_ranking == on_the_kpi_page
    # And both are what the rows say: 3 SME participations of 7 (two projects of three
    # partners, one with a second SME).
    assert figures.sme_share_number == D("42.9")
