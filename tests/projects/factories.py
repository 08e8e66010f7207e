"""Factories of the projects tests, with a call factory of their own (the calls app's
factories live on another branch). `ready_application()` builds an application that
passes every rule: 3 companies and 1 Flemish research organisation, 24 months, budgets
in range, a project description attached."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from calls.enums import CallState
from calls.models import Call, CallParameters
from programme.enums import OrganisationKind, SmeClass
from programme.models import ActionDomain, DiseaseDomain, Theme
from projects.enums import Activity, AttachmentKind, CostCategory
from projects.models import Application, Attachment, BudgetEntry, Partner

from ..factories import (
    ApplicantFactory,
    OrganisationFactory,
    ProgrammeYearFactory,
    ResearchOrganisationFactory,
)

PDF_BYTES = b"%PDF-1.4\n% test document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    programme_year = factory.SubFactory(ProgrammeYearFactory)
    programme = factory.SelfAttribute("programme_year.programme")
    title_nl = factory.Sequence(lambda n: f"ICON-oproep {n}")
    title_en = factory.Sequence(lambda n: f"ICON call {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    state = CallState.OPEN

    @factory.post_generation
    def parameters(self, create, extracted, **kwargs):
        if create:
            CallParameters.objects.create(call=self, **kwargs)


class ActionDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionDomain

    programme = factory.SubFactory("tests.factories.ProgrammeFactory")
    code = factory.Sequence(lambda n: f"{n}")
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


class SmallCompanyFactory(OrganisationFactory):
    headcount = 20
    turnover = Decimal("3000000")
    balance_sheet_total = Decimal("2500000")


class LargeCompanyFactory(OrganisationFactory):
    headcount = 900
    turnover = Decimal("200000000")
    balance_sheet_total = Decimal("150000000")


class CoordinatorFactory(ApplicantFactory):
    organisation = factory.SubFactory(SmallCompanyFactory)


class ApplicationFactory(factory.django.DjangoModelFactory):
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
                part="research" if self.coordinator.kind == OrganisationKind.RESEARCH else "company",
                is_coordinator=True,
                contact=self.created_by,
                contact_email=self.created_by.email,
            )


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    application = factory.SubFactory(ApplicationFactory)
    organisation = factory.SubFactory(SmallCompanyFactory)
    part = factory.LazyAttribute(
        lambda o: "research" if o.organisation.kind == OrganisationKind.RESEARCH else "company"
    )
    contact = factory.SubFactory(
        ApplicantFactory, organisation=factory.SelfAttribute("..organisation")
    )
    contact_email = factory.SelfAttribute("contact.email")


def set_budget(partner: Partner, per_year: Decimal | str, years=(1, 2)) -> None:
    """Spread `per_year` over personnel (80%) and operating costs (20%); company partners
    put 60% of it in industrial research and 40% in experimental development."""
    per_year = Decimal(per_year)
    if partner.part == "research":
        split = [(Activity.RESEARCH, Decimal("1"))]
    else:
        split = [(Activity.INDUSTRIAL_RESEARCH, Decimal("0.6")),
                 (Activity.EXPERIMENTAL_DEVELOPMENT, Decimal("0.4"))]
    for year in years:
        for category, cshare in ((CostCategory.PERSONNEL, Decimal("0.8")),
                                 (CostCategory.OPERATING, Decimal("0.2"))):
            for activity, ashare in split:
                BudgetEntry.objects.update_or_create(
                    partner=partner, year=year, category=category, activity=activity,
                    defaults={"amount": (per_year * cshare * ashare).quantize(Decimal("0.01"))},
                )


def attach_description(application: Application, user=None) -> Attachment:
    attachment = Attachment(
        application=application, kind=AttachmentKind.DESCRIPTION, original_name="description.pdf",
        size=len(PDF_BYTES), sha256="0" * 64, uploaded_by=user,
    )
    attachment.file.save("x.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return attachment


def ready_application(**kwargs) -> Application:
    """An application that passes every rule of the call's default parameters."""
    application = ApplicationFactory(**kwargs)
    programme = application.call.programme
    application.action_domain = ActionDomainFactory(programme=programme)
    application.theme = ThemeFactory(programme=programme)
    application.disease_domain = DiseaseDomainFactory(programme=programme)
    application.save()
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


__all__ = ["SmeClass", "ready_application"]
