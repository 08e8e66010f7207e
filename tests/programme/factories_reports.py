"""Factories of the reports tests: calls and envelopes (the calls app's own factories are
being written in parallel; these stay minimal) and generated reports."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import factory
from django.conf import settings

from calls.enums import CallState
from calls.models import Call, Envelope
from governance.reports.domain import report_file_name
from programme.models import GeneratedReport, ReportKind, ReportState

from ..factories import ProgrammeYearFactory, StaffFactory


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    programme_year = factory.SubFactory(ProgrammeYearFactory)
    programme = factory.SelfAttribute("programme_year.programme")
    title_nl = factory.Sequence(lambda n: f"Oproep {n}")
    title_en = factory.Sequence(lambda n: f"Call {n}")
    opens_at = factory.LazyAttribute(
        lambda o: datetime(o.programme_year.year, 3, 1, 9, tzinfo=UTC)
    )
    deadline = factory.LazyAttribute(
        lambda o: datetime(o.programme_year.year, 6, 1, 10, tzinfo=UTC)
    )
    state = CallState.OPEN


class EnvelopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Envelope

    call = factory.SubFactory(CallFactory)
    name_nl = factory.Sequence(lambda n: f"Enveloppe {n}")
    name_en = factory.Sequence(lambda n: f"Envelope {n}")
    initial_amount = Decimal("1000000")
    amount = factory.SelfAttribute("initial_amount")
    reserved = Decimal("0")
    committed = Decimal("0")


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
