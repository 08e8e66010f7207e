"""Phases that lock (issue 18, item 3): the individual reviews lock at the review deadline
or once the consensus is recorded; the consensus locks once a decision proposal exists;
staff reopen with a reason (audited); a decided call locks for good; every lock says so
on the page; "mark decided" says what it locks and asks for confirmation."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from calls.enums import CallState
from calls.models import Call
from governance.decisions import services as decisions
from governance.models import PhaseLock
from governance.review import selectors, services as review_services
from governance.review.enums import AssignmentState, LockPhase
from programme.states import Refused
from tests.builders import (
    admissible_application,
    cleared_assignment,
    consensus,
    entries_for,
    evaluation_call,
    submitted_assignment,
)
from tests.factories import CouncilFactory, StaffFactory

pytestmark = pytest.mark.django_db

ENTRIES = [("4", "Good"), ("4", "Good"), ("4", "Good")]


@pytest.fixture
def application():
    return admissible_application(evaluation_call())


def _record_consensus(application, staff):
    review_services.consensus_record(
        actor=staff, application=application, entries=entries_for(application.call, ENTRIES)
    )


def test_recording_the_consensus_locks_the_reviews_and_refuses_a_new_reviewer(application):
    submitted_assignment(application, [4, 4, 4])
    late = cleared_assignment(application, CouncilFactory())
    late.state = AssignmentState.SUBMITTED
    late.submitted_at = timezone.now()
    late.save()
    staff = StaffFactory()
    _record_consensus(application, staff)
    assert selectors.phase_status(application, LockPhase.REVIEWS) == (
        True,
        "Locked: the consensus has been recorded. Staff may reopen it with a reason.",
    )
    with pytest.raises(Refused, match="Reopen them with a reason to add a reviewer"):
        review_services.review_assign(
            actor=staff, application=application, reviewer=CouncilFactory()
        )
    review_services.phase_reopen(
        actor=staff, application=application, phase=LockPhase.REVIEWS, reason="Third opinion"
    )
    assert review_services.review_assign(
        actor=staff, application=application, reviewer=CouncilFactory()
    )


def test_the_review_deadline_locks_and_staff_reopen_it_with_a_reason(application):
    assignment = cleared_assignment(application)
    call = application.call
    call.review_deadline = timezone.now() - timedelta(hours=1)
    call.save()
    entries = entries_for(call, ENTRIES)
    with pytest.raises(ValidationError, match="review deadline has passed"):
        review_services.review_submit(
            actor=assignment.reviewer, assignment=assignment, entries=entries
        )
    staff = StaffFactory()
    with pytest.raises(Refused, match="Say why"):
        review_services.phase_reopen(
            actor=staff, application=application, phase=LockPhase.REVIEWS, reason=" "
        )
    review_services.phase_reopen(
        actor=staff, application=application, phase=LockPhase.REVIEWS, reason="Illness"
    )
    review_services.review_submit(actor=assignment.reviewer, assignment=assignment, entries=entries)
    lock = PhaseLock.objects.get(application=application)
    assert (lock.cause, lock.reopened_by, lock.reopen_reason) == ("deadline", staff, "Illness")
    assert lock.history.first().history_change_reason == "reopened: Illness"


def test_a_decision_proposal_locks_the_consensus_until_staff_reopen_it(application):
    submitted_assignment(application, [4, 4, 4])
    staff = StaffFactory()
    _record_consensus(application, staff)
    decisions.proposal_build(actor=staff, call=application.call)
    with pytest.raises(Refused, match="Locked: a decision proposal exists"):
        _record_consensus(application, staff)
    review_services.phase_reopen(
        actor=staff, application=application, phase=LockPhase.CONSENSUS, reason="Typo in C2"
    )
    _record_consensus(application, staff)
    assert selectors.phase_status(application, LockPhase.CONSENSUS)[0] is True


def test_a_decided_call_locks_for_good(application):
    assignment = cleared_assignment(application)
    Call.objects.filter(pk=application.call_id).update(state=CallState.DECIDED)
    application.refresh_from_db()
    with pytest.raises(ValidationError, match="the call has been decided"):
        review_services.review_save_draft(
            actor=assignment.reviewer, assignment=assignment, entries={}
        )
    with pytest.raises(Refused, match="stays locked"):
        review_services.phase_reopen(
            actor=StaffFactory(), application=application, phase=LockPhase.REVIEWS, reason="x"
        )


def test_the_pages_state_their_locks(client, application):
    submitted_assignment(application, [4, 4, 4])
    staff = StaffFactory()
    _record_consensus(application, staff)
    client.force_login(staff)
    page = client.get(reverse("consensus_page", args=[application.pk])).content.decode()
    assert "Individual reviews:</strong> Locked: the consensus has been recorded." in page
    assert reverse("phase_reopen", args=[application.pk, "reviews"]) in page
    assert "Consensus:</strong> open" in page


def test_the_review_page_states_the_deadline_lock(client, application):
    assignment = cleared_assignment(application)
    Call.objects.filter(pk=application.call_id).update(
        review_deadline=timezone.now() - timedelta(hours=1)
    )
    client.force_login(assignment.reviewer)
    page = client.get(reverse("review_score", args=[assignment.pk])).content.decode()
    assert "Locked: the review deadline has passed. Staff may reopen it with a reason." in page


def test_staff_reopen_through_the_page(client, application):
    submitted_assignment(application, [4, 4, 4])
    staff = StaffFactory()
    _record_consensus(application, staff)
    client.force_login(staff)
    url = reverse("phase_reopen", args=[application.pk, "reviews"])
    client.post(url, {"reviews-reason": ""})
    assert selectors.phase_status(application, LockPhase.REVIEWS)[0] is True
    response = client.post(url, {"reviews-reason": "A third reviewer"})
    assert response.status_code == 302
    assert selectors.phase_status(application, LockPhase.REVIEWS) == (False, "")


def test_mark_decided_says_what_it_locks_and_asks_for_confirmation(client):
    call = evaluation_call()
    application = admissible_application(call)
    consensus(application, [2, 2, 2])
    from tests.builders import decided_by_proposal

    decided_by_proposal(call)
    client.force_login(StaffFactory())
    url = reverse("call_mark_decided", args=[call.pk])
    page = client.get(url).content.decode()
    assert "the individual reviews of every application" in page
    assert "the reserve list stays usable until the call is archived" in page
    response = client.post(url, {})
    assert response.status_code == 422
    call.refresh_from_db()
    assert call.state == CallState.IN_EVALUATION
    assert client.post(url, {"confirm": "on"}).status_code == 302
    call.refresh_from_db()
    assert call.state == CallState.DECIDED
