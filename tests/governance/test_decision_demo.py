from decimal import Decimal

import pytest

from calls import demo as calls_demo
from calls.models import Envelope
from governance import demo
from governance.decisions.enums import DecisionOutcome
from governance.models import Advice, FundingDecision
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
    funded = FundingDecision.objects.filter(outcome=DecisionOutcome.FUND)
    outcomes = sorted(FundingDecision.objects.values_list("outcome", flat=True))
    assert (outcomes.count("fund"), outcomes.count("reject")) == (3, 1)
    assert outcomes.count("reserve") >= 1
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
