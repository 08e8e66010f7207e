"""Pagination of the public call list and the staff call list: 25 calls a page, open
calls first across the pages, a page past the end shows the last page, the page links
keep the query string and say which page is current, and the query count does not
grow with the calls."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from calls.enums import CallState
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def published_calls(open_count: int, closed_count: int) -> list:
    """Calls in the order the public list shows them: open ones by deadline (soonest
    first), then closed ones by deadline (latest first)."""
    now = timezone.now()
    # Created in an order unlike the list's, so the ordering is the view's doing.
    closed = [
        CallFactory(
            state=CallState.CLOSED,
            title_en=f"Closed call {i:02d}",
            opens_at=now - timedelta(days=100),
            deadline=now - timedelta(days=10 + i),
        )
        for i in reversed(range(closed_count))
    ]
    open_ = [
        CallFactory(
            state=CallState.OPEN,
            title_en=f"Open call {i:02d}",
            deadline=now + timedelta(days=5 + i),
        )
        for i in reversed(range(open_count))
    ]
    CallFactory(state=CallState.DRAFT, title_en="Draft call")  # never listed
    return sorted(open_, key=lambda c: c.deadline) + sorted(
        closed, key=lambda c: c.deadline, reverse=True
    )


def listed(response) -> list[int]:
    return [c.pk for c in response.context["open_calls"]] + [
        c.pk for c in response.context["earlier_calls"]
    ]


def test_public_list_page_2_shows_the_26th_call(client):
    calls = published_calls(open_count=3, closed_count=24)

    first = client.get(reverse("call_list"))
    second = client.get(reverse("call_list"), {"page": "2"})

    assert listed(first) == [c.pk for c in calls[:25]]
    assert [c.pk for c in first.context["open_calls"]] == [c.pk for c in calls[:3]]
    assert listed(second) == [calls[25].pk, calls[26].pk]
    assert calls[25].title_en == "Closed call 22"  # the 26th: 3 open, then 23 closed
    assert "Closed call 22" in second.content.decode()
    assert "Closed call 22" not in first.content.decode()
    # Page 2 holds only earlier calls: no "Open calls" heading claiming none is open.
    assert "No call is open at the moment." not in second.content.decode()
    assert 'id="open-heading"' not in second.content.decode()


def test_public_list_keeps_open_calls_first_across_pages(client):
    calls = published_calls(open_count=27, closed_count=2)

    second = client.get(reverse("call_list"), {"page": "2"})

    assert [c.pk for c in second.context["open_calls"]] == [c.pk for c in calls[25:27]]
    assert [c.pk for c in second.context["earlier_calls"]] == [c.pk for c in calls[27:]]


@pytest.mark.parametrize("page", ["99", "3"])
def test_public_list_page_past_the_end_shows_the_last_page(client, page):
    calls = published_calls(open_count=1, closed_count=29)

    response = client.get(reverse("call_list"), {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert listed(response) == [c.pk for c in calls[25:]]


def test_public_list_page_that_is_not_a_number_shows_the_first_page(client):
    calls = published_calls(open_count=1, closed_count=29)

    response = client.get(reverse("call_list"), {"page": "last"})

    assert listed(response) == [c.pk for c in calls[:25]]


def test_page_links_keep_the_query_string_and_mark_the_current_page(client):
    published_calls(open_count=1, closed_count=55)

    html = client.get(reverse("call_list"), {"instrument": "icon", "page": "2"}).content.decode()

    nav = re.search(r'<nav aria-label="Pages of the calls">.*?</nav>', html, re.S).group(0)
    links = re.findall(r'<a class="page-link"[^>]*>', nav)
    assert [re.search(r'href="([^"]+)"', a).group(1) for a in links] == [
        "?instrument=icon&amp;page=1",  # previous
        "?instrument=icon&amp;page=1",
        "?instrument=icon&amp;page=2",
        "?instrument=icon&amp;page=3",
        "?instrument=icon&amp;page=3",  # next
    ]
    assert [a for a in links if 'aria-current="page"' in a] == [
        '<a class="page-link" href="?instrument=icon&amp;page=2" aria-current="page" '
        'aria-label="Page 2">'
    ]
    assert "Page 2 of 3: 26–50 of 56" in nav


def test_public_list_of_one_page_has_no_page_links(client):
    published_calls(open_count=2, closed_count=2)

    html = client.get(reverse("call_list")).content.decode()

    assert 'aria-label="Pages of the calls"' not in html


def test_public_list_query_count_is_the_same_for_few_and_many_calls(client, query_count):
    published_calls(open_count=1, closed_count=1)
    few = query_count(client.get, reverse("call_list"))

    published_calls(open_count=20, closed_count=40)

    assert (
        query_count(client.get, reverse("call_list")),
        query_count(client.get, reverse("call_list"), {"page": "3"}),
    ) == (few, few)


# --- The staff list ------------------------------------------------------------------------


def test_staff_list_page_2_shows_the_26th_call_and_counts_them_all(client, staff_user):
    now = timezone.now()
    calls = [
        CallFactory(
            state=CallState.OPEN,
            title_en=f"Staff call {i:02d}",
            deadline=now + timedelta(days=60 - i),
        )
        for i in range(26)
    ]
    client.force_login(staff_user)

    first = client.get(reverse("call_manage_list"))
    second = client.get(reverse("call_manage_list"), {"page": "2"})
    past_the_end = client.get(reverse("call_manage_list"), {"page": "7"})

    # Ordered by year (all alike here), then latest deadline first: the 26th is the last made.
    assert [c.pk for c in first.context["calls"]] == [c.pk for c in calls[:25]]
    assert [c.pk for c in second.context["calls"]] == [calls[25].pk]
    assert "Staff call 25" in second.content.decode()
    assert "26 calls" in second.content.decode()  # the caption counts every page
    assert [c.pk for c in past_the_end.context["calls"]] == [calls[25].pk]


def test_staff_list_query_count_is_the_same_for_few_and_many_calls(client, staff_user, query_count):
    client.force_login(staff_user)
    CallFactory(state=CallState.OPEN)
    few = query_count(client.get, reverse("call_manage_list"))

    for _ in range(55):
        CallFactory(state=CallState.CLOSED)

    assert (
        query_count(client.get, reverse("call_manage_list")),
        query_count(client.get, reverse("call_manage_list"), {"page": "3"}),
    ) == (few, few)
