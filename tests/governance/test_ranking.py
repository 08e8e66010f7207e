from datetime import UTC, datetime
from decimal import Decimal
from itertools import combinations

import pytest
from hypothesis import given, settings, strategies as st

from calls.enums import DEFAULT_TIE_BREAK, TieBreak
from governance.decisions.enums import CutPolicy
from governance.decisions.ranking import (
    PartnerFigures,
    ProposalFigures,
    funding_cut,
    optimal_selection,
    rank_proposals,
    scenario_figures,
)

D = Decimal
T0 = datetime(2019, 9, 30, 10, 0, tzinfo=UTC)


def proposal(id, total="12", scores=("4", "4", "4"), sme="30", aid="1000000", minute=0, **kw):
    return ProposalFigures(
        id=id,
        weighted_total=D(total),
        requested_aid=D(aid),
        scores=tuple(D(s) if s is not None else None for s in scores),
        sme_share=D(sme),
        submitted_at=T0.replace(minute=minute),
        **kw,
    )


def order(proposals, steps=DEFAULT_TIE_BREAK):
    return [r.proposal.id for r in rank_proposals(proposals, tie_break_order=steps)]


# Each row: two proposals with equal weighted totals that differ only in what the step
# looks at; the first named wins under the default order.
@pytest.mark.parametrize(
    ("winner", "loser", "decided_by"),
    [
        (proposal(2, total="13"), proposal(1, total="12.5"), "weighted_total"),
        (
            proposal(2, scores=("4.5", "4", "3.5")),
            proposal(1, scores=("4", "4.5", "3.5")),
            "criterion_1",
        ),
        (
            proposal(2, scores=("4", "4.5", "3.5")),
            proposal(1, scores=("4", "4", "4")),
            "criterion_2",
        ),
        (proposal(2, sme="45"), proposal(1, sme="30"), "sme_share"),
        (proposal(2, aid="900000"), proposal(1, aid="1000000"), "lower_aid"),
        (proposal(2, minute=5), proposal(1, minute=30), "earlier"),
        (proposal(1), proposal(2), "id"),
    ],
    ids=["total", "criterion_1", "criterion_2", "sme_share", "lower_aid", "earlier", "id"],
)
def test_rank_proposals_each_tie_break_step(winner, loser, decided_by):
    ranked = rank_proposals([loser, winner])
    assert [r.proposal.id for r in ranked] == [winner.id, loser.id]
    assert [r.rank for r in ranked] == [1, 2]
    assert ranked[1].decided_by == decided_by


def test_rank_proposals_follows_the_calls_order_of_steps():
    better_first_criterion = proposal("A", scores=("5", "3", "4"), aid="1200000")
    lower_aid = proposal("B", scores=("4", "4", "4"), aid="800000")
    assert order([better_first_criterion, lower_aid]) == ["A", "B"]
    steps = [TieBreak.LOWER_AID, TieBreak.CRITERION_1]
    assert order([better_first_criterion, lower_aid], steps) == ["B", "A"]


def test_rank_proposals_missing_score_ranks_after_present():
    assert order([proposal(1, scores=(None, "4")), proposal(2, scores=("0", "4"))]) == [2, 1]


def test_rank_proposals_missing_submission_time_ranks_last():
    late = ProposalFigures(id=1, weighted_total=D("12"), requested_aid=D("1"))
    early = ProposalFigures(id=2, weighted_total=D("12"), requested_aid=D("1"), submitted_at=T0)
    assert order([late, early], [TieBreak.EARLIER_SUBMISSION]) == [2, 1]


def test_rank_proposals_unknown_step_raises():
    with pytest.raises(ValueError):
        rank_proposals([proposal(1)], tie_break_order=["coin_toss"])


def test_rank_proposals_full_example():
    proposals = [
        proposal("P1", total="13.5"),
        proposal("P2", total="12", scores=("4", "4", "4"), sme="20"),
        proposal("P3", total="12", scores=("4", "4", "4"), sme="50"),
        proposal("P4", total="12", scores=("4.5", "4", "3.5")),
        proposal("P5", total="11"),
    ]
    ranked = rank_proposals(proposals)
    assert [(r.rank, r.proposal.id, r.decided_by) for r in ranked] == [
        (1, "P1", None),
        (2, "P4", "weighted_total"),
        (3, "P3", "criterion_1"),
        (4, "P2", "sme_share"),
        (5, "P5", "weighted_total"),
    ]


# --- Funding cut -----------------------------------------------------------------------------


def cut_ids(cut):
    return (
        [p.id for p in cut.funded],
        [p.id for p in cut.reserve],
        [p.id for p in cut.below_threshold],
    )


AIDS = [("A", "2000000"), ("B", "1500000"), ("C", "1200000"), ("D", "500000")]


