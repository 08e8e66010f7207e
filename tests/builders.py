"""Builders: objects made of several models, for the tests of every app.

One function per situation the domain knows, named after it:

- `ready_application` — a draft that passes every rule of the call's default parameters;
- `evaluation_call` and `admissible_application` — a call in evaluation with its criteria
  and envelope, and an application handed in and found admissible;
- `cleared_assignment`, `submitted_assignment`, `consensus` — the review of one;
- `meeting_with_quorum`, `make_members` — the bodies that advise and decide;
- `steering_meeting` — a steering-group meeting whose voting members (steering role)
  vote on a decision proposal.

Model defaults live in `tests.factories`; these only compose them.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from calls.enums import CallState
from governance.bodies.enums import BodyKind, Seat
from governance.decisions import services as decisions
from governance.decisions.enums import DecisionOutcome
from governance.funding import domain as funding_domain, services as funding
from governance.models import (
    Body,
    ConductDeclaration,
    ConflictDeclaration,
    ConsensusScore,
    Meeting,
    Membership,
    ReviewAssignment,
    ReviewScore,
)
from governance.review.domain import CONDUCT_VERSION
from governance.review.enums import AssignmentState, ConflictSource
from programme.enums import OrganisationKind
from projects.enums import Activity, ApplicationState, AttachmentKind, CostCategory
from projects.models import Application, Attachment, BudgetEntry, Partner

from .factories import (
    ActionDomainFactory,
    ApplicationFactory,
    BodyFactory,
    CallFactory,
    CouncilFactory,
    CriterionFactory,
    DiseaseDomainFactory,
    EnvelopeFactory,
    LargeCompanyFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    ResearchOrganisationFactory,
    StaffFactory,
    SteeringFactory,
    SteeringGroupFactory,
    ThemeFactory,
    UserFactory,
)

# A real one-page PDF (made by pypdf): uploads are checked by their structure too.
PDF_BYTES = (
    b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<\n/Producer (pypdf)\n>>\nendobj\n2 0 obj\n<<\n"
    b"/Type /Pages\n/Count 1\n/Kids [ 4 0 R ]\n>>\nendobj\n3 0 obj\n<<\n/Type /Catalog\n"
    b"/Pages 2 0 R\n>>\nendobj\n4 0 obj\n<<\n/Type /Page\n/Resources <<\n>>\n"
    b"/MediaBox [ 0.0 0.0 72 72 ]\n/Parent 2 0 R\n>>\nendobj\nxref\n0 5\n"
    b"0000000000 65535 f \n0000000015 00000 n \n0000000054 00000 n \n"
    b"0000000113 00000 n \n0000000162 00000 n \ntrailer\n<<\n/Size 5\n/Root 3 0 R\n"
    b"/Info 1 0 R\n>>\nstartxref\n254\n%%EOF\n"
)

# --- Applications ----------------------------------------------------------------------------


def set_budget(partner: Partner, per_year: Decimal | str, years=(1, 2)) -> None:
    """Spread `per_year` over personnel (80%) and operating costs (20%); company partners
    put 60% of it in industrial research and 40% in experimental development."""
    per_year = Decimal(per_year)
    if partner.part == "research":
        split = [(Activity.RESEARCH, Decimal("1"))]
    else:
        split = [
            (Activity.INDUSTRIAL_RESEARCH, Decimal("0.6")),
            (Activity.EXPERIMENTAL_DEVELOPMENT, Decimal("0.4")),
        ]
    for year in years:
        for category, cshare in (
            (CostCategory.PERSONNEL, Decimal("0.8")),
            (CostCategory.OPERATING, Decimal("0.2")),
        ):
            for activity, ashare in split:
                BudgetEntry.objects.update_or_create(
                    partner=partner,
                    year=year,
                    category=category,
                    activity=activity,
                    defaults={"amount": (per_year * cshare * ashare).quantize(Decimal("0.01"))},
                )


def attach_description(application: Application, user=None) -> Attachment:
    """The project description (a small PDF), as an applicant uploads it."""
    attachment = Attachment(
        application=application,
        kind=AttachmentKind.DESCRIPTION,
        original_name="description.pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
        uploaded_by=user,
    )
    attachment.file.save("x.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return attachment


def _classify(application: Application) -> None:
    """Give the application an action domain, a theme and a disease domain of its
    programme (the general-data page asks for all three)."""
    programme = application.call.programme
    application.action_domain = ActionDomainFactory(programme=programme)
    application.theme = ThemeFactory(programme=programme)
    application.disease_domain = DiseaseDomainFactory(programme=programme)
    application.save()


def ready_application(**kwargs) -> Application:
    """A draft that passes every rule of the call's default parameters: three companies
    (the small coordinator 300,000 a year, another small one 250,000, a large one
    400,000) and a Flemish research organisation (250,000), 24 months, the description
    attached. `kwargs` go to `ApplicationFactory`."""
    application = ApplicationFactory(**kwargs)
    _classify(application)
    coordinator = application.partners.get(is_coordinator=True)
    set_budget(coordinator, "300000")
    set_budget(PartnerFactory(application=application), "250000")
    set_budget(
        PartnerFactory(application=application, organisation=LargeCompanyFactory()), "400000"
    )
    set_budget(
        PartnerFactory(application=application, organisation=ResearchOrganisationFactory()),
        "250000",
    )
    attach_description(application, application.created_by)
    return application


# --- Evaluation ------------------------------------------------------------------------------


def evaluation_call(*, criteria=((1, 3), (1, 3), (1, 3)), envelope=Decimal("1000000"), **kwargs):
    """A call in evaluation (it closed 10 days ago) with one criterion per
    (weight, threshold) — "Criterion 1", "Criterion 2"… — and one envelope of `envelope`
    (None: no envelope). `kwargs` go to `CallFactory`."""
    now = timezone.now()
    call = CallFactory(
        state=CallState.IN_EVALUATION,
        opens_at=now - timedelta(days=60),
        deadline=now - timedelta(days=10),
        criterion=None,
        **kwargs,
    )
    for position, (weight, threshold) in enumerate(criteria, start=1):
        CriterionFactory(
            call=call,
            position=position,
            name_nl=f"Criterium {position}",
            name_en=f"Criterion {position}",
            weight=Decimal(str(weight)),
            threshold=Decimal(str(threshold)),
        )
    if envelope is not None:
        EnvelopeFactory(
            call=call,
            name_nl="Projectbudget",
            name_en="Project budget",
            initial_amount=Decimal(envelope),
        )
    return call


def admissible_application(
    call, *, aid="400000", submitted_at=None, partners=True, acronym=None, **kwargs
) -> Application:
    """An application of `call`, handed in (20 days ago unless `submitted_at`) and found
    admissible (set directly), requesting `aid` for twice that cost. Its consortium: the
    small coordinator (200,000 a year), a large company (300,000) and a research
    organisation (250,000) — `partners=False`: the coordinator alone, without budget.
    It has its domains and its description. `kwargs` go to `ApplicationFactory`."""
    extra = {"acronym": acronym} if acronym else {}
    application = ApplicationFactory(call=call, **extra, **kwargs)
    _classify(application)
    if partners:
        set_budget(application.partners.get(is_coordinator=True), "200000")
        set_budget(
            PartnerFactory(application=application, organisation=LargeCompanyFactory()),
            "300000",
        )
        set_budget(
            PartnerFactory(application=application, organisation=ResearchOrganisationFactory()),
            "250000",
        )
    attach_description(application, application.created_by)
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


def cleared_assignment(application, reviewer=None, **kwargs) -> ReviewAssignment:
    """An assignment whose reviewer (a council member unless given) accepted the code of
    conduct and declared no conflict."""
    reviewer = reviewer or CouncilFactory()
    assignment = ReviewAssignment.objects.create(
        application=application, reviewer=reviewer, **kwargs
    )
    # Cleared to open the proposal: the code of conduct in force accepted too.
    ConductDeclaration.objects.get_or_create(
        reviewer=reviewer, version=CONDUCT_VERSION, defaults={"language": "nl"}
    )
    ConflictDeclaration.objects.create(
        application=application,
        reviewer=reviewer,
        has_conflict=False,
        source=ConflictSource.DECLARED,
    )
    return assignment


def submitted_assignment(application, scores, reviewer=None) -> ReviewAssignment:
    """A cleared assignment with one submitted score per criterion (in position order)."""
    assignment = cleared_assignment(application, reviewer)
    for criterion, score in zip(application.call.criteria.all(), scores, strict=True):
        ReviewScore.objects.create(
            assignment=assignment,
            criterion=criterion,
            score=Decimal(score),
            comment=f"Comment on {criterion.name}",
        )
    assignment.state = AssignmentState.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save()
    return assignment


def entries_for(call, values) -> dict[int, tuple[str, str]]:
    """criterion id -> (score text, comment) from a list of (score, comment)."""
    return {c.pk: v for c, v in zip(call.criteria.all(), values, strict=True)}


def consensus(application, scores, *, comment="Consensus comment", moderator=None):
    """One ConsensusScore per criterion of the call, in position order (None: no score
    for that criterion)."""
    moderator = moderator or StaffFactory()
    criteria = list(application.call.criteria.order_by("position"))
    rows = []
    for criterion, score in zip(criteria, scores, strict=True):
        if score is None:
            continue
        rows.append(
            ConsensusScore.objects.create(
                application=application,
                criterion=criterion,
                score=Decimal(str(score)),
                comment=f"{comment} on {criterion.name_en}",
                moderator=moderator,
            )
        )
    return rows


# --- Bodies and meetings ---------------------------------------------------------------------

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


def meeting_with_quorum(programme, kind=BodyKind.ADVISORY_COUNCIL, *, quorum=True) -> Meeting:
    """A meeting of the programme's body of `kind` (made if missing) with two voting
    members: both present (quorum) or only one (no quorum, 1 of 2)."""
    body = Body.objects.filter(programme=programme, kind=kind).first()
    if body is None:
        factory_class = BodyFactory if kind == BodyKind.ADVISORY_COUNCIL else SteeringGroupFactory
        body = factory_class(programme=programme)
    seat = Seat.INDUSTRY if kind == BodyKind.ADVISORY_COUNCIL else Seat.VLAIO
    members = [
        MembershipFactory(
            body=body, seat=seat, organisation=None, user=UserFactory(), starts_on=date(2019, 1, 1)
        )
        for _ in range(2)
    ]
    present = [m.user for m in members] if quorum else [members[0].user]
    return MeetingFactory(body=body, date=date(2019, 11, 5), attendees=present)


def steering_meeting(programme, voters=3, *, present=None) -> tuple[Meeting, list]:
    """A meeting of the programme's steering group (made if missing) with `voters`
    voting members holding the steering role; the first `present` of them attend (all
    when None). Returns the meeting and the voters."""
    body = Body.objects.filter(programme=programme, kind=BodyKind.STEERING_GROUP).first()
    body = body or SteeringGroupFactory(programme=programme)
    seats = [Seat.VLAIO, Seat.FWO, Seat.EWI]
    members = [
        MembershipFactory(
            body=body,
            seat=seats[i % 3],
            organisation=None,
            user=SteeringFactory(),
            starts_on=date(2019, 1, 1),
        ).user
        for i in range(voters)
    ]
    attending = members if present is None else members[:present]
    return MeetingFactory(body=body, date=date(2019, 12, 10), attendees=attending), members


def decided_by_proposal(call, *, staff=None, signer="An Janssens, administrator-general"):
    """The call's decisions recorded the way the pages do it: staff build the decision
    proposal from the ranking, the steering group (three voting members, all present)
    approves it by two votes, staff record its decisions signed by `signer` at every
    level. Returns the proposal."""
    from governance.decisions import services as decisions

    staff = staff or StaffFactory()
    proposal = decisions.proposal_build(actor=staff, call=call)
    meeting, voters = steering_meeting(call.programme)
    decisions.proposal_put_on_agenda(actor=staff, proposal=proposal, meeting=meeting)
    for voter in voters[:2]:
        decisions.proposal_vote(actor=voter, proposal=proposal, choice="approve")
    proposal.refresh_from_db()
    decisions.proposal_record_decisions(
        actor=staff,
        proposal=proposal,
        administrator_general=signer,
        decision_committee=signer,
    )
    return proposal


# --- Funded projects (governance.funding) ------------------------------------------------------


def funded_project(**kwargs):
    """The funded project of `funded_decision(**kwargs)` (the month to decline is over by
    default), in the state "agreement pending"."""
    return funding.project_open(actor=None, decision=funded_decision(**kwargs))


def funded_decision(*, aid="300000", created_by=None, decided_days_ago=40, envelope="1000000"):
    """A funding decision of `aid` on an admissible application (builder above), taken
    `decided_days_ago` days ago. `created_by`: the coordinator's contact."""
    call = evaluation_call(envelope=Decimal(envelope))
    extra = {"created_by": created_by} if created_by else {}
    application = admissible_application(call, aid=aid, **extra)
    consensus(application, [4, 4, 4])
    decision = decisions.decision_record(
        actor=StaffFactory(),
        application=application,
        meeting=meeting_with_quorum(call.programme, BodyKind.STEERING_GROUP),
        outcome=DecisionOutcome.FUND,
        amount=Decimal(aid),
        decided_by="A. Generaal",
        now=timezone.now() - timedelta(days=decided_days_ago),
    )
    return decision


def running_project(*, started_days_ago=30, months=24, collaboration=True, **kwargs):
    """A funded project (see funded_project) whose agreement, starting
    `started_days_ago` days ago for `months` months, is drawn up and signed today; with
    `collaboration`, its collaboration agreement uploaded and accepted."""
    project = funded_project(**kwargs)
    staff = StaffFactory()
    start = timezone.localdate() - timedelta(days=started_days_ago)
    agreement = funding.agreement_draw_up(
        actor=staff,
        project=project,
        start_date=start,
        end_date=funding_domain.add_months(start, months) - timedelta(days=1),
        deliverables=[{"description": "Validated biomarker panel", "target": "1"}],
    )
    funding.agreement_sign(actor=staff, agreement=agreement, signed_on=timezone.localdate())
    if collaboration:
        coordinator = project.application.partners.get(is_coordinator=True).contact
        funding.collaboration_upload(
            actor=coordinator, project=project, file=ContentFile(PDF_BYTES, name="collab.pdf")
        )
        funding.collaboration_accept(actor=staff, project=project)
    project.refresh_from_db()
    return project
