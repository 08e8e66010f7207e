"""factory_boy factories: one per model, for every app.

Defaults describe the ordinary case, so a test only names what it is about:

- an organisation is a verified Flemish company of 40 people (medium-sized);
- a role factory gives a user exactly the named role (an applicant comes with an
  organisation, a council member sits for one);
- a call is an *open* ICON call of a 2019 programme year whose project budget is
  4,500,000: it opened 30 days ago, closes in 30 days, has the default parameters
  (frozen when it opened) and one criterion, and no envelope. Pass `state=` for
  another state (a draft has no frozen parameters); `tests.builders.evaluation_call`
  makes a call in evaluation with its criteria and envelope;
- an application is a draft of that call by a small company's applicant, with the
  coordinator as its only partner.

Objects made of several models (an application that passes every rule, an admissible
one, a review, a meeting with quorum) are built in `tests.builders`.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from calls.enums import CallState
from calls.models import Call, CallParameters, CallRegistration, Criterion, Envelope
from governance.bodies.enums import BodyKind, Seat
from governance.models import Body, ConductDeclaration, DiscussionPost, Meeting, Membership
from governance.reports.domain import report_file_name
from governance.review.domain import CONDUCT_VERSION
from programme import domain
from programme.demo import enterprise_number
from programme.enums import (
    BudgetLineKind,
    KpiKind,
    MembershipState,
    OrganisationKind,
    Role,
    SmeClass,
)
from programme.models import (
    ActionDomain,
    BudgetLine,
    DiseaseDomain,
    GeneratedReport,
    Kpi,
    MilestoneRecord,
    Organisation,
    OrganisationMembership,
    Programme,
    ProgrammeYear,
    ReportKind,
    ReportState,
    Theme,
    User,
)
from projects.models import Application, Partner

# --- Organisations ---------------------------------------------------------------------------

_numbers = itertools.count(5000)


def next_enterprise_number() -> str:
    return enterprise_number(next(_numbers))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Company {n} NV")
    enterprise_number = factory.LazyFunction(next_enterprise_number)
    kind = OrganisationKind.COMPANY
    is_flemish = True
    reference_year = 2018
    headcount = 40
    turnover = Decimal("8000000")
    balance_sheet_total = Decimal("6000000")
    public_body_share = Decimal("0")
    verified = True
    sme_class = factory.LazyAttribute(
        lambda o: domain.sme_class(
            headcount=o.headcount,
            turnover=o.turnover,
            balance_sheet_total=o.balance_sheet_total,
            public_body_share=o.public_body_share,
        )
    )


class SmallCompanyFactory(OrganisationFactory):
    headcount = 20
    turnover = Decimal("3000000")
    balance_sheet_total = Decimal("2500000")


class LargeCompanyFactory(OrganisationFactory):
    headcount = 900
    turnover = Decimal("200000000")
    balance_sheet_total = Decimal("150000000")


class ResearchOrganisationFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"University {n}")
    kind = OrganisationKind.RESEARCH
    headcount = 3000
    turnover = Decimal("500000000")
    balance_sheet_total = Decimal("900000000")
    public_body_share = Decimal("100")
    sme_class = SmeClass.LARGE


# --- Users and their roles -------------------------------------------------------------------


def with_roles(*default: str):
    """Post-generation hook: `roles=[...]` when called, else these default roles."""

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        wanted = extracted if extracted is not None else default
        if create:
            self.groups.set([Group.objects.get_or_create(name=role)[0] for role in wanted])
            self.save()

    return roles


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    roles = with_roles()

    @factory.post_generation
    def email_verified(self, create, extracted, **kwargs):
        """Made by an administrator: the address counts as verified (pass False for a
        person who signed up and has not clicked the link yet)."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class ApplicantFactory(UserFactory):
    """An applicant who registered their organisation: its approved member and manager
    (pass `manager=False` for a plain member)."""

    roles = with_roles(Role.APPLICANT)
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def manager(self, create, extracted, **kwargs):
        if create and self.organisation_id is not None:
            OrganisationMembership.objects.create(
                organisation=self.organisation,
                user=self,
                state=MembershipState.APPROVED,
                is_manager=extracted is not False,
            )


