"""Ways into the applicant portal: the 'Start an application' button on an open call's
public page and the menu entries ('My applications' for applicants, 'Applications' for
staff)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.enums import CallState
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CallFactory,
    CoordinatorFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def closed_call():
    now = timezone.now()
    return CallFactory(
        state=CallState.CLOSED, opens_at=now - timedelta(days=60), deadline=now - timedelta(days=1)
    )


def start_url(call) -> str:
    return reverse("application_create", args=[call.pk])


def test_call_page_shows_start_button_to_applicant_of_open_call(client):
    call = CallFactory()
    client.force_login(CoordinatorFactory())
    body = client.get(reverse("call_detail", args=[call.pk])).content.decode()
    assert f'href="{start_url(call)}"' in body
    assert "Start an application" in body


def test_call_page_shows_no_start_button_when_closed(client):
    call = closed_call()
    client.force_login(CoordinatorFactory())
    body = client.get(reverse("call_detail", args=[call.pk])).content.decode()
    assert start_url(call) not in body


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_call_page_shows_no_start_button_to_non_applicants(client, who):
    call = CallFactory()
    if who == "staff":
        client.force_login(StaffFactory())
    body = client.get(reverse("call_detail", args=[call.pk])).content.decode()
    assert start_url(call) not in body


def test_call_page_asks_applicant_without_organisation_to_register_it(client):
    call = CallFactory()
    client.force_login(ApplicantFactory(organisation=None))
    body = client.get(reverse("call_detail", args=[call.pk])).content.decode()
    assert start_url(call) not in body
    assert f'href="{reverse("organisation_create")}"' in body


def test_call_page_lists_the_applicants_own_applications_for_the_call(client):
    application = ApplicationFactory()
    ApplicationFactory()  # someone else's, on another call
    client.force_login(application.created_by)
    body = client.get(reverse("call_detail", args=[application.call_id])).content.decode()
    assert f'href="{reverse("application_detail", args=[application.pk])}"' in body
    assert re.findall(r'href="/applications/(\d+)/"', body) == [str(application.pk)]


def test_call_page_query_count_does_not_grow_with_own_applications(client, query_count):
    first = ApplicationFactory()
    user, call = first.created_by, first.call
    client.force_login(user)
    url = reverse("call_detail", args=[call.pk])

    one = query_count(client.get, url)
    for _ in range(3):
        ApplicationFactory(call=call, created_by=user)
    assert query_count(client.get, url) == one


def nav(body: str) -> str:
    return body.split('id="mainnav"', 1)[1].split("</ul>", 1)[0]


def test_menu_gives_applicants_my_applications(client):
    client.force_login(CoordinatorFactory())
    menu = nav(client.get(reverse("home")).content.decode())
    assert f'href="{reverse("application_list")}"' in menu
    assert "My applications" in menu
    assert reverse("admissibility_list") not in menu


def test_menu_gives_staff_the_applications_list(client):
    client.force_login(StaffFactory())
    menu = nav(client.get(reverse("home")).content.decode())
    assert f'href="{reverse("admissibility_list")}"' in menu
    assert reverse("application_list") not in menu


def test_menu_gives_anonymous_no_application_links(client):
    menu = nav(client.get(reverse("home")).content.decode())
    assert reverse("application_list") not in menu
    assert reverse("admissibility_list") not in menu
