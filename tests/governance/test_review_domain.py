"""Pure rules of the review side: detected conflicts, the individual report's entries,
the review deadline and the reminders."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from governance.review import domain as review_domain

SCALE = review_domain.ScaleSpec(Decimal("0"), Decimal("5"), Decimal("0.5"))


def test_detected_conflict_own_organisation_is_partner():
    assert review_domain.detected_conflict(7, {7, 8}, []) == (
        True,
        "The reviewer's organisation is a partner of this application.",
    )


def test_detected_conflict_link_in_either_direction():
    reason = "The reviewer's organisation is linked to a partner of this application."
    assert review_domain.detected_conflict(7, {8, 9}, [(7, 9)]) == (True, reason)
    assert review_domain.detected_conflict(7, {8, 9}, [(9, 7)]) == (True, reason)


def test_detected_conflict_unrelated_or_without_organisation():
    assert review_domain.detected_conflict(7, {8, 9}, [(7, 10), (11, 8)]) == (False, "")
    assert review_domain.detected_conflict(None, {8}, [(None, 8)]) == (False, "")


def test_review_entry_errors_draft_allows_empty_but_not_off_scale():
    assert review_domain.review_entry_errors("", "", SCALE, complete=False) == {}
    assert review_domain.review_entry_errors("5.5", "", SCALE, complete=False) == {
        "score": "A score lies between 0 and 5."
    }
    assert review_domain.review_entry_errors("3,5", "", SCALE, complete=False) == {}


def test_review_entry_errors_submission_needs_score_and_comment():
    assert review_domain.review_entry_errors("", " ", SCALE, complete=True) == {
        "score": "Give a score.",
        "comment": "A comment is required with every score.",
    }
    assert review_domain.review_entry_errors("3.3", "fine", SCALE, complete=True) == {
        "score": "Scores go in steps of 0.5 from 0."
    }
    assert review_domain.review_entry_errors("4", "fine", SCALE, complete=True) == {}


def test_review_open_until_the_review_deadline():
    deadline = datetime(2019, 11, 15, 16, 0, tzinfo=UTC)
    assert review_domain.review_open(None, deadline) == (True, "")
    assert review_domain.review_open(deadline, deadline - timedelta(seconds=1)) == (True, "")
    assert review_domain.review_open(deadline, deadline)[0] is False


def test_due_review_reminder_windows():
    deadline = datetime(2019, 11, 15, 16, 0, tzinfo=UTC)
    assert review_domain.due_review_reminder(deadline, deadline - timedelta(days=4)) is None
    assert review_domain.due_review_reminder(deadline, deadline - timedelta(days=3)) == "3d"
    assert (
        review_domain.due_review_reminder(deadline, deadline - timedelta(days=1, seconds=1)) == "3d"
    )
    assert review_domain.due_review_reminder(deadline, deadline - timedelta(days=1)) == "1d"
    assert review_domain.due_review_reminder(deadline, deadline) is None
    assert review_domain.due_review_reminder(None, deadline) is None
