"""The ranking page's use of the pure ranking functions: thresholds, weights, each
tie-break step in the call's order, the envelope cut line, the scenario and the optimal
set, and a constant number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.enums import TieBreak
from calls.models import Envelope
from governance.decisions import selectors as selection
from projects.models import BudgetEntry
from tests.builders import admissible_application, consensus, evaluation_call
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _ranked(call):
    return [(r.rank, r.application.acronym) for r in selection.call_ranking(call).rows]


def test_ranking_thresholds_per_criterion_and_overall():
    call = evaluation_call(criteria=((1, 3), (1, 3), (1, 3)))
    call.parameters.overall_threshold = Decimal("10")
    call.parameters.save()
    call.refresh_from_db()
    low_criterion = admissible_application(call, acronym="LOWC")
    consensus(low_criterion, [2.5, 5, 5])
    low_total = admissible_application(call, acronym="LOWT")
    consensus(low_total, [3, 3, 3.5])
    good = admissible_application(call, acronym="GOOD")
    consensus(good, [3, 3.5, 3.5])
    rows = {r.application.acronym: r for r in selection.call_ranking(call).rows}
    assert (rows["LOWC"].figures.passes, rows["LOWC"].reasons) == (
        False,
        ["Criterion 1: 2.5 is below the threshold of 3.0."],
    )
    assert (rows["LOWT"].figures.passes, rows["LOWT"].reasons) == (
        False,
        ["Total 9.5 is below the overall threshold of 10.00."],
    )
    assert (rows["GOOD"].figures.passes, rows["GOOD"].reasons) == (True, [])


def test_ranking_missing_consensus_is_below_threshold():
    call = evaluation_call()
    application = admissible_application(call, acronym="NOSCORE")
    consensus(application, [4, 4, None])
    row = selection.call_ranking(call).rows[0]
    assert (row.figures.passes, row.figures.weighted_total) == (False, Decimal("0"))
    assert row.reasons[0] == "Criterion 3: no consensus score yet."


def test_ranking_uses_the_criterion_weights():
    call = evaluation_call(criteria=((2, 3), (1, 3), (0.5, 3)))
    a = admissible_application(call, acronym="A")
    consensus(a, [5, 3, 3])  # 10 + 3 + 1.5 = 14.5
    b = admissible_application(call, acronym="B")
    consensus(b, [3, 5, 5])  # 6 + 5 + 2.5 = 13.5 (a higher plain sum)
    rows = selection.call_ranking(call).rows
    assert [(r.application.acronym, r.figures.weighted_total) for r in rows] == [
        ("A", Decimal("14.5")),
        ("B", Decimal("13.5")),
    ]


def _order(call, step):
    call.parameters.tie_break_order = [step]
    call.parameters.save()
    result = selection.call_ranking(call)
    return [(r.application.acronym, r.decided_by) for r in result.rows]


def test_tie_break_first_criterion():
    call = evaluation_call()
    consensus(admissible_application(call, acronym="SECOND"), [3.5, 4.5, 4])
    consensus(admissible_application(call, acronym="FIRST"), [4.5, 3.5, 4])
    assert _order(call, TieBreak.CRITERION_1) == [("FIRST", None), ("SECOND", "criterion_1")]


def test_tie_break_second_criterion():
    call = evaluation_call()
    consensus(admissible_application(call, acronym="SECOND"), [4, 3.5, 4.5])
    consensus(admissible_application(call, acronym="FIRST"), [4, 4.5, 3.5])
    assert _order(call, TieBreak.CRITERION_2) == [("FIRST", None), ("SECOND", "criterion_2")]


def test_tie_break_sme_share():
    call = evaluation_call()
    mixed = admissible_application(call, acronym="MIXED")  # small + large company
    consensus(mixed, [4, 4, 4])
    smes_only = admissible_application(call, acronym="SMES")
    BudgetEntry.objects.filter(
        partner__application=smes_only, partner__organisation__headcount__gte=250
    ).delete()
    consensus(smes_only, [4, 4, 4])
    assert _order(call, TieBreak.SME_SHARE) == [("SMES", None), ("MIXED", "sme_share")]


def test_tie_break_lower_aid():
    call = evaluation_call()
    consensus(admissible_application(call, acronym="DEAR", aid="500000"), [4, 4, 4])
    consensus(admissible_application(call, acronym="CHEAP", aid="300000"), [4, 4, 4])
    assert _order(call, TieBreak.LOWER_AID) == [("CHEAP", None), ("DEAR", "lower_aid")]


def test_tie_break_earlier_submission():
    call = evaluation_call()
    now = timezone.now()
    consensus(
        admissible_application(call, acronym="LATE", submitted_at=now - timedelta(days=1)),
        [4, 4, 4],
    )
    consensus(
        admissible_application(call, acronym="EARLY", submitted_at=now - timedelta(days=9)),
        [4, 4, 4],
    )
    assert _order(call, TieBreak.EARLIER_SUBMISSION) == [("EARLY", None), ("LATE", "earlier")]


def test_tie_break_follows_the_call_order():
    """Cheaper but later versus dearer but earlier: the call's order decides."""
    call = evaluation_call()
    now = timezone.now()
    consensus(
        admissible_application(
            call, acronym="CHEAP", aid="300000", submitted_at=now - timedelta(days=1)
        ),
        [4, 4, 4],
    )
    consensus(
        admissible_application(
            call, acronym="EARLY", aid="500000", submitted_at=now - timedelta(days=9)
        ),
        [4, 4, 4],
    )
    call.parameters.tie_break_order = [TieBreak.EARLIER_SUBMISSION, TieBreak.LOWER_AID]
    call.parameters.save()
    assert _ranked(call) == [(1, "EARLY"), (2, "CHEAP")]
    call.parameters.tie_break_order = [TieBreak.LOWER_AID, TieBreak.EARLIER_SUBMISSION]
    call.parameters.save()
    assert _ranked(call) == [(1, "CHEAP"), (2, "EARLY")]


