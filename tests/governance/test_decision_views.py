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
from tests.builders import admissible_application, consensus, evaluation_call, meeting_with_quorum
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


def test_decision_form_over_the_envelope_shows_the_figures(client):
    call = evaluation_call(envelope=Decimal("300000"))
    application = admissible_application(call, aid="400000")
    consensus(application, [4, 4, 4])
    meeting = meeting_with_quorum(call.programme, BodyKind.STEERING_GROUP)
    client.force_login(StaffFactory())
    response = client.post(
        reverse("decision_record", args=[application.pk]),
        {
            "decision-meeting": meeting.pk,
            "decision-outcome": "fund",
            "decision-amount": "400000",
            "decision-decided_by": "An Janssens, administrator-general",
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "would exceed envelope" in body and "available €\u00a0300,000.00" in body
    assert "An Janssens, administrator-general" in body
    assert FundingDecision.objects.count() == 0


def test_decision_form_records_and_redirects(client):
    call = evaluation_call()
    application = admissible_application(call, aid="400000")
    consensus(application, [4, 4, 4])
    meeting = meeting_with_quorum(call.programme, BodyKind.STEERING_GROUP)
    client.force_login(StaffFactory())
    response = client.post(
        reverse("decision_record", args=[application.pk]),
        {
            "decision-meeting": meeting.pk,
            "decision-outcome": "fund",
            "decision-amount": "400000",
            "decision-decided_by": "An Janssens",
        },
    )
    assert response.status_code == 302
    assert Envelope.objects.get(call=call).committed == Decimal("400000.00")
    page = client.get(reverse("application_decision", args=[application.pk])).content.decode()
    assert "Administrator-general" in page


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


def test_decision_on_a_chosen_envelope(client):
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
    meeting = meeting_with_quorum(call.programme, BodyKind.STEERING_GROUP)
    client.force_login(StaffFactory())
    client.post(
        reverse("decision_record", args=[application.pk]),
        {
            "decision-meeting": meeting.pk,
            "decision-outcome": "fund",
            "decision-envelope": second.pk,
            "decision-amount": "400000",
            "decision-decided_by": "An Janssens",
        },
    )
    second.refresh_from_db()
    assert (second.committed, FundingDecision.objects.get().envelope_id) == (
        Decimal("400000.00"),
        second.pk,
    )


def test_ranking_page_suggests_the_reserve_only_after_a_decline(client):
    application, decision, reserve = _funded()
    client.force_login(StaffFactory())
    url = reverse("ranking", args=[application.call_id])
    assert client.get(url).context.get("suggestion") is None
    decisions.decision_decline(actor=application.created_by, decision=decision)
    assert client.get(url).context["suggestion"].application.pk == reserve.pk
