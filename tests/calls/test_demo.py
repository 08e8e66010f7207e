"""The demo of `make run`: the 2020 call is open (deadline six weeks after the first
seeding), the 2019 call is closed and then in evaluation with its handed-in
applications, and the demo applicant can edit and submit the WEARONCO draft on the open call."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from calls import demo
from calls.domain import accepts_submissions
from calls.enums import CallState
from calls.models import Call
from programme.formats import BRUSSELS
from programme.models import User
from projects import selectors
from projects.enums import ApplicationState
from projects.models import Application

pytestmark = pytest.mark.django_db

SEEDED_AT = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)


def seed() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_demo_window_opens_two_weeks_before_and_closes_six_weeks_after():
    opens, deadline = demo.demo_window(SEEDED_AT)
    assert opens == datetime(2026, 11, 8, 9, 0, tzinfo=BRUSSELS)
    assert deadline == datetime(2027, 1, 3, 17, 0, tzinfo=BRUSSELS)


def test_seed_demo_opens_the_2020_call_and_evaluates_2019():
    with time_machine.travel(SEEDED_AT, tick=False):
        seed()
        calls = {c.year: c for c in Call.objects.select_related("programme_year")}
        # closed by calls.demo, then in evaluation once governance.demo has ranked,
        # advised on and decided its admissible applications
        assert calls[2019].state == CallState.IN_EVALUATION
        assert calls[2020].state == CallState.OPEN
        assert calls[2020].deadline == datetime(2027, 1, 3, 17, 0, tzinfo=BRUSSELS)
        assert accepts_submissions(calls[2020], SEEDED_AT) == (True, "")
        assert "bewust open" in calls[2020].description_nl
        assert "deliberately open" in calls[2020].description_en


def test_seed_demo_again_later_keeps_the_deadline():
    with time_machine.travel(SEEDED_AT, tick=False):
        seed()
    deadline = Call.objects.get(programme_year__year=2020).deadline
    with time_machine.travel(SEEDED_AT + timedelta(days=10), tick=False):
        seed()
    assert Call.objects.get(programme_year__year=2020).deadline == deadline


def test_seed_demo_puts_the_drafts_on_the_open_call():
    with time_machine.travel(SEEDED_AT, tick=False):
        seed()
        by_call = {}
        for application in Application.objects.select_related("call__programme_year"):
            by_call.setdefault(application.call.year, set()).add(
                (application.acronym, application.state)
            )
        assert by_call[2020] == {
            ("WEARONCO", ApplicationState.DRAFT),
            ("PHARMALINK", ApplicationState.DRAFT),
        }
        assert ApplicationState.DRAFT not in {state for _, state in by_call[2019]}
        assert len(by_call[2019]) == 14
        applicant = User.objects.get(email="aanvrager@demo.icon")
        draft = Application.objects.get(acronym="WEARONCO")
        assert applicant.has_perm("projects.change_application", draft)
        assert applicant.has_perm("projects.submit_application", draft)
        dossier = selectors.load_dossier(Application.objects.get(pk=draft.pk))
        assert dossier.ready[0] is True