@pytest.mark.parametrize(
    ("policy", "envelope", "funded", "reserve", "balance"),
    [
        (CutPolicy.STOP, "4500000", ["A", "B"], ["C", "D"], "1000000"),
        (CutPolicy.SKIP, "4500000", ["A", "B", "D"], ["C"], "500000"),
        (CutPolicy.STOP, "5200000", ["A", "B", "C", "D"], [], "0"),
        (CutPolicy.STOP, "1000000", [], ["A", "B", "C", "D"], "1000000"),
        (CutPolicy.SKIP, "1000000", ["D"], ["A", "B", "C"], "500000"),
    ],
)
def test_funding_cut_in_rank_order(policy, envelope, funded, reserve, balance):
    ranked = [proposal(id, aid=aid) for id, aid in AIDS]  # already in rank order A, B, C, D
    cut = funding_cut(ranked, D(envelope), policy=policy)
    assert cut_ids(cut) == (funded, reserve, [])
    assert cut.balance == D(balance)
    assert cut.funded_amount == D(envelope) - D(balance)


def test_funding_cut_below_threshold_neither_funded_nor_reserve():
    ranked = [
        proposal("A", aid="100"),
        proposal("B", aid="100", passes=False),
        proposal("C", aid="100"),
    ]
    cut = funding_cut(ranked, D("150"))
    assert cut_ids(cut) == (["A"], ["C"], ["B"])


def test_funding_cut_exact_fit_is_funded():
    cut = funding_cut([proposal("A", aid="4500000")], D("4500000"))
    assert (cut_ids(cut), cut.balance) == ((["A"], [], []), D("0"))


# --- Scenario figures ------------------------------------------------------------------------


def partner(org, *, company=True, sme=False, cost="100000", aid="50000"):
    return PartnerFigures(
        organisation_id=org, is_company=company, is_sme=sme, cost=D(cost), aid=D(aid)
    )


def test_scenario_figures_hand_worked():
    partners = {
        1: [
            partner("big", cost="600000", aid="150000"),
            partner("sme1", sme=True, cost="300000", aid="150000"),
            partner("uni", company=False, cost="400000", aid="400000"),
        ],
        2: [
            partner("big", cost="500000", aid="100000"),
            partner("sme2", sme=True, cost="200000", aid="100000"),
        ],
        3: [partner("other", cost="999", aid="0")],  # not selected
    }
    figures = scenario_figures([1, 2], partners)
    # 5 partner places, 2 SMEs; cost 2,000,000 of which SMEs 500,000; aid 900,000 of
    # which SMEs 250,000 (KPI 3 by budget is the share of the aid, programme.kpis).
    assert (figures.partner_count, figures.sme_partner_count) == (5, 2)
    assert figures.sme_share_number == D("40.0")
    assert (figures.total_cost, figures.sme_cost) == (D("2000000"), D("500000"))
    assert (figures.total_aid, figures.sme_aid) == (D("900000"), D("250000"))
    assert figures.sme_share_budget == D("27.8")  # 27.77…
    assert figures.sme_share_cost == D("25.0")  # secondary
    assert figures.sme_share_company_cost == D("31.3")  # secondary: 500,000 of 1,600,000
    assert figures.unique_companies == 3  # big, sme1, sme2
    # Company own funds: (600-150)+(300-150)+(500-100)+(200-100) = 1,100,000; aid 900,000.
    assert (figures.company_own_funds, figures.government_aid) == (D("1100000"), D("900000"))
    assert figures.leverage == D("122.2")
    assert [(t.code, t.ok) for t in figures.targets] == [
        ("sme_number", True),
        ("sme_budget", False),
        ("unique_companies", False),
        ("leverage", False),
    ]
    assert figures.all_targets_met is False


def test_scenario_figures_empty_selection_has_no_shares():
    figures = scenario_figures([], {})
    assert (figures.sme_share_number, figures.sme_share_budget, figures.leverage) == (
        None,
        None,
        None,
    )
    assert figures.all_targets_met is False


# --- Optimal selection ---------------------------------------------------------------------


def candidate(id, total, aid, *, sme_places=0, places=3, sme_cost="0", cost="1000000", passes=True):
    # Each partner's aid is half its cost, so the SME share of the aid (KPI 3 by budget)
    # is the SME share of the cost these cases are written in.
    sme_each = D(sme_cost) / max(sme_places, 1)
    other_each = (D(cost) - D(sme_cost)) / max(places - sme_places, 1)
    partners = [
        partner(f"{id}-sme{i}", sme=True, cost=sme_each, aid=sme_each / 2)
        for i in range(sme_places)
    ]
    partners += [
        partner(f"{id}-p{i}", cost=other_each, aid=other_each / 2)
        for i in range(places - sme_places)
    ]
    return ProposalFigures(
        id=id,
        weighted_total=D(total),
        requested_aid=D(aid),
        passes=passes,
        partners=tuple(partners),
    )


