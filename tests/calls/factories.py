"""Factories of the calls app. A CallFactory call comes with its parameters (defaults),
one criterion, a 2019 programme year whose project budget is 4,500,000, and no envelope."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from calls.enums import CallState
from calls.models import Call, CallParameters, CallRegistration, Criterion, Envelope
from tests.factories import BudgetLineFactory


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    programme_year = factory.LazyFunction(
        lambda: BudgetLineFactory(amount=Decimal("4500000")).programme_year
    )
    programme = factory.SelfAttribute("programme_year.programme")
    title_nl = factory.Sequence(lambda n: f"ICON-oproep {n}")
    title_en = factory.Sequence(lambda n: f"ICON call {n}")
    description_nl = "Oproep voor ICON-projecten gepersonaliseerde geneeskunde."
    description_en = "Call for ICON projects in personalised medicine."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    state = CallState.DRAFT
    parameters = factory.RelatedFactory(
        "tests.calls.factories.CallParametersFactory", factory_related_name="call"
    )
    criterion = factory.RelatedFactory(
        "tests.calls.factories.CriterionFactory", factory_related_name="call"
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

    call = factory.SubFactory(CallFactory, state=CallState.OPEN)
    user = factory.SubFactory("tests.factories.ApplicantFactory")


__all__ = [
    "CallFactory",
    "CallParametersFactory",
    "CriterionFactory",
    "EnvelopeFactory",
    "CallRegistrationFactory",
]
