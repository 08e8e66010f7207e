from decimal import Decimal

import pytest

from calls import demo as calls_demo
from calls.models import Envelope
from governance import demo
from governance.decisions.enums import DecisionOutcome, LetterKind, ProposalState
from governance.models import Advice, DecisionProposal, FundingDecision, Letter
from programme import demo as programme_demo
from projects import demo as projects_demo


@pytest.fixture
def seeded(db):
    programme_demo.seed()
    calls_demo.seed()
    projects_demo.seed()
    demo.seed()


def test_demo_decisions_fund_within_the_2019_envelope_with_reserve_and_reject(seeded):
    envelope = Envelope.objects.get(call__programme_year__year=2019)
    funded = FundingDecision.objects.filter(outcome=DecisionOutcome.FUND, declined_at=None)
    outcomes = sorted(FundingDecision.objects.values_list("outcome", flat=True))
    # Three funded by the proposal and one from the reserve list after a decline.
    assert (outcomes.count("fund"), outcomes.count("reject")) == (4, 1)
    assert envelope.committed == sum((d.amount for d in funded), Decimal("0"))
    assert envelope.committed <= Decimal("4500000")
    assert Advice.objects.count() == FundingDecision.objects.count()


def test_demo_decisions_idempotent(seeded):
    before = (
        FundingDecision.objects.count(),
        Envelope.objects.get(call__programme_year__year=2019).committed,
    )
    demo.seed()
    after = (
        FundingDecision.objects.count(),
        Envelope.objects.get(call__programme_year__year=2019).committed,
    )
    assert after == before


def test_demo_2019_call_decided_through_a_proposal_the_steering_group_approved(seeded):
    proposal = DecisionProposal.objects.get(call__programme_year__year=2019)
    assert proposal.state == ProposalState.DECIDED
    assert sorted(proposal.votes.values_list("voter__email", "choice")) == [
        ("fwo@demo.icon", "approve"),
        ("stuurgroep@demo.icon", "approve"),
    ]
    assert set(FundingDecision.objects.values_list("proposal_id", flat=True)) == {proposal.pk}


def test_demo_one_decline_and_a_reserve_proposal_funded_after_it(seeded):
    declined = FundingDecision.objects.get(declined_at__isnull=False)
    from_reserve = FundingDecision.objects.get(funded_from_reserve_at__isnull=False)
    assert from_reserve.funded_from_reserve_at > declined.declined_at
    assert from_reserve.outcome == DecisionOutcome.FUND and from_reserve.ledger_entry_id
    assert Letter.objects.filter(
        application=from_reserve.application, kind=LetterKind.RESERVE
    ).exists()
    assert FundingDecision.objects.filter(outcome=DecisionOutcome.RESERVE).count() >= 1
