"""Factories of the governance app (kept here to avoid conflicts in tests/factories.py)."""

from datetime import date

import factory

from governance.bodies.enums import BodyKind, Seat
from governance.models import Body, Meeting, Membership
from programme.enums import OrganisationKind

from ..factories import OrganisationFactory, ProgrammeFactory, StaffFactory, UserFactory


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    programme = factory.SubFactory(ProgrammeFactory)
    kind = BodyKind.ADVISORY_COUNCIL
    name_nl = "Strategische adviesraad"
    name_en = "Strategic advisory council"


class SteeringGroupFactory(BodyFactory):
    kind = BodyKind.STEERING_GROUP
    name_nl = "Stuurgroep"
    name_en = "Steering group"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    body = factory.SubFactory(BodyFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    seat = Seat.INDUSTRY
    starts_on = date(2019, 5, 1)
    ends_on = None


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    body = factory.SubFactory(BodyFactory)
    date = date(2019, 10, 15)
    subject = "Advice on the 2019 call"
    recorded_by = factory.SubFactory(StaffFactory)

    @factory.post_generation
    def attendees(self, create, extracted, **kwargs):
        if create and extracted:
            self.attendees.set(extracted)


# Seat -> kind of organisation of a compliant seat holder (None: no organisation).
SEAT_ORGANISATION = {
    Seat.INDUSTRY: OrganisationKind.COMPANY,
    Seat.VIB: OrganisationKind.RESEARCH,
    Seat.VITO: OrganisationKind.RESEARCH,
    Seat.UNIVERSITY: OrganisationKind.RESEARCH,
    Seat.UNIVERSITY_HOSPITAL: OrganisationKind.HOSPITAL,
}
COMPLIANT_COUNCIL = [Seat.INDUSTRY] * 7 + [
    Seat.VIB,
    Seat.VITO,
    Seat.UNIVERSITY,
    Seat.UNIVERSITY_HOSPITAL,
    Seat.GOVERNMENT,
    Seat.GOVERNMENT,
    Seat.OBSERVER_VLAIO,
    Seat.PROGRAMME_MANAGER,
]


def make_members(body: Body, seats, **kwargs) -> list[Membership]:
    """One membership per seat, each holder from the right kind of organisation."""
    members = []
    for seat in seats:
        kind = SEAT_ORGANISATION.get(seat)
        organisation = OrganisationFactory(kind=kind) if kind else None
        members.append(MembershipFactory(body=body, seat=seat, organisation=organisation, **kwargs))
    return members
