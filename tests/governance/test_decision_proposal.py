"""The decision proposal (issue 18, item 1; DOMAIN.md §2): staff build it from the
ranking, put it on a steering-group meeting, the voting members present approve, amend or
reject it, and only an approved proposal records the funding decisions (through
decision_record: envelope committed, deciding level, who signed)."""

from decimal import Decimal

import pytest

from calls.models import Envelope
from governance.decisions import domain, services as decisions
from governance.decisions.enums import DecidingLevel, DecisionOutcome, LetterKind, ProposalState
from governance.models import FundingDecision, Letter, ProposalVote
from governance.review import selectors as review_selectors
from governance.review.enums import LockPhase
from programme.states import Refused
from tests.builders import (
    admissible_application,
    consensus,
    evaluation_call,
    meeting_with_quorum,
    steering_meeting,
)
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    """1,000,000 in the envelope; A (4.5s, 400k) and B (4s, 500k) fit, C (3.5s, 300k) does
    not (the cut stops), D fails a threshold."""
    call = evaluation_call(envelope=Decimal("1000000"))
    for acronym, score, aid in (("ALPHA", 4.5, "400000"), ("BRAVO", 4, "500000")):
        consensus(admissible_application(call, acronym=acronym, aid=aid), [score] * 3)
    consensus(admissible_application(call, acronym="CHARLIE", aid="300000"), [3.5] * 3)
    consensus(admissible_application(call, acronym="DELTA", aid="100000"), [2, 4, 4])
    return call


@pytest.fixture
def staff():
    return StaffFactory()


def _outcomes(proposal):
    return [
        (i.rank, i.application.acronym, i.outcome, i.amount)
        for i in proposal.items.select_related("application").order_by("rank")
    ]


def _on_agenda(call, staff, voters=3, present=None):
    proposal = decisions.proposal_build(actor=staff, call=call)
    meeting, members = steering_meeting(call.programme, voters, present=present)
    decisions.proposal_put_on_agenda(actor=staff, proposal=proposal, meeting=meeting)
    proposal.refresh_from_db()
    return proposal, members


def test_proposal_build_takes_the_funded_set_the_reserve_list_and_the_rejections(call, staff):
    proposal = decisions.proposal_build(actor=staff, call=call)
    assert _outcomes(proposal) == [
        (1, "ALPHA", DecisionOutcome.FUND, Decimal("400000.00")),
        (2, "BRAVO", DecisionOutcome.FUND, Decimal("500000.00")),
        (3, "CHARLIE", DecisionOutcome.RESERVE, None),
        (4, "DELTA", DecisionOutcome.REJECT, None),
    ]
    assert proposal.state == ProposalState.DRAFT
    envelope = Envelope.objects.get(call=call)
    assert {i.envelope_id for i in proposal.items.filter(outcome="fund")} == {envelope.pk}


def test_proposal_build_locks_the_consensus(call, staff):
    proposal = decisions.proposal_build(actor=staff, call=call)
    application = proposal.items.first().application
    locked, reason = review_selectors.phase_status(application, LockPhase.CONSENSUS)
    assert locked
    assert "a decision proposal exists" in reason


def test_a_second_standing_proposal_is_refused(call, staff):
    decisions.proposal_build(actor=staff, call=call)
    with pytest.raises(Refused, match="already has a decision proposal"):
        decisions.proposal_build(actor=staff, call=call)


def test_proposal_item_update_refuses_more_than_requested_and_keeps_the_draft(call, staff):
    proposal = decisions.proposal_build(actor=staff, call=call)
    item = proposal.items.get(application__acronym="CHARLIE")
    with pytest.raises(Refused, match="exceeds the aid requested"):
        decisions.proposal_item_update(
            actor=staff, item=item, outcome=DecisionOutcome.FUND, amount=Decimal("300000.01")
        )
    decisions.proposal_item_update(
        actor=staff, item=item, outcome=DecisionOutcome.FUND, amount=Decimal("100000")
    )
    item.refresh_from_db()
    assert (item.outcome, item.amount) == (DecisionOutcome.FUND, Decimal("100000.00"))


def test_put_on_agenda_refuses_a_proposal_over_the_envelope_with_the_figures(call, staff):
    proposal = decisions.proposal_build(actor=staff, call=call)
    item = proposal.items.get(application__acronym="CHARLIE")
    decisions.proposal_item_update(
        actor=staff, item=item, outcome=DecisionOutcome.FUND, amount=Decimal("300000")
    )
    meeting, _members = steering_meeting(call.programme)
    with pytest.raises(Refused) as refused:
        decisions.proposal_put_on_agenda(actor=staff, proposal=proposal, meeting=meeting)
    assert "€\xa01,200,000.00 proposed, €\xa01,000,000.00 available" in str(refused.value)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DRAFT


def test_put_on_agenda_refuses_a_council_meeting(call, staff):
    proposal = decisions.proposal_build(actor=staff, call=call)
    council = meeting_with_quorum(call.programme)
    with pytest.raises(Refused, match="steering group"):
        decisions.proposal_put_on_agenda(actor=staff, proposal=proposal, meeting=council)


def test_only_voting_members_present_vote(call, staff):
    proposal, members = _on_agenda(call, staff, voters=3, present=2)
    with pytest.raises(Refused, match="not on its attendance"):
        decisions.proposal_vote(actor=members[2], proposal=proposal, choice="approve")
    with pytest.raises(Refused, match="voting members"):
        decisions.proposal_vote(actor=staff, proposal=proposal, choice="approve")


