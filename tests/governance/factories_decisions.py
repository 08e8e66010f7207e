"""Factories of the decision side: a call in evaluation with criteria and an envelope,
admissible applications with partners and budgets, consensus scores made directly (the
review side makes them through its own pages), and council / steering-group meetings
with their quorum."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from calls.enums import CallState
from calls.models import Criterion, Envelope
from governance.bodies.enums import BodyKind, Seat
from governance.models import ConsensusScore, Meeting
from projects.enums import ApplicationState
from projects.models import Application

from ..factories import ResearchOrganisationFactory, StaffFactory, UserFactory
from ..projects.factories import (
    ApplicationFactory,
    CallFactory,
    LargeCompanyFactory,
    PartnerFactory,
    set_budget,
)
from .factories import BodyFactory, MeetingFactory, MembershipFactory, SteeringGroupFactory


def evaluation_call(*, criteria=((1, 3), (1, 3), (1, 3)), envelope=Decimal("1000000"), **kwargs):
    """A call in evaluation with one criterion per (weight, threshold) and one envelope."""
    call = CallFactory(state=CallState.IN_EVALUATION, deadline=timezone.now() - timedelta(days=10),
                       opens_at=timezone.now() - timedelta(days=60), **kwargs)
    for position, (weight, threshold) in enumerate(criteria, start=1):
        Criterion.objects.create(
            call=call, position=position, name_nl=f"Criterium {position}",
            name_en=f"Criterion {position}", weight=Decimal(str(weight)),
            threshold=Decimal(str(threshold)),
        )
    if envelope is not None:
        Envelope.objects.create(
            call=call, name_nl="Projectbudget", name_en="Project budget",
            initial_amount=Decimal(envelope), amount=Decimal(envelope),
        )
    return call


def admissible_application(
    call, *, aid="400000", submitted_at=None, partners=True, acronym=None, **kwargs
) -> Application:
    """An admissible application with a small consortium (the coordinator, a large
    company and a research organisation, each with a budget) and `aid` requested."""
    extra = {"acronym": acronym} if acronym else {}
    application = ApplicationFactory(call=call, **extra, **kwargs)
    if partners:
        set_budget(application.partners.get(is_coordinator=True), "200000")
        set_budget(PartnerFactory(application=application, organisation=LargeCompanyFactory()),
                   "300000")
        set_budget(
            PartnerFactory(application=application, organisation=ResearchOrganisationFactory()),
            "250000",
        )
    Application.objects.filter(pk=application.pk).update(
        state=ApplicationState.ADMISSIBLE,
        submitted_at=submitted_at or timezone.now() - timedelta(days=20),
        snapshot={"demo": True},
        receipt_number=f"ICON-T-{application.pk:05d}",
        total_aid=Decimal(aid),
        total_cost=Decimal(aid) * 2,
    )
    application.refresh_from_db()
    return application


def consensus(application, scores, *, comment="Consensus comment", moderator=None):
    """One ConsensusScore per criterion of the call, in position order."""
    moderator = moderator or StaffFactory()
    criteria = list(application.call.criteria.order_by("position"))
    rows = []
    for criterion, score in zip(criteria, scores, strict=True):
        if score is None:
            continue
        rows.append(ConsensusScore.objects.create(
            application=application, criterion=criterion, score=Decimal(str(score)),
            comment=f"{comment} on {criterion.name_en}", moderator=moderator,
        ))
    return rows


def meeting_with_quorum(programme, kind=BodyKind.ADVISORY_COUNCIL, *, quorum=True) -> Meeting:
    """A meeting of the programme's body of `kind` (made if missing) with two voting
    members: both present (quorum) or only one (no quorum, 1 of 2)."""
    from governance.models import Body

    body = Body.objects.filter(programme=programme, kind=kind).first()
    if body is None:
        factory_class = BodyFactory if kind == BodyKind.ADVISORY_COUNCIL else SteeringGroupFactory
        body = factory_class(programme=programme)
    seat = Seat.INDUSTRY if kind == BodyKind.ADVISORY_COUNCIL else Seat.VLAIO
    members = [MembershipFactory(body=body, seat=seat, organisation=None, user=UserFactory(),
                                 starts_on=date(2019, 1, 1)) for _ in range(2)]
    present = [m.user for m in members] if quorum else [members[0].user]
    return MeetingFactory(body=body, date=date(2019, 11, 5), attendees=present)

