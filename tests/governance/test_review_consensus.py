"""The moderator's consensus page and the call's evaluation overview (staff)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from governance.models import ConsensusScore
from governance.review import services as review_services
from tests.builders import (
    admissible_application,
    cleared_assignment,
    entries_for,
    evaluation_call,
    submitted_assignment,
)
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_consensus_page_shows_names_and_flags_large_spread(client):
    application = admissible_application(evaluation_call())
    first = submitted_assignment(application, ["1", "3", "4"])
    second = submitted_assignment(application, ["3", "4", "4.5"])
    client.force_login(StaffFactory())
    response = client.get(reverse("consensus_page", args=[application.pk]))
    html = response.content.decode()
    assert str(first.reviewer) in html and str(second.reviewer) in html
    assert html.count("large spread") == 1  # only criterion 1: 1 vs 3
    assert response.context["table"][0]["spread"] is True
    assert [row["spread"] for row in response.context["table"]] == [True, False, False]


def test_consensus_refused_until_every_review_is_submitted():
    application = admissible_application(evaluation_call())
    submitted_assignment(application, ["3", "3", "3"])
    cleared_assignment(application)
    values = [("3", "Agreed"), ("3", "Agreed"), ("3", "Agreed")]
    with pytest.raises(ValidationError) as error:
        review_services.consensus_record(
            actor=StaffFactory(),
            application=application,
            entries=entries_for(application.call, values),
        )
    assert error.value.messages == [
        "The consensus is recorded once every assigned reviewer has submitted."
    ]


def test_consensus_recorded_through_the_page(client):
    application = admissible_application(evaluation_call())
    submitted_assignment(application, ["3", "4", "2"])
    staff = StaffFactory()
    client.force_login(staff)
    data = {}
    for criterion, score in zip(application.call.criteria.all(), ["3", "4", "9"], strict=True):
        data[f"score_{criterion.pk}"] = score
        data[f"comment_{criterion.pk}"] = f"Panel view on {criterion.pk}"
    url = reverse("consensus_page", args=[application.pk])
    refused = client.post(url, data)
    assert "A score lies between 0 and 5." in refused.content.decode()
    assert ConsensusScore.objects.count() == 0
    data[f"score_{application.call.criteria.last().pk}"] = "2.5"
    assert client.post(url, data).status_code == 302
    assert list(
        ConsensusScore.objects.filter(application=application).values_list("score", "moderator")
    ) == [(Decimal("3"), staff.pk), (Decimal("4"), staff.pk), (Decimal("2.5"), staff.pk)]


def test_call_overview_queries_do_not_grow_with_applications(client, query_count):
    client.force_login(StaffFactory())
    one = evaluation_call()
    application = admissible_application(one)
    submitted_assignment(application, ["3", "3", "3"])
    five = evaluation_call()
    for _ in range(5):
        application = admissible_application(five)
        submitted_assignment(application, ["3", "3", "3"])
        cleared_assignment(application)
    assert query_count(client.get, reverse("review_call_overview", args=[one.pk])) == (
        query_count(client.get, reverse("review_call_overview", args=[five.pk]))
    )


def test_call_overview_counts_progress(client):
    call = evaluation_call()
    application = admissible_application(call)
    submitted_assignment(application, ["3", "3", "3"])
    cleared_assignment(application)
    client.force_login(StaffFactory())
    response = client.get(reverse("review_call_overview", args=[call.pk]))
    assert response.context["totals"] == {"assigned": 2, "submitted": 1, "consensus": 0}
    assert response.context["rows"][0]["short"] == 1


def test_reviewer_lists_queries_do_not_grow(client, query_count):
    """My evaluations, the reviewer list and the assign page: same queries for 1 and 4."""
    from tests.factories import CouncilFactory

    call = evaluation_call()
    application = admissible_application(call)
    reviewer = CouncilFactory()
    cleared_assignment(application, reviewer)
    reviewer.expertise.create(theme=application.theme)
    client.force_login(reviewer)
    one_mine = query_count(client.get, reverse("review_list"))
    staff = StaffFactory()
    client.force_login(staff)
    one_pool = query_count(client.get, reverse("reviewer_list"))
    one_assign = query_count(client.get, reverse("review_assign_page", args=[application.pk]))
    for _ in range(3):
        other = admissible_application(call)
        cleared_assignment(other, reviewer)
        extra = CouncilFactory()
        cleared_assignment(application, extra)
        extra.expertise.create(theme=application.theme)
    client.force_login(reviewer)
    assert query_count(client.get, reverse("review_list")) == one_mine
    client.force_login(staff)
    assert query_count(client.get, reverse("reviewer_list")) == one_pool
    assert query_count(client.get, reverse("review_assign_page", args=[application.pk])) == (
        one_assign
    )