def test_a_meeting_without_quorum_cannot_vote(call, staff):
    proposal, members = _on_agenda(call, staff, voters=3, present=1)
    with pytest.raises(Refused, match="no quorum"):
        decisions.proposal_vote(actor=members[0], proposal=proposal, choice="approve")


def test_amending_needs_a_reason_and_one_vote_per_round(call, staff):
    proposal, members = _on_agenda(call, staff)
    with pytest.raises(Refused, match="Say why"):
        decisions.proposal_vote(actor=members[0], proposal=proposal, choice="amend", reason=" ")
    decisions.proposal_vote(actor=members[0], proposal=proposal, choice="approve")
    with pytest.raises(Refused, match="already voted"):
        decisions.proposal_vote(actor=members[0], proposal=proposal, choice="reject", reason="No")


def test_the_majority_approves_and_each_vote_is_recorded(call, staff):
    proposal, members = _on_agenda(call, staff)
    decisions.proposal_vote(actor=members[0], proposal=proposal, choice="approve")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ON_AGENDA
    decisions.proposal_vote(actor=members[1], proposal=proposal, choice="approve")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.APPROVED
    votes = list(ProposalVote.objects.filter(proposal=proposal).order_by("cast_at"))
    assert [(v.voter, v.choice, v.round) for v in votes] == [
        (members[0], "approve", 1),
        (members[1], "approve", 1),
    ]
    assert all(v.cast_at for v in votes)
    assert not FundingDecision.objects.filter(application__call=call).exists()


def test_a_majority_to_amend_sends_it_back_as_a_draft_for_the_next_round(call, staff):
    proposal, members = _on_agenda(call, staff)
    decisions.proposal_vote(actor=members[0], proposal=proposal, choice="amend", reason="Less")
    decisions.proposal_vote(actor=members[1], proposal=proposal, choice="amend", reason="Yes")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.round) == (ProposalState.DRAFT, 2)


def test_a_majority_rejects_and_a_new_proposal_may_follow(call, staff):
    proposal, members = _on_agenda(call, staff)
    decisions.proposal_vote(actor=members[0], proposal=proposal, choice="reject", reason="No")
    decisions.proposal_vote(actor=members[2], proposal=proposal, choice="reject", reason="No")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.REJECTED
    assert decisions.proposal_build(actor=staff, call=call).state == ProposalState.DRAFT


def test_decisions_need_an_approved_proposal(call, staff):
    proposal, _members = _on_agenda(call, staff)
    with pytest.raises(Refused, match="cannot become"):
        decisions.proposal_record_decisions(
            actor=staff, proposal=proposal, administrator_general="An Janssens"
        )


def _approved(call, staff):
    proposal, members = _on_agenda(call, staff)
    for member in members[:2]:
        decisions.proposal_vote(actor=member, proposal=proposal, choice="approve")
    proposal.refresh_from_db()
    return proposal


def test_decisions_need_who_signed_at_each_level(call, staff):
    proposal = _approved(call, staff)
    with pytest.raises(Refused, match="Say who signed for: Administrator-general"):
        decisions.proposal_record_decisions(actor=staff, proposal=proposal)


def test_an_approved_proposal_records_the_decisions_through_the_decision_service(
    call, staff, django_capture_on_commit_callbacks
):
    proposal = _approved(call, staff)
    with django_capture_on_commit_callbacks():
        decisions.proposal_record_decisions(
            actor=staff, proposal=proposal, administrator_general="An Janssens, AG"
        )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DECIDED
    assert {
        (d.deciding_level, d.decided_by, d.proposal_id)
        for d in FundingDecision.objects.filter(application__call=call)
    } == {("administrator_general", "An Janssens, AG", proposal.pk)}
    rows = [
        (d.application.acronym, d.outcome, d.amount)
        for d in FundingDecision.objects.filter(application__call=call)
        .select_related("application")
        .order_by("application__acronym")
    ]
    assert rows == [
        ("ALPHA", "fund", Decimal("400000.00")),
        ("BRAVO", "fund", Decimal("500000.00")),
        ("CHARLIE", "reserve", None),
        ("DELTA", "reject", None),
    ]
    assert Envelope.objects.get(call=call).committed == Decimal("900000.00")
    assert Letter.objects.filter(application__call=call, kind=LetterKind.DECISION).count() == 4


def test_an_aid_above_500000_is_signed_for_the_decision_committee(staff):
    call = evaluation_call(envelope=Decimal("2000000"))
    consensus(admissible_application(call, acronym="BIG", aid="600000"), [4, 4, 4])
    proposal = _approved(call, staff)
    with pytest.raises(Refused, match="Decision committee"):
        decisions.proposal_record_decisions(
            actor=staff, proposal=proposal, administrator_general="An Janssens"
        )
    decisions.proposal_record_decisions(
        actor=staff, proposal=proposal, decision_committee="Beslissingscomité, 12/12/2019"
    )
    decision = FundingDecision.objects.get(application__call=call)
    assert (decision.deciding_level, decision.decided_by) == (
        DecidingLevel.DECISION_COMMITTEE,
        "Beslissingscomité, 12/12/2019",
    )


def test_vote_outcome_counts_the_members_present():
    assert domain.vote_outcome(present=3, approve=1, amend=0, reject=0) is None
    assert domain.vote_outcome(present=3, approve=2, amend=0, reject=0) == "approved"
    assert domain.vote_outcome(present=4, approve=2, amend=1, reject=0) is None
    assert domain.vote_outcome(present=4, approve=2, amend=1, reject=1) == "draft"
    assert domain.vote_outcome(present=4, approve=0, amend=0, reject=3) == "rejected"