class CoordinatorFactory(ApplicantFactory):
    """An applicant of a small company (the coordinator of `ApplicationFactory`)."""

    organisation = factory.SubFactory(SmallCompanyFactory)


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    """A request to join, pending (pass `state=` and `is_manager=` for others)."""

    class Meta:
        model = OrganisationMembership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.APPLICANT])
    state = MembershipState.PENDING


class StaffFactory(UserFactory):
    roles = with_roles(Role.STAFF)


class CouncilFactory(UserFactory):
    """A member of the strategic advisory council, sitting for an organisation (which
    the conflict-of-interest detection compares with the partners)."""

    roles = with_roles(Role.COUNCIL)
    organisation = factory.SubFactory(OrganisationFactory)


class ExpertFactory(UserFactory):
    """An external expert: a reviewer without an organisation."""

    roles = with_roles(Role.EXPERT)


class SteeringFactory(UserFactory):
    roles = with_roles(Role.STEERING)


class ProgrammeManagerFactory(UserFactory):
    roles = with_roles(Role.PROGRAMME_MANAGER)


class AdminFactory(UserFactory):
    roles = with_roles(Role.ADMIN)
    is_staff = True
    is_superuser = True


# --- The programme ---------------------------------------------------------------------------


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"prog-{n}")
    name_nl = factory.Sequence(lambda n: f"Programma {n}")
    name_en = factory.Sequence(lambda n: f"Programme {n}")


class ProgrammeYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeYear

    programme = factory.SubFactory(ProgrammeFactory)
    year = 2019


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    programme_year = factory.SubFactory(ProgrammeYearFactory)
    kind = BudgetLineKind.PROJECT_BUDGET
    name_nl = "Projectbudget"
    name_en = "Project budget"
    amount = Decimal("4500000")


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    name_nl = "Een strategische roadmap"
    name_en = "A strategic roadmap"
    kind = KpiKind.MILESTONE


class MilestoneRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneRecord

    kpi = factory.SubFactory(KpiFactory)
    date = date(2020, 6, 30)
    description = "Roadmap delivered"
    recorded_by = factory.SubFactory(ProgrammeManagerFactory)
    evidence_file = factory.django.FileField(filename="roadmap.pdf", data=b"%PDF-1.4 roadmap")


class ActionDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionDomain

    programme = factory.SubFactory(ProgrammeFactory)
    # Never one of the demo's codes (1, 2a, data…): tests seed the demo programme too.
    code = factory.Sequence(lambda n: f"t{n}")
    name_nl = "Data- en analyse-activiteiten"
    name_en = "Data and analysis activities"


class ThemeFactory(ActionDomainFactory):
    class Meta:
        model = Theme

    name_nl = "Data"
    name_en = "Data"


class DiseaseDomainFactory(ActionDomainFactory):
    class Meta:
        model = DiseaseDomain

    name_nl = "Kanker"
    name_en = "Cancer"


class GeneratedReportFactory(factory.django.DjangoModelFactory):
    """A queued KPI report; `DoneReportFactory` gives one with its file on disk."""

    class Meta:
        model = GeneratedReport
        skip_postgeneration_save = True

    kind = ReportKind.KPI
    parameters = factory.LazyAttribute(
        lambda o: {"programme": None, "year": None, "language": "nl", "call": None}
    )
    requested_by = factory.SubFactory(StaffFactory)


class DoneReportFactory(GeneratedReportFactory):
    state = ReportState.DONE
    progress = 100
    sha256 = "0" * 64
    page_count = 1
    file = "reports/placeholder.pdf"  # replaced by the real name below
    attempts = 1

    @factory.post_generation
    def write_file(self, create, extracted, **kwargs):
        content = extracted or b"%PDF-1.4 test report"
        name = report_file_name(self)
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.file.name = name
        if create:
            self.save(update_fields=["file"])


# --- Calls -----------------------------------------------------------------------------------