def _three_fundable(call):
    for acronym, score in (("ONE", 5), ("TWO", 4.5), ("THREE", 4)):
        consensus(admissible_application(call, acronym=acronym, aid="400000"), [score] * 3)


def test_ranking_cut_line_on_the_envelope():
    call = evaluation_call(envelope=Decimal("1000000"))
    _three_fundable(call)
    result = selection.call_ranking(call)
    assert [(r.application.acronym, r.in_cut, r.line_after) for r in result.rows] == [
        ("ONE", True, False),
        ("TWO", True, True),
        ("THREE", False, False),
    ]
    assert (result.cut.funded_amount, result.cut.balance) == (
        Decimal("800000.00"),
        Decimal("200000.00"),
    )


def test_ranking_page_scenario_in_the_query_string(client):
    call = evaluation_call(envelope=Decimal("1000000"))
    _three_fundable(call)
    client.force_login(StaffFactory())
    three = call.applications.get(acronym="THREE")
    two = call.applications.get(acronym="TWO")
    url = reverse("ranking", args=[call.pk])
    response = client.get(
        url, {"include": str(three.pk), "exclude": str(two.pk)}, HTTP_HX_REQUEST="true"
    )
    scenario = response.context["scenario"]
    assert (response.status_code, scenario.aid, scenario.balance) == (
        200,
        Decimal("800000.00"),
        Decimal("200000.00"),
    )
    assert sorted(scenario.selected) == sorted([call.applications.get(acronym="ONE").pk, three.pk])
    assert response.templates[0].name == "governance/decisions/_scenario.html"
    # Moving the cut line below rank 3 selects all three: over the envelope.
    response = client.get(url, {"cut": "3"}, HTTP_HX_REQUEST="true")
    assert (
        response.context["scenario"].balance,
        response.context["scenario"].figures.proposal_count,
    ) == (Decimal("-200000.00"), 3)


def test_ranking_page_scenario_figures_for_the_set_above_the_line(client):
    call = evaluation_call(envelope=Decimal("1000000"))
    _three_fundable(call)
    client.force_login(StaffFactory())
    response = client.get(reverse("ranking", args=[call.pk]))
    figures = response.context["scenario"].figures
    # Each funded project: a small company (SME) coordinator, a large company, a research
    # organisation; 2 of 6 partner places are SMEs.
    assert (
        figures.proposal_count,
        figures.partner_count,
        figures.sme_partner_count,
        figures.unique_companies,
    ) == (2, 6, 2, 4)
    assert figures.sme_share_number == Decimal("33.3")  # one decimal, as on the KPI page
    assert response.context["optimal"].selected == tuple(
        sorted(call.applications.filter(acronym__in=["ONE", "TWO"]).values_list("pk", flat=True))
    )
    assert "Envelope cut line" in response.content.decode()


def test_ranking_page_says_when_several_envelopes_are_added_up(client):
    call = evaluation_call(envelope=Decimal("600000"))
    Envelope.objects.create(
        call=call,
        name_nl="Tweede",
        name_en="Second",
        initial_amount=Decimal("400000"),
        amount=Decimal("400000"),
    )
    _three_fundable(call)
    client.force_login(StaffFactory())
    response = client.get(reverse("ranking", args=[call.pk]))
    assert response.context["result"].budget == Decimal("1000000.00")
    assert "This call has 2 envelopes; the cut line uses their total." in response.content.decode()


def test_ranking_page_query_count_constant(client, query_count):
    client.force_login(StaffFactory())
    one = evaluation_call()
    consensus(admissible_application(one), [4, 4, 4])
    five = evaluation_call()
    for _ in range(5):
        consensus(admissible_application(five), [4, 4, 4])
    assert query_count(client.get, reverse("ranking", args=[one.pk])) == query_count(
        client.get, reverse("ranking", args=[five.pk])
    )
