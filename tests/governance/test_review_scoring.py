"""The individual report: scores on the call's scale with a mandatory comment, drafts,
submission, the review deadline, other reviewers' scores hidden until one's own
submission, and the review-deadline reminders (each sent once)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.models import ReviewAssignment, ReviewReminderSent, ReviewScore
from governance.review import services as review_services, tasks as review_tasks
from governance.review.enums import AssignmentState
from tests.builders import (
    admissible_application,
    cleared_assignment,
    entries_for,
    evaluation_call,
    submitted_assignment,
)
from tests.factories import CouncilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment():
    return cleared_assignment(admissible_application(evaluation_call()))


def _post_data(call, values, action):
    data = {action: "1"}
    for criterion, (score, comment) in zip(call.criteria.all(), values, strict=True):
        data[f"score_{criterion.pk}"] = score
        data[f"comment_{criterion.pk}"] = comment
    return data


def test_submit_refuses_off_scale_and_missing_comment_per_field(assignment):
    call = assignment.application.call
    with pytest.raises(ValidationError) as error:
        review_services.review_submit(
            actor=assignment.reviewer,
            assignment=assignment,
            entries=entries_for(call, [("5.5", "ok"), ("3.3", "ok"), ("4", "")]),
        )
    ids = [c.pk for c in call.criteria.all()]
    assert error.value.message_dict == {
        f"score_{ids[0]}": ["A score lies between 0 and 5."],
        f"score_{ids[1]}": ["Scores go in steps of 0.5 from 0."],
        f"comment_{ids[2]}": ["A comment is required with every score."],
    }
    assignment.refresh_from_db()
    assert (assignment.state, ReviewScore.objects.count()) == (AssignmentState.ASSIGNED, 0)


def test_view_keeps_what_was_typed_on_a_refused_submission(client, assignment):
    call = assignment.application.call
    client.force_login(assignment.reviewer)
    response = client.post(
        reverse("review_score", args=[assignment.pk]),
        _post_data(call, [("7", "Strong team"), ("4", "Clear plan"), ("3", "")], "submit"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="7"' in html
    assert "Strong team" in html and "Clear plan" in html
    assert "A score lies between 0 and 5." in html
    assert "A comment is required with every score." in html


def test_draft_then_submit(client, assignment):
    call = assignment.application.call
    client.force_login(assignment.reviewer)
    url = reverse("review_score", args=[assignment.pk])
    client.post(url, _post_data(call, [("3,5", "Novel"), ("", ""), ("", "")], "draft"))
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.DRAFT
    assert list(assignment.scores.values_list("score", "comment")) == [
        (Decimal("3.5"), "Novel"),
        (None, ""),
        (None, ""),
    ]
    response = client.post(
        url, _post_data(call, [("3.5", "Novel"), ("4", "Good"), ("2.5", "Weak")], "submit")
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    assert assignment.submitted_at is not None
    assert [s.score for s in assignment.scores.all()] == [
        Decimal("3.5"),
        Decimal("4"),
        Decimal("2.5"),
    ]


def test_htmx_autosave_saves_a_draft(client, assignment):
    call = assignment.application.call
    client.force_login(assignment.reviewer)
    response = client.post(
        reverse("review_score", args=[assignment.pk]),
        _post_data(call, [("4", "Typed"), ("", ""), ("", "")], "autosave"),
        headers={"HX-Request": "true"},
    )
    assert "Draft saved at" in response.content.decode()
    assert list(assignment.scores.values_list("comment", flat=True)) == ["Typed", "", ""]


def test_submit_refused_after_review_deadline(assignment):
    call = assignment.application.call
    call.review_deadline = timezone.now() - timedelta(minutes=1)
    call.save()
    with pytest.raises(ValidationError) as error:
        review_services.review_submit(
            actor=assignment.reviewer,
            assignment=assignment,
            entries=entries_for(call, [("3", "a"), ("3", "b"), ("3", "c")]),
        )
    assert error.value.messages == [
        "Locked: the review deadline has passed. Staff may reopen it with a reason."
    ]


def test_other_reviewers_scores_hidden_until_own_submission(client, assignment):
    application = assignment.application
    submitted_assignment(application, ["1", "4.5", "2"])
    client.force_login(assignment.reviewer)
    url = reverse("review_score", args=[assignment.pk])
    before = client.get(url).content.decode()
    assert "Other reviewers" not in before
    assert "Comment on" not in before
    client.post(url, _post_data(application.call, [("3", "a"), ("3", "b"), ("3", "c")], "submit"))
    after = client.get(url).content.decode()
    assert "Other reviewers" in after
    assert "Comment on" in after
    # Names of the other reviewers are never shown to a reviewer.
    other = ReviewAssignment.objects.exclude(pk=assignment.pk).get().reviewer
    assert other.last_name not in after


def test_someone_elses_assignment_is_404(client, assignment):
    client.force_login(CouncilFactory())
    assert client.get(reverse("review_score", args=[assignment.pk])).status_code == 404


def test_review_reminders_sent_once_per_kind(mailoutbox, django_capture_on_commit_callbacks):
    call = evaluation_call(review_deadline=timezone.now() + timedelta(days=5))
    application = admissible_application(call)
    open_one = cleared_assignment(application)
    cleared_assignment(admissible_application(call), reviewer=open_one.reviewer)
    submitted_assignment(application, ["3", "3", "3"])  # submitted: no reminder
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(call.review_deadline - timedelta(days=2, hours=23)):
            assert review_tasks.send_review_reminders.delay().get() == 1
            assert review_tasks.send_review_reminders.delay().get() == 0
        with time_machine.travel(call.review_deadline - timedelta(hours=20)):
            assert review_tasks.send_review_reminders.delay().get() == 1
            assert review_tasks.send_review_reminders.delay().get() == 0
    assert sorted(ReviewReminderSent.objects.values_list("kind", flat=True)) == ["1d", "3d"]
    assert [m.to for m in mailoutbox] == [[open_one.reviewer.email]] * 2
    assert application.acronym in mailoutbox[0].body


def test_scoring_page_in_dutch(client, assignment):
    client.force_login(assignment.reviewer)
    response = client.get(
        reverse("review_score", args=[assignment.pk]), headers={"Accept-Language": "nl"}
    )
    assert "Beoordeling indienen" in response.text
    assert "Score (0–5, in stappen van 0.5)" in response.text
