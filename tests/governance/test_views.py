from datetime import date

import pytest
from django.urls import reverse

from governance.bodies.enums import Seat
from governance.models import Meeting, Membership
from tests.builders import COMPLIANT_COUNCIL, make_members
from tests.factories import (
    BodyFactory,
    CouncilFactory,
    MeetingFactory,
    MembershipFactory,
    StaffFactory,
    SteeringGroupFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_body_list_same_queries_for_one_and_many_bodies(client, query_count):
    client.force_login(StaffFactory())
    first = BodyFactory()
    make_members(first, [Seat.INDUSTRY])
    url = reverse("body_list")
    one = query_count(client.get, url)
    make_members(first, COMPLIANT_COUNCIL)
    steering = SteeringGroupFactory(programme=first.programme)
    make_members(steering, [Seat.VLAIO, Seat.FWO, Seat.EWI])
    assert query_count(client.get, url) == one


@pytest.mark.django_db
def test_body_list_shows_compliance(client):
    client.force_login(CouncilFactory())
    body = BodyFactory()
    make_members(body, COMPLIANT_COUNCIL)
    response = client.get(reverse("body_list"))
    assert "meets the rules" in response.text
    assert "does not meet the rules" not in response.text


@pytest.mark.django_db
def test_body_detail_same_queries_for_one_and_many_members_and_meetings(client, query_count):
    client.force_login(StaffFactory())
    body = BodyFactory()
    members = make_members(body, [Seat.INDUSTRY])
    MeetingFactory(body=body, attendees=[members[0].user])
    url = reverse("body_detail", args=[body.pk])
    one = query_count(client.get, url)
    more = make_members(body, COMPLIANT_COUNCIL)
    MeetingFactory(body=body, date=date(2019, 11, 1), attendees=[m.user for m in more[:5]])
    MeetingFactory(body=body, date=date(2019, 12, 1), attendees=[m.user for m in more[5:]])
    assert query_count(client.get, url) == one


@pytest.mark.django_db
def test_body_detail_shows_the_broken_rule_with_its_reason(client):
    client.force_login(StaffFactory())
    body = BodyFactory()
    make_members(body, [s for s in COMPLIANT_COUNCIL if s != Seat.VITO])
    response = client.get(reverse("body_detail", args=[body.pk]))
    assert "does not meet the rules" in response.text
    assert "Knowledge institution: VITO: 1 seat vacant." in response.text


@pytest.mark.django_db
def test_body_detail_composition_on_a_given_date(client):
    client.force_login(StaffFactory())
    body = BodyFactory()
    make_members(body, COMPLIANT_COUNCIL, starts_on=date(2019, 5, 1))
    leaver = MembershipFactory(
        body=body,
        seat=Seat.GOVERNMENT,
        user=UserFactory(first_name="Gust", last_name="Gone"),
        organisation=None,
        starts_on=date(2018, 1, 1),
        ends_on=date(2019, 4, 30),
    )
    before = client.get(reverse("body_detail", args=[body.pk]), {"on": "2019-04-01"})
    after = client.get(reverse("body_detail", args=[body.pk]), {"on": "2019-06-01"})
    assert [m.pk for m in before.context["active"]] == [leaver.pk]
    assert before.context["compliant"] is False
    assert leaver.pk not in [m.pk for m in after.context["active"]]
    assert after.context["compliant"] is True


@pytest.mark.django_db
def test_body_detail_bad_date_falls_back_to_today_with_a_message(client):
    client.force_login(StaffFactory())
    body = BodyFactory()
    response = client.get(reverse("body_detail", args=[body.pk]), {"on": "31/12/2019"})
    assert response.status_code == 200
    assert "is not a date (YYYY-MM-DD); showing today." in response.text


@pytest.mark.django_db
def test_body_detail_htmx_returns_only_the_composition_panel(client):
    client.force_login(StaffFactory())
    body = BodyFactory()
    response = client.get(
        reverse("body_detail", args=[body.pk]), {"on": "2019-06-01"}, headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<section id="composition"')
    assert "<html" not in response.text


@pytest.mark.django_db
def test_body_detail_council_member_sees_no_manage_buttons(client):
    client.force_login(CouncilFactory())
    body = BodyFactory()
    response = client.get(reverse("body_detail", args=[body.pk]))
    assert reverse("membership_create", args=[body.pk]) not in response.text
    assert reverse("meeting_create", args=[body.pk]) not in response.text


@pytest.mark.django_db
def test_membership_create_post_adds_member(client):
    client.force_login(StaffFactory())
    body = BodyFactory()
    person = UserFactory()
    response = client.post(
        reverse("membership_create", args=[body.pk]),
        {
            "user": person.pk,
            "seat": Seat.GOVERNMENT,
            "starts_on": "2019-05-01",
            "ends_on": "",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert list(Membership.objects.values_list("user", "seat")) == [(person.pk, Seat.GOVERNMENT)]


@pytest.mark.django_db
def test_membership_create_overlap_shows_reason_and_keeps_input(client):
    client.force_login(StaffFactory())
    existing = MembershipFactory(starts_on=date(2019, 5, 1))
    response = client.post(
        reverse("membership_create", args=[existing.body.pk]),
        {
            "user": existing.user.pk,
            "seat": Seat.GOVERNMENT,
            "starts_on": "2020-01-01",
            "ends_on": "",
            "note": "second seat",
        },
    )
    assert response.status_code == 200
    assert "overlaps this one" in response.text
    assert 'value="second seat"' in response.text
    assert Membership.objects.count() == 1


@pytest.mark.django_db
def test_membership_create_offers_only_the_seats_of_the_body(client):
    client.force_login(StaffFactory())
    body = SteeringGroupFactory()
    response = client.get(reverse("membership_create", args=[body.pk]))
    seats = [value for value, _label in response.context["form"].fields["seat"].choices if value]
    assert seats == [Seat.VLAIO, Seat.FWO, Seat.EWI, Seat.OBSERVER_COUNCIL, Seat.PROGRAMME_MANAGER]


@pytest.mark.django_db
def test_membership_edit_ends_the_term(client):
    client.force_login(StaffFactory())
    membership = MembershipFactory(starts_on=date(2019, 5, 1))
    response = client.post(
        reverse("membership_edit", args=[membership.pk]),
        {
            "seat": membership.seat,
            "organisation": membership.organisation_id,
            "starts_on": "2019-05-01",
            "ends_on": "2020-12-31",
            "note": "",
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ends_on == date(2020, 12, 31)


@pytest.mark.django_db
def test_meeting_create_records_and_reports_quorum(client):
    staff = StaffFactory()
    client.force_login(staff)
    body = BodyFactory()
    members = make_members(body, [Seat.INDUSTRY, Seat.INDUSTRY, Seat.GOVERNMENT])
    response = client.post(
        reverse("meeting_create", args=[body.pk]),
        {
            "date": "2019-10-15",
            "subject": "Advice on the call",
            "attendees": [members[0].user.pk, members[1].user.pk],
            "guests": "Dr. External Expert",
            "notes": "",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert meeting.recorded_by == staff
    detail = client.get(response["Location"])
    assert "Quorum reached." in detail.text
    assert "2 of 3 voting members present (quorum 2)." in detail.text


@pytest.mark.django_db
def test_meeting_create_former_member_refused_with_reason(client):
    client.force_login(StaffFactory())
    body = BodyFactory()
    former = MembershipFactory(
        body=body,
        user=UserFactory(first_name="Frida", last_name="Former"),
        starts_on=date(2018, 1, 1),
        ends_on=date(2018, 12, 31),
    )
    response = client.post(
        reverse("meeting_create", args=[body.pk]),
        {
            "date": "2019-10-15",
            "subject": "Advice",
            "attendees": [former.user.pk],
            "guests": "",
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert "Not a member of this body on 2019-10-15: Frida Former." in response.text
    assert 'value="Advice"' in response.text
    assert Meeting.objects.count() == 0


@pytest.mark.django_db
def test_body_detail_in_dutch(client):
    client.force_login(StaffFactory())
    body = BodyFactory()
    make_members(body, [s for s in COMPLIANT_COUNCIL if s != Seat.VITO])
    response = client.get(reverse("body_detail", args=[body.pk]), headers={"Accept-Language": "nl"})
    assert "voldoet niet aan de regels" in response.text
    assert "Kennisinstelling: VITO: 1 zetel vacant." in response.text
