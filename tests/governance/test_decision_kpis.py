"""KPIs 3, 4, 5 from the funded decisions (the source governance registers in
programme.kpis), and the SME share of the commitments on the calls budget page."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from governance.bodies.enums import BodyKind
from governance.decisions import services as decisions
from governance.decisions.enums import DecisionOutcome
from governance.reports import kpis as report_kpis
from programme import kpis
from programme.enums import KpiKind, KpiStatus
from tests.builders import admissible_application, consensus, evaluation_call, meeting_with_quorum
from tests.factories import KpiFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _decide(application, meeting, outcome=DecisionOutcome.FUND, amount=None):
    return decisions.decision_record(
        actor=StaffFactory(),
        application=application,
        meeting=meeting,
        outcome=outcome,
        amount=amount,
        decided_by="An Janssens",
    )


@pytest.fixture
def funded():
    call = evaluation_call(envelope=Decimal("2000000"))
    meeting = meeting_with_quorum(call.programme, BodyKind.STEERING_GROUP)
    applications = [admissible_application(call, aid="400000") for _ in range(3)]
    for application in applications:
        consensus(application, [4, 4, 4])
    requested = sum(
        (p.aid for p in report_kpis.funded_participations(call.programme, None)), Decimal("0")
    )
    assert requested == Decimal("0")  # nothing decided yet
    _decide(applications[0], meeting, amount=Decimal("400000"))
    _decide(applications[1], meeting, amount=Decimal("400000"))
    _decide(applications[2], meeting, outcome=DecisionOutcome.REJECT)
    return call, applications


def test_funded_participations_one_row_per_partner_of_funded_projects(funded):
    call, applications = funded
    rows = report_kpis.funded_participations(call.programme, None)
    assert sorted({r.project for r in rows}) == sorted(a.receipt_number for a in applications[:2])
    assert len(rows) == 6  # 3 partners each
    assert [(r.is_company, r.is_sme) for r in rows[:3]] == [
        (True, True),
        (True, False),
        (False, False),
    ]
    assert report_kpis.funded_participations(call.programme, call.programme_year.year + 1) == []


def test_declined_project_leaves_the_kpis(funded):
    call, applications = funded
    decision = applications[0].decision
    decisions.decision_decline(actor=applications[0].created_by, decision=decision)
    rows = report_kpis.funded_participations(call.programme, None)
    assert {r.project for r in rows} == {applications[1].receipt_number}


def test_kpis_3_4_5_computed_from_the_decisions(funded):
    call, _applications = funded
    programme = call.programme
    for number in (3, 4, 5):
        KpiFactory(
            programme=programme,
            number=number,
            kind=KpiKind.COMPUTED,
            target=Decimal("30") if number == 3 else Decimal("15" if number == 4 else "200"),
        )
    results = {r.number: r for r in report_kpis.programme_kpis(programme, today=date(2020, 1, 1))}
    assert [results[n].status != KpiStatus.PENDING for n in (3, 4, 5)] == [True, True, True]
    assert results[4].value == Decimal("4")  # 2 SMEs + 2 large companies, all different


def test_budget_page_shows_the_sme_share_of_the_commitments(client, funded):
    call, _applications = funded
    client.force_login(StaffFactory())
    response = client.get(reverse("budget_year", args=[call.programme_year_id]))
    rows = report_kpis.funded_participations(call.programme, call.programme_year.year)
    expected = kpis.sme_share_of_aid(rows)
    assert (response.context["sme_share"], expected is not None) == (expected, True)
