"""The decision pages: advice and decision forms (refusals shown, nothing typed lost),
the decline page, the letters on the application page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import Envelope
from governance.bodies.enums import BodyKind
from governance.decisions import services as decisions
from governance.decisions.enums import DecisionOutcome
from governance.models import FundingDecision
from tests.builders import (
    admissible_application,
    consensus,
    evaluation_call,
    meeting_with_quorum,
    steering_meeting,
)
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_advice_form_refused_without_quorum_keeps_the_motivation(client):
    call = evaluation_call()
    application = admissible_application(call)
    consensus(application, [4, 4, 4])
    meeting = meeting_with_quorum(call.programme, quorum=False)
    client.force_login(StaffFactory())
    response = client.post(
        reverse("advice_record", args=[application.pk]),
        {
            "advice-meeting": meeting.pk,
            "advice-outcome": "fund",
            "advice-motivation": "Strong consortium",
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "The meeting had no quorum, so it cannot give advice" in body
    assert "Strong consortium" in body


def test_agenda_form_over_the_envelope_shows_the_figures_and_keeps_the_choice(client):
    call = evaluation_call(envelope=Decimal("300000"))
    application = admissible_application(call, aid="250000")
    consensus(application, [4, 4, 4])
    staff = StaffFactory()
    proposal = decisions.proposal_build(actor=staff, call=call)
    item = proposal.items.get()
    Envelope.objects.filter(call=call).update(amount=Decimal("200000"))
    meeting, _members = steering_meeting(call.programme)
    client.force_login(staff)
    response = client.post(
        reverse("proposal_agenda", args=[proposal.pk]), {"agenda-meeting": meeting.pk}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "€\u00a0250,000.00 proposed, €\u00a0200,000.00 available" in body
    assert f'<option value="{meeting.pk}" selected' in body
    assert item.outcome == DecisionOutcome.FUND


def test_the_application_page_has_no_decision_form_but_points_to_the_proposal(client):
    call = evaluation_call()
    application = admissible_application(call, aid="400000")
    consensus(application, [4, 4, 4])
    client.force_login(StaffFactory())
    page = client.get(reverse("application_decision", args=[application.pk])).content.decode()
    assert "decision-outcome" not in page
    assert reverse("call_proposals", args=[call.pk]) in page


def _funded(days_ago=3):
    call = evaluation_call()
    application = admissible_application(call, aid="400000")
    consensus(application, [4, 4, 4])
    reserve = admissible_application(call, aid="350000", acronym="RESERVE1")
    consensus(reserve, [3.5, 3.5, 3.5])
    decision = decisions.decision_record(
        actor=StaffFactory(),
        application=application,
        meeting=meeting_with_quorum(call.programme, BodyKind.STEERING_GROUP),
        outcome=DecisionOutcome.FUND,
        amount=Decimal("400000"),
        decided_by="An Janssens",
        now=timezone.now() - timedelta(days=days_ago),
    )
    Envelope.objects.filter(call=call).update(
        amount=Decimal("400000"), initial_amount=Decimal("400000")
    )
    return application, decision, reserve


def test_decline_page_releases_and_staff_see_the_reserve_suggestion(client):
    application, decision, reserve = _funded()
    client.force_login(application.created_by)
    detail = client.get(reverse("application_detail", args=[application.pk])).content.decode()
    assert reverse("decision_decline", args=[decision.pk]) in detail
    response = client.post(reverse("decision_decline", args=[decision.pk]), {"reason": "No"})
    assert response.status_code == 302
    assert Envelope.objects.get(call=application.call).committed == Decimal("0.00")
    client.force_login(StaffFactory())
    page = client.get(reverse("application_decision", args=[application.pk])).content.decode()
    assert "The released money fits RESERVE1 (rank 2" in page


def test_decline_page_after_a_month_says_why(client):
    application, decision, _reserve = _funded(days_ago=45)
    client.force_login(application.created_by)
    response = client.get(reverse("decision_decline", args=[decision.pk]))
    assert "within one month of the decision" in response.content.decode()
    response = client.post(reverse("decision_decline", args=[decision.pk]), {"reason": ""})
    assert response.status_code == 200
    assert FundingDecision.objects.get(pk=decision.pk).declined_at is None


def test_conflicted_council_member_sees_the_proposal_masked(client):
    from governance.models import ConflictDeclaration
    from tests.factories import CouncilFactory

    call = evaluation_call()
    application = admissible_application(call, acronym="SECRETPROJ")
    consensus(application, [4, 4, 4])
    member = CouncilFactory()
    ConflictDeclaration.objects.create(
        application=application,
        reviewer=member,
        has_conflict=True,
        reason="My employer is a partner",
    )
    client.force_login(member)
    page = client.get(reverse("ranking", args=[call.pk])).content.decode()
    assert ("SECRETPROJ" in page, "you have a conflict of interest" in page) == (False, True)
    response = client.get(reverse("application_decision", args=[application.pk]))
    assert response.status_code == 404


def test_proposal_item_on_a_chosen_envelope(client):
    call = evaluation_call(envelope=Decimal("1000000"))
    second = Envelope.objects.create(
        call=call,
        name_nl="Tweede",
        name_en="Second",
        initial_amount=Decimal("500000"),
        amount=Decimal("500000"),
    )
    application = admissible_application(call, aid="400000")
    consensus(application, [4, 4, 4])
    staff = StaffFactory()
    proposal = decisions.proposal_build(actor=staff, call=call)
    item = proposal.items.get()
    client.force_login(staff)
    response = client.post(
        reverse("proposal_item_edit", args=[proposal.pk, item.pk]),
        {"outcome": "fund", "amount": "400000", "envelope": second.pk, "note": "Second pot"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.envelope_id, item.amount, item.note) == (
        second.pk,
        Decimal("400000.00"),
        "Second pot",
    )


def test_proposal_item_refused_keeps_what_was_typed(client):
    call = evaluation_call()
    application = admissible_application(call, aid="400000")
    consensus(application, [4, 4, 4])
    staff = StaffFactory()
    proposal = decisions.proposal_build(actor=staff, call=call)
    item = proposal.items.get()
    client.force_login(staff)
    response = client.post(
        reverse("proposal_item_edit", args=[proposal.pk, item.pk]),
        {"outcome": "fund", "amount": "450000", "note": "Keep this note"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "exceeds the aid requested" in body and "Keep this note" in body


def test_a_steering_member_votes_on_the_proposal_page(client):
    call = evaluation_call()
    application = admissible_application(call, aid="400000", acronym="VOTED")
    consensus(application, [4, 4, 4])
    staff = StaffFactory()
    proposal = decisions.proposal_build(actor=staff, call=call)
    meeting, members = steering_meeting(call.programme)
    decisions.proposal_put_on_agenda(actor=staff, proposal=proposal, meeting=meeting)
    client.force_login(members[0])
    url = reverse("proposal_detail", args=[proposal.pk])
    assert "vote-choice" in client.get(url).content.decode()
    response = client.post(
        reverse("proposal_vote", args=[proposal.pk]), {"vote-choice": "amend", "vote-reason": ""}
    )
    assert response.status_code == 422
    assert "Say why you want the proposal amended or rejected." in response.content.decode()
    client.post(reverse("proposal_vote", args=[proposal.pk]), {"vote-choice": "approve"})
    page = client.get(url).content.decode()
    assert "vote-choice" not in page and str(members[0]) in page


def test_a_conflicted_steering_member_sees_the_proposal_row_masked(client):
    from governance.models import ConflictDeclaration

    call = evaluation_call()
    application = admissible_application(call, aid="400000", acronym="SECRETPROJ")
    consensus(application, [4, 4, 4])
    staff = StaffFactory()
    proposal = decisions.proposal_build(actor=staff, call=call)
    meeting, members = steering_meeting(call.programme)
    ConflictDeclaration.objects.create(
        application=application, reviewer=members[0], has_conflict=True, reason="Partner"
    )
    client.force_login(members[0])
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert ("SECRETPROJ" in page, "conflict of interest with (hidden)" in page) == (False, True)


def test_the_proposal_page_keeps_its_queries_constant(client, query_count):
    call = evaluation_call(envelope=Decimal("5000000"))
    consensus(admissible_application(call, aid="400000"), [4, 4, 4])
    staff = StaffFactory()
    proposal = decisions.proposal_build(actor=staff, call=call)
    meeting, members = steering_meeting(call.programme)
    decisions.proposal_put_on_agenda(actor=staff, proposal=proposal, meeting=meeting)
    decisions.proposal_vote(actor=members[0], proposal=proposal, choice="approve")
    client.force_login(members[1])
    url = reverse("proposal_detail", args=[proposal.pk])
    one = query_count(client.get, url)
    for acronym in ("X1", "X2", "X3"):
        application = admissible_application(call, aid="100000", acronym=acronym)
        consensus(application, [4, 4, 4])
        proposal.items.create(application=application, rank=9, outcome="reserve")
    assert query_count(client.get, url) == one


def test_ranking_page_suggests_the_reserve_only_after_a_decline(client):
    application, decision, reserve = _funded()
    client.force_login(StaffFactory())
    url = reverse("ranking", args=[application.call_id])
    assert client.get(url).context.get("suggestion") is None
    decisions.decision_decline(actor=application.created_by, decision=decision)
    assert client.get(url).context["suggestion"].application.pk == reserve.pk


def test_steering_members_read_the_letters_of_the_calls_their_body_decided(
    client, django_capture_on_commit_callbacks
):
    from governance.models import Letter, Membership
    from tests.builders import decided_by_proposal
    from tests.factories import SteeringFactory

    call = evaluation_call()
    application = admissible_application(call, aid="400000", acronym="LETTERED")
    consensus(application, [4, 4, 4])
    with django_capture_on_commit_callbacks(execute=True):
        proposal = decided_by_proposal(call)
    letter = Letter.objects.get(application=application, kind="decision")
    member = Membership.objects.filter(body=proposal.meeting.body).first().user
    client.force_login(member)
    page = client.get(reverse("application_decision", args=[application.pk])).content.decode()
    assert reverse("letter_download", args=[letter.pk]) in page
    assert client.get(reverse("letter_download", args=[letter.pk])).status_code == 200
    outsider = SteeringFactory()
    client.force_login(outsider)
    page = client.get(reverse("application_decision", args=[application.pk])).content.decode()
    assert reverse("letter_download", args=[letter.pk]) not in page
    assert client.get(reverse("letter_download", args=[letter.pk])).status_code == 404
