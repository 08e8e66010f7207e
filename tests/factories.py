"""factory_boy factories. Role factories give a user exactly the named role."""

import itertools
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from programme import domain
from programme.demo import enterprise_number
from programme.enums import BudgetLineKind, KpiKind, OrganisationKind, Role, SmeClass
from programme.models import (
    BudgetLine,
    Kpi,
    MilestoneRecord,
    Organisation,
    Programme,
    ProgrammeYear,
    User,
)

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


class ResearchOrganisationFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"University {n}")
    kind = OrganisationKind.RESEARCH
    headcount = 3000
    turnover = Decimal("500000000")
    balance_sheet_total = Decimal("900000000")
    public_body_share = Decimal("100")
    sme_class = SmeClass.LARGE


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


class ApplicantFactory(UserFactory):
    roles = with_roles(Role.APPLICANT)
    organisation = factory.SubFactory(OrganisationFactory)


class StaffFactory(UserFactory):
    roles = with_roles(Role.STAFF)


class CouncilFactory(UserFactory):
    roles = with_roles(Role.COUNCIL)


class ExpertFactory(UserFactory):
    roles = with_roles(Role.EXPERT)


class SteeringFactory(UserFactory):
    roles = with_roles(Role.STEERING)


class ProgrammeManagerFactory(UserFactory):
    roles = with_roles(Role.PROGRAMME_MANAGER)


class AdminFactory(UserFactory):
    roles = with_roles(Role.ADMIN)
    is_staff = True
    is_superuser = True


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
