from datetime import date

import pytest
from django.core.exceptions import ValidationError

from governance.bodies import services as bodies_services
from governance.bodies.enums import BodyKind, Seat
from governance.models import Membership
from programme.enums import Role
from tests.builders import make_members
from tests.factories import (
    BodyFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    StaffFactory,
    SteeringGroupFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_body_create_one_per_kind_per_programme():
    staff = StaffFactory()
    programme = ProgrammeFactory()
    body = bodies_services.body_create(
        actor=staff,
        programme=programme,
        kind=BodyKind.ADVISORY_COUNCIL,
        name_nl="Raad",
        name_en="Council",
    )
    assert body.history.first().history_user == staff
    with pytest.raises(ValidationError):
        bodies_services.body_create(
            actor=staff,
            programme=programme,
            kind=BodyKind.ADVISORY_COUNCIL,
            name_nl="X",
            name_en="X",
        )


@pytest.mark.django_db
def test_membership_create_takes_the_persons_organisation_and_gives_the_role():
    staff = StaffFactory()
    company = OrganisationFactory()
    person = UserFactory(organisation=company)
    body = BodyFactory()
    membership = bodies_services.membership_create(
        actor=staff, body=body, user=person, seat=Seat.INDUSTRY, starts_on=date(2019, 5, 1)
    )
    assert (membership.organisation, membership.ends_on) == (company, None)
    person.refresh_from_db()
    assert person.roles == frozenset({Role.COUNCIL})
    assert membership.history.first().history_user == staff


@pytest.mark.django_db
def test_membership_create_observer_gets_no_role():
    person = UserFactory()
    bodies_services.membership_create(
        actor=None,
        body=BodyFactory(),
        user=person,
        seat=Seat.OBSERVER_FWO,
        starts_on=date(2019, 5, 1),
    )
    person.refresh_from_db()
    assert person.roles == frozenset()


@pytest.mark.django_db
def test_membership_create_keeps_other_roles():
    person = UserFactory(roles=[Role.PROGRAMME_MANAGER])
    bodies_services.membership_create(
        actor=None,
        body=SteeringGroupFactory(),
        user=person,
        seat=Seat.VLAIO,
        starts_on=date(2019, 4, 1),
    )
    person.refresh_from_db()
    assert person.roles == frozenset({Role.PROGRAMME_MANAGER, Role.STEERING})


@pytest.mark.django_db
def test_membership_create_overlapping_term_refused():
    existing = MembershipFactory(starts_on=date(2019, 5, 1), ends_on=None)
    with pytest.raises(ValidationError) as error:
        bodies_services.membership_create(
            actor=None,
            body=existing.body,
            user=existing.user,
            seat=Seat.GOVERNMENT,
            starts_on=date(2020, 1, 1),
        )
    assert error.value.messages == [
        "This person already has a term in this body from 2019-05-01 that overlaps this one; "
        "end that term first."
    ]
    assert Membership.objects.count() == 1


@pytest.mark.django_db
def test_membership_create_same_person_in_both_bodies_allowed():
    existing = MembershipFactory()
    steering = SteeringGroupFactory(programme=existing.body.programme)
    bodies_services.membership_create(
        actor=None,
        body=steering,
        user=existing.user,
        seat=Seat.OBSERVER_COUNCIL,
        starts_on=date(2019, 5, 1),
    )
    assert Membership.objects.filter(user=existing.user).count() == 2


@pytest.mark.django_db
def test_membership_create_seat_of_other_body_refused():
    with pytest.raises(ValidationError):
        bodies_services.membership_create(
            actor=None,
            body=SteeringGroupFactory(),
            user=UserFactory(),
            seat=Seat.INDUSTRY,
            starts_on=date(2019, 5, 1),
        )


@pytest.mark.django_db
def test_membership_update_ends_the_term_then_a_successor_fits():
    membership = MembershipFactory(seat=Seat.UNIVERSITY, starts_on=date(2019, 5, 1))
    bodies_services.membership_update(
        actor=None,
        membership=membership,
        seat=Seat.UNIVERSITY,
        starts_on=date(2019, 5, 1),
        ends_on=date(2020, 12, 31),
        organisation=membership.organisation,
        reason="rotation",
    )
    membership.refresh_from_db()
    assert membership.ends_on == date(2020, 12, 31)
    assert membership.history.first().history_change_reason == "rotation"
    bodies_services.membership_create(
        actor=None,
        body=membership.body,
        user=membership.user,
        seat=Seat.UNIVERSITY,
        starts_on=date(2021, 1, 1),
    )
    active = Membership.objects.active_on(date(2021, 6, 1))
    assert [m.starts_on for m in active] == [date(2021, 1, 1)]


@pytest.mark.django_db
def test_membership_update_end_before_start_refused():
    membership = MembershipFactory(starts_on=date(2019, 5, 1))
    with pytest.raises(ValidationError):
        bodies_services.membership_update(
            actor=None,
            membership=membership,
            seat=membership.seat,
            starts_on=date(2019, 5, 1),
            ends_on=date(2019, 4, 30),
            organisation=None,
        )


@pytest.mark.django_db
def test_meeting_record_quorum_counts_voting_members_only():
    body = BodyFactory()
    members = make_members(
        body, [Seat.INDUSTRY] * 3 + [Seat.GOVERNMENT, Seat.OBSERVER_VLAIO, Seat.PROGRAMME_MANAGER]
    )
    staff = StaffFactory()
    # 2 voting + 2 observers present: 2 of 4 voting members is not a majority.
    present = [members[0].user, members[1].user, members[4].user, members[5].user]
    meeting = bodies_services.meeting_record(
        actor=staff, body=body, date=date(2019, 10, 15), subject="Advice", attendees=present
    )
    assert set(meeting.attendees.all()) == set(present)
    assert meeting.quorum() == (False, "2 of 4 voting members present; the quorum is 3.")
    assert meeting.recorded_by == staff
    # The attendees are in the audit trail too.
    assert {a.user_id for a in meeting.history.first().attendees.all()} == {u.pk for u in present}


@pytest.mark.django_db
def test_meeting_record_non_member_refused_and_nothing_saved():
    body = BodyFactory()
    member = MembershipFactory(body=body).user
    outsider = UserFactory(first_name="Olga", last_name="Outsider")
    with pytest.raises(ValidationError) as error:
        bodies_services.meeting_record(
            actor=StaffFactory(),
            body=body,
            date=date(2019, 10, 15),
            subject="x",
            attendees=[member, outsider],
        )
    assert error.value.messages == [
        "Not a member of this body on 2019-10-15: Olga Outsider. Add guests under Guests."
    ]
    assert body.meetings.count() == 0


@pytest.mark.django_db
def test_meeting_record_member_whose_term_ended_is_not_a_member():
    membership = MembershipFactory(starts_on=date(2019, 1, 1), ends_on=date(2019, 6, 30))
    with pytest.raises(ValidationError):
        bodies_services.meeting_record(
            actor=StaffFactory(),
            body=membership.body,
            date=date(2019, 10, 15),
            subject="x",
            attendees=[membership.user],
        )