def test_optimal_selection_hand_worked_knapsack():
    # Envelope 100: A+B (score 20, aid 100) beats C alone (15, 90) and A+C does not fit.
    proposals = [
        candidate("A", "10", "50", sme_places=1, sme_cost="400000"),
        candidate("B", "10", "50", sme_places=1, sme_cost="400000"),
        candidate("C", "15", "90", sme_places=1, sme_cost="400000"),
    ]
    result = optimal_selection(proposals, D("100"))
    assert (result.selected, result.total_score, result.total_aid, result.balance) == (
        ("A", "B"),
        D("20"),
        D("100"),
        D("0"),
    )
    assert result.meets_sme_targets is True
    assert result.score_without_targets == D("20")


def test_optimal_selection_targets_change_the_choice():
    # B scores more but has no SME. A + B: 2 of 6 places but 25% of the budget; B + C:
    # 1 of 6 places; A + C: 3 of 6 places and 40% of the budget.
    proposals = [
        candidate("A", "11", "40", sme_places=2, places=3, sme_cost="500000"),
        candidate("B", "14", "50", sme_places=0),
        candidate("C", "12", "50", sme_places=1, places=3, sme_cost="300000"),
    ]
    result = optimal_selection(proposals, D("100"))
    assert (result.selected, result.total_score, result.meets_sme_targets) == (
        ("A", "C"),
        D("23"),
        True,
    )
    assert result.score_without_targets == D("26")  # B + C
    assert result.note == (
        "The best selection within the envelope that meets the SME targets. "
        "Without the SME targets the total score could be 26."
    )


def test_optimal_selection_no_set_meets_targets_says_so():
    proposals = [candidate("A", "12", "50"), candidate("B", "11", "50")]
    result = optimal_selection(proposals, D("100"))
    assert (result.selected, result.meets_sme_targets) == (("A", "B"), False)
    assert result.note == (
        "No selection within the envelope meets the SME targets; this is the best "
        "selection without them."
    )


def test_optimal_selection_skips_proposals_below_threshold():
    proposals = [
        candidate("A", "15", "50", sme_places=2, sme_cost="500000", passes=False),
        candidate("B", "10", "50", sme_places=2, sme_cost="500000"),
    ]
    assert optimal_selection(proposals, D("100")).selected == ("B",)


def test_optimal_selection_nothing_fits():
    result = optimal_selection([candidate("A", "15", "500")], D("100"))
    assert (result.selected, result.total_score, result.balance) == ((), D("0"), D("100"))


@st.composite
def selection_instances(draw):
    n = draw(st.integers(1, 8))
    proposals = []
    for i in range(n):
        places = draw(st.integers(1, 5))
        sme_places = draw(st.integers(0, places))
        partners = tuple(
            PartnerFigures(
                organisation_id=(i, j),
                is_company=True,
                is_sme=j < sme_places,
                cost=D(draw(st.integers(1, 50))) * 10000,
                aid=D(draw(st.integers(0, 50))) * 5000,
            )
            for j in range(places)
        )
        proposals.append(
            ProposalFigures(
                id=i,
                weighted_total=D(draw(st.integers(0, 30))) / 2,
                requested_aid=D(draw(st.integers(1, 40))) * 25000,
                passes=draw(st.booleans()) or draw(st.booleans()),
                partners=partners,
            )
        )
    envelope = D(draw(st.integers(0, 120))) * 25000
    return proposals, envelope


def meets_targets(selection) -> bool:
    """KPI 3 (programme.kpis): SME share of the participations and of the aid ≥ 30%."""
    places = [p for proposal in selection for p in proposal.partners]
    aid = sum((p.aid for p in places), D(0))
    sme_aid = sum((p.aid for p in places if p.is_sme), D(0))
    sme_places = sum(1 for p in places if p.is_sme)
    return 100 * sme_places >= 30 * len(places) and 100 * sme_aid >= 30 * aid


@settings(max_examples=120, deadline=None)
@given(selection_instances())
def test_optimal_selection_equals_brute_force(instance):
    proposals, envelope = instance
    candidates = [p for p in proposals if p.passes]
    subsets = [
        subset
        for k in range(len(candidates) + 1)
        for subset in combinations(candidates, k)
        if sum((p.requested_aid for p in subset), D(0)) <= envelope
    ]
    best_free = max(sum((p.weighted_total for p in s), D(0)) for s in subsets)
    meeting = [s for s in subsets if s and meets_targets(s)]
    result = optimal_selection(proposals, envelope)
    chosen = [p for p in proposals if p.id in result.selected]
    assert result.score_without_targets == best_free
    assert result.total_aid <= envelope
    assert sum((p.weighted_total for p in chosen), D(0)) == result.total_score
    if meeting:
        assert result.meets_sme_targets is True
        assert meets_targets(chosen) is True
        assert result.total_score == max(sum((p.weighted_total for p in s), D(0)) for s in meeting)
    else:
        assert result.meets_sme_targets is False
        assert result.total_score == best_free
