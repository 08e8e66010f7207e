"""The reserve list (issue 18, item 2; DOMAIN.md §6): when money frees, staff see the
reserve proposals that fit in rank order and fund one through the same path as a funding
decision (envelope committed, deciding level, a letter of its own kind); the list closes
when the call is archived."""

from decimal import Decimal

import pytest
from django.urls import reverse

from calls.enums import CallState
from calls.models import Call, Envelope
from governance.decisions import services as decisions
from governance.decisions.enums import DecidingLevel, DecisionOutcome, LetterKind
from governance.models import FundingDecision, Letter
from programme.states import Refused
from tests.builders import admissible_application, consensus, decided_by_proposal, evaluation_call
from tests.factories import StaffFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    """900,000: FUNDED (400k) and SECOND (450k) are funded; RESERVE1 (rank 3, 380k) and
    RESERVE2 (rank 4, 120k) are on the reserve list."""
    call = evaluation_call(envelope=Decimal("900000"))
    for acronym, score, aid in (
        ("FUNDED", 5, "400000"),
        ("SECOND", 4.5, "450000"),
        ("RESERVE1", 4, "380000"),
        ("RESERVE2", 3.5, "120000"),
    ):
        consensus(admissible_application(call, acronym=acronym, aid=aid), [score] * 3)
    decided_by_proposal(call)
    return call


def _decision(call, acronym):
    return FundingDecision.objects.select_related("application").get(
        application__call=call, application__acronym=acronym
    )


def test_the_proposal_left_a_reserve_list_in_rank_order(call):
    assert [
        d.application.acronym
        for d in FundingDecision.objects.filter(
            application__call=call, outcome=DecisionOutcome.RESERVE
        ).order_by("application__total_aid")
    ] == ["RESERVE2", "RESERVE1"]
    assert Envelope.objects.get(call=call).available == Decimal("50000.00")


def test_a_better_ranked_reserve_that_fits_is_passed_over_only_with_a_motivation(call):
    staff = StaffFactory()
    decisions.decision_decline(actor=staff, decision=_decision(call, "FUNDED"))
    reserve2 = _decision(call, "RESERVE2")
    with pytest.raises(Refused, match=r"Better-ranked reserve proposals also fit \(RESERVE1\)"):
        decisions.decision_fund_from_reserve(
            actor=staff, decision=reserve2, amount=Decimal("120000"), decided_by="An Janssens"
        )
    decisions.decision_fund_from_reserve(
        actor=staff,
        decision=reserve2,
        amount=Decimal("120000"),
        decided_by="An Janssens",
        motivation="RESERVE1 withdrew its partner",
    )
    assert _decision(call, "RESERVE2").outcome == DecisionOutcome.FUND


def test_funding_more_than_is_available_is_refused_with_the_figures(call):
    with pytest.raises(Refused, match=r"does not fit: the envelope has €\xa050,000.00 available"):
        decisions.decision_fund_from_reserve(
            actor=StaffFactory(),
            decision=_decision(call, "RESERVE2"),
            amount=Decimal("120000"),
            decided_by="An Janssens",
        )


def test_only_a_reserve_decision_is_funded_from_the_reserve_list(call):
    with pytest.raises(Refused, match="Only a proposal on the reserve list"):
        decisions.decision_fund_from_reserve(
            actor=StaffFactory(),
            decision=_decision(call, "FUNDED"),
            amount=Decimal("1000"),
            decided_by="An Janssens",
        )


def test_the_reserve_list_closes_when_the_call_is_archived(call, client):
    staff = StaffFactory()
    decisions.decision_decline(actor=staff, decision=_decision(call, "FUNDED"))
    Call.objects.filter(pk=call.pk).update(state=CallState.ARCHIVED)
    with pytest.raises(Refused, match="reserve list is closed"):
        decisions.decision_fund_from_reserve(
            actor=staff,
            decision=_decision(call, "RESERVE1"),
            amount=Decimal("380000"),
            decided_by="An Janssens",
        )
    client.force_login(staff)
    page = client.get(reverse("reserve_list", args=[call.pk])).content.decode()
    assert "its reserve list is closed" in page and "Fund from the reserve list" not in page


def test_a_decline_followed_by_funding_a_reserve_proposal_end_to_end_with_letters(
    call, client, django_capture_on_commit_callbacks, mailoutbox
):
    """The coordinator declines on the decline page; staff see on the reserve list that
    RESERVE1 now fits and fund it there; its envelope is committed and it receives a
    letter of its own kind, which its consortium downloads."""
    funded = _decision(call, "FUNDED")
    coordinator = funded.application.created_by
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("decision_decline", args=[funded.pk]), {"reason": "No"})
    assert response.status_code == 302
    envelope = Envelope.objects.get(call=call)
    assert envelope.available == Decimal("450000.00")

    staff = StaffFactory()
    client.force_login(staff)
    page = client.get(reverse("reserve_list", args=[call.pk])).content.decode()
    assert page.index("RESERVE1") < page.index("RESERVE2")
    assert page.count("fits the money available") == 2
    reserve1 = _decision(call, "RESERVE1")
    prefix = f"reserve-{reserve1.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reserve_fund", args=[reserve1.pk]),
            {f"{prefix}-amount": "380000", f"{prefix}-decided_by": "An Janssens, AG"},
        )
    assert response.status_code == 302
    reserve1.refresh_from_db()
    envelope.refresh_from_db()
    assert (
        reserve1.outcome,
        reserve1.amount,
        reserve1.deciding_level,
        reserve1.funded_from_reserve_at is not None,
        envelope.available,
    ) == (
        DecisionOutcome.FUND,
        Decimal("380000.00"),
        DecidingLevel.ADMINISTRATOR_GENERAL,
        True,
        Decimal("70000.00"),
    )
    assert reserve1.ledger_entry.amount == Decimal("380000.00")
    letter = Letter.objects.get(application=reserve1.application, kind=LetterKind.RESERVE)
    assert "Uw project wordt gesteund van de reservelijst" in pdf_text(letter.file.path)
    assert any(m.attachments and m.attachments[0][0].startswith("reserve-") for m in mailoutbox)
    client.force_login(reserve1.application.created_by)
    download = client.get(reverse("letter_download", args=[letter.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    client.force_login(staff)
    detail = client.get(reverse("application_decision", args=[reserve1.application_id]))
    assert "Funded from the reserve list on" in detail.content.decode()


def test_a_refused_reserve_funding_keeps_what_was_typed(call, client):
    client.force_login(StaffFactory())
    reserve2 = _decision(call, "RESERVE2")
    prefix = f"reserve-{reserve2.pk}"
    response = client.post(
        reverse("reserve_fund", args=[reserve2.pk]),
        {f"{prefix}-amount": "120000", f"{prefix}-decided_by": "Typed signer"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "does not fit" in body and "Typed signer" in body


def test_the_reserve_list_page_keeps_its_queries_constant(call, client, query_count):
    client.force_login(StaffFactory())
    url = reverse("reserve_list", args=[call.pk])
    one = query_count(client.get, url)
    for acronym in ("R3", "R4"):
        application = admissible_application(call, acronym=acronym, aid="100000")
        consensus(application, [3.5] * 3)
        FundingDecision.objects.create(
            application=application,
            meeting=_decision(call, "RESERVE1").meeting,
            outcome=DecisionOutcome.RESERVE,
            decided_at=_decision(call, "RESERVE1").decided_at,
            recorded_by=StaffFactory(),
        )
    assert query_count(client.get, url) == one
