import pytest
from django.utils import timezone

from governance import demo
from governance.bodies import domain as bodies_domain
from governance.bodies.enums import BodyKind
from governance.models import Body, Meeting, Membership
from programme import demo as programme_demo


@pytest.fixture
def seeded(db):
    programme_demo.seed()
    demo.seed()


def test_seed_council_meets_every_composition_rule(seeded):
    council = Body.objects.get(kind=BodyKind.ADVISORY_COUNCIL)
    active = council.memberships.active_on(timezone.localdate()).select_related(
        "user", "organisation"
    )
    checks = bodies_domain.composition_checks(council.kind, [m.seat_holder() for m in active])
    assert [(c.code, c.ok) for c in checks if not c.ok] == []
    assert sum(1 for m in active if m.votes) == 14


def test_seed_steering_group_meets_its_rules(seeded):
    steering = Body.objects.get(kind=BodyKind.STEERING_GROUP)
    active = steering.memberships.active_on(timezone.localdate())
    assert all(
        c.ok
        for c in bodies_domain.composition_checks(steering.kind, [m.seat_holder() for m in active])
    )


def test_seed_demo_logins_are_members(seeded):
    def bodies_of(email):
        return set(
            Membership.objects.filter(user__email=email).values_list("body__kind", flat=True)
        )

    assert BodyKind.ADVISORY_COUNCIL in bodies_of("adviesraad@demo.icon")
    assert bodies_of("stuurgroep@demo.icon") == {BodyKind.STEERING_GROUP}


def test_seed_meetings_have_quorum(seeded):
    meetings = Meeting.objects.prefetch_related("attendees", "body__memberships")
    assert [m.quorum()[0] for m in meetings] == [True, True]


def test_seed_is_idempotent(seeded):
    counts = (
        Membership.objects.count(),
        Membership.history.count(),
        Meeting.objects.count(),
        Meeting.history.count(),
        Body.history.count(),
    )
    programme_demo.seed()
    demo.seed()
    assert (
        Membership.objects.count(),
        Membership.history.count(),
        Meeting.objects.count(),
        Meeting.history.count(),
        Body.history.count(),
    ) == counts