class CallFactory(factory.django.DjangoModelFactory):
    """An open call (see the module docstring); `parameters__<field>=` sets a parameter,
    `criterion=None` / `parameters=None` leave them out."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    programme_year = factory.LazyFunction(lambda: BudgetLineFactory().programme_year)
    programme = factory.SelfAttribute("programme_year.programme")
    title_nl = factory.Sequence(lambda n: f"ICON-oproep {n}")
    title_en = factory.Sequence(lambda n: f"ICON call {n}")
    description_nl = "Oproep voor ICON-projecten gepersonaliseerde geneeskunde."
    description_en = "Call for ICON projects in personalised medicine."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    state = CallState.OPEN
    parameters = factory.RelatedFactory(
        "tests.factories.CallParametersFactory", factory_related_name="call"
    )
    criterion = factory.RelatedFactory(
        "tests.factories.CriterionFactory", factory_related_name="call"
    )

    @factory.lazy_attribute
    def parameters_frozen_at(self):
        return None if self.state == CallState.DRAFT else self.opens_at


class CallParametersFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallParameters

    call = factory.SubFactory(CallFactory, parameters=None)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    call = factory.SubFactory(CallFactory, criterion=None)
    position = factory.Sequence(lambda n: n + 1)
    name_nl = "Innovatie en wetenschappelijke kwaliteit"
    name_en = "Innovation and scientific quality"


class EnvelopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Envelope

    call = factory.SubFactory(CallFactory)
    name_nl = factory.Sequence(lambda n: f"Envelop {n}")
    name_en = factory.Sequence(lambda n: f"Envelope {n}")
    initial_amount = Decimal("1000000")
    amount = factory.SelfAttribute("initial_amount")


class CallRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallRegistration

    call = factory.SubFactory(CallFactory)
    user = factory.SubFactory(ApplicantFactory)


# --- Applications ----------------------------------------------------------------------------


def _part(organisation: Organisation) -> str:
    return "research" if organisation.kind == OrganisationKind.RESEARCH else "company"


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft whose creator's organisation coordinates it (`with_coordinator=False`:
    no partner at all)."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory)
    created_by = factory.SubFactory(CoordinatorFactory)
    coordinator = factory.SelfAttribute("created_by.organisation")
    title = factory.Sequence(lambda n: f"Precision oncology platform {n}")
    acronym = factory.Sequence(lambda n: f"PREC{n}")
    abstract = "We build a shared data platform for tumour profiling."
    planned_start = date(2020, 1, 1)
    duration_months = 24

    @factory.post_generation
    def with_coordinator(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Partner.objects.create(
                application=self,
                organisation=self.coordinator,
                part=_part(self.coordinator),
                is_coordinator=True,
                contact=self.created_by,
                contact_email=self.created_by.email,
            )


class PartnerFactory(factory.django.DjangoModelFactory):
    """A small company joining an application, with its own applicant as contact."""

    class Meta:
        model = Partner

    application = factory.SubFactory(ApplicationFactory)
    organisation = factory.SubFactory(SmallCompanyFactory)
    part = factory.LazyAttribute(lambda o: _part(o.organisation))
    contact = factory.SubFactory(
        ApplicantFactory, organisation=factory.SelfAttribute("..organisation")
    )
    contact_email = factory.SelfAttribute("contact.email")


# --- Governance: bodies and meetings ---------------------------------------------------------


class BodyFactory(factory.django.DjangoModelFactory):
    """The strategic advisory council; `SteeringGroupFactory` the steering group."""

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


# --- Reviewers' conduct and discussion --------------------------------------------------------


class ConductDeclarationFactory(factory.django.DjangoModelFactory):
    """A reviewer's acceptance of the code of conduct in force."""

    class Meta:
        model = ConductDeclaration

    reviewer = factory.SubFactory(CouncilFactory)
    version = CONDUCT_VERSION
    language = "nl"


class DiscussionPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscussionPost

    application = factory.SubFactory(ApplicationFactory)
    author = factory.SubFactory(StaffFactory)
    is_moderator = True
    body = "Please explain the spread on criterion 2."
