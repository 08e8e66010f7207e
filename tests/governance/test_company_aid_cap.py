"""The maximum aid per company and its scope (issue 18, item 7; DOMAIN.md §4): a call
parameter counted per application (default) or per company over all its funded projects
of the call; the decision page shows each company's cumulative aid in the call either
way, and with the scope "call" a decision beyond the cap is refused with the figures."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from calls.enums import AidCapScope
from governance.bodies.enums import BodyKind
from governance.decisions import domain, selectors, services as decisions
from governance.decisions.enums import DecisionOutcome
from governance.models import FundingDecision
from programme.states import Refused
from projects.models import Application
from tests.builders import (
    admissible_application,
    consensus,
    evaluation_call,
    meeting_with_quorum,
    set_budget,
)
from tests.factories import LargeCompanyFactory, PartnerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_cap_per_call_hand_worked():
    companies = [
        domain.CompanyAid(1, "Shared Pharma NV", D("240000"), D("240000")),
        domain.CompanyAid(2, "Small BV", D("0"), D("144000")),
    ]
    ok, reason = domain.company_aid_within_cap(scope="call", cap=D("400000"), companies=companies)
    assert ok is False
    assert reason == (
        "The aid per company in this call would exceed the maximum of € 400,000.00: "
        "Shared Pharma NV € 240,000.00 in earlier decisions + € 240,000.00 now = "
        "€ 480,000.00."
    ).replace("€ ", "€\u00a0")
    assert domain.company_aid_within_cap(scope="call", cap=D("480000"), companies=companies)[0]
    # Per application the budget rules cap each application; nothing to add up here.
    assert domain.company_aid_within_cap(
        scope="application", cap=D("400000"), companies=companies
    ) == (True, "")


def _two_projects_of_one_company(scope):
    """Two admissible proposals of one call, each with Shared Pharma NV (a large company:
    300,000 a year for two years, 60% industrial research at 50% and 40% experimental
    development at 25%: aid 240,000 in each). Each requests what its budgets give."""
    call = evaluation_call(
        envelope=D("10000000"),
        parameters__aid_cap_scope=scope,
        parameters__max_aid_per_company=D("400000"),
    )
    shared = LargeCompanyFactory(name="Shared Pharma NV")
    applications = []
    for acronym in ("FIRST", "SECOND"):
        application = admissible_application(call, acronym=acronym)
        set_budget(PartnerFactory(application=application, organisation=shared), "300000")
        consensus(application, [4, 4, 4])
        applications.append(application)
    result = selectors.call_ranking(call)
    for application in applications:
        requested = sum((p.aid for p in result.partners[application.pk]), D(0))
        Application.objects.filter(pk=application.pk).update(total_aid=requested)
        application.refresh_from_db()
    meeting = meeting_with_quorum(call.programme, BodyKind.STEERING_GROUP)
    return call, shared, applications, meeting


def _fund(application, meeting):
    return decisions.decision_record(
        actor=StaffFactory(),
        application=application,
        meeting=meeting,
        outcome=DecisionOutcome.FUND,
        amount=application.total_aid,
        decided_by="A. Generaal",
    )


def test_per_call_a_second_project_beyond_the_cap_is_refused_with_the_figures():
    call, shared, (first, second), meeting = _two_projects_of_one_company(AidCapScope.CALL)
    _fund(first, meeting)
    aid = {c.name: c for c in selectors.company_aid_in_call(second, second.total_aid)}
    assert (aid["Shared Pharma NV"].earlier, aid["Shared Pharma NV"].this) == (
        D("240000.00"),
        D("240000.00"),
    )

    with pytest.raises(Refused) as refused:
        _fund(second, meeting)

    assert "Shared Pharma NV € 240,000.00 in earlier decisions + € 240,000.00 now" in str(
        refused.value
    ).replace("\u00a0", " ")
    assert not FundingDecision.objects.filter(application=second).exists()


def test_per_call_a_declined_project_no_longer_counts():
    call, shared, (first, second), meeting = _two_projects_of_one_company(AidCapScope.CALL)
    decision = _fund(first, meeting)
    decisions.decision_decline(actor=StaffFactory(), decision=decision, reason="No longer")
    assert _fund(second, meeting).amount == second.total_aid


def test_per_application_both_are_funded_and_the_page_shows_the_cumulative_aid(client):
    call, shared, (first, second), meeting = _two_projects_of_one_company(AidCapScope.APPLICATION)
    _fund(first, meeting)
    client.force_login(StaffFactory())
    client.cookies["django_language"] = "en"
    response = client.get(reverse("application_decision", args=[second.pk]))
    body = response.content.decode().replace("\u00a0", " ")
    assert "Aid per company in this call (maximum € 400,000, counted: Per application)" in body
    shared_row = [c for c in response.context["company_aid"] if c.name == "Shared Pharma NV"]
    assert [(c.earlier, c.this, c.total) for c in shared_row] == [
        (D("240000.00"), D("240000.00"), D("480000.00"))
    ]
    assert "above the maximum" not in body  # per application: no company is over
    assert _fund(second, meeting).amount == second.total_aid


def test_per_call_the_page_flags_the_company_above_the_cap(client):
    call, shared, (first, second), meeting = _two_projects_of_one_company(AidCapScope.CALL)
    _fund(first, meeting)
    client.force_login(StaffFactory())
    client.cookies["django_language"] = "en"
    body = client.get(reverse("application_decision", args=[second.pk])).content.decode()
    assert "above the maximum" in body
