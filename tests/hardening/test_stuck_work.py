"""Stuck work recovers in minutes: a report whose worker died (its lease expired) is
queued again by the beat task, made once, and the page says what happened; the Celery
limits fit the longest report."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from governance.reports import services as reports
from governance.reports.tasks import recover_stuck_reports
from programme.demo import seed_programme
from programme.models import GeneratedReport, Outbox, ReportKind, ReportState
from tests.factories import ProgrammeManagerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.hardening]


def files_in_reports_dir() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "reports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def report():
    programme = seed_programme()
    manager = ProgrammeManagerFactory()
    return reports.report_request(
        actor=manager,
        kind=ReportKind.KPI,
        parameters={"programme": programme.pk, "year": None, "language": "en"},
    )


def test_a_dead_workers_report_is_made_again_after_the_lease_once(
    report, client, django_capture_on_commit_callbacks
):
    # A worker claims the report and dies (nothing after the claim runs).
    reports.report_claim(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.RUNNING and report.lease_until is not None
    died_at = report.started_at
    # Within the lease nothing happens: the worker may just be slow.
    assert recover_stuck_reports() == []
    with time_machine.travel(report.lease_until + timedelta(seconds=61)):
        client.force_login(report.requested_by)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert recover_stuck_reports() == [report.pk]
        report.refresh_from_db()
        assert report.state == ReportState.QUEUED
        page = client.get(reverse("report_list"))
        # Written by the beat task in the programme's language (Dutch).
        assert "is gestopt; het rapport wordt opnieuw gemaakt" in page.content.decode()
        for callback in callbacks:  # the worker takes the re-queued task (in-process)
            callback()
    report.refresh_from_db()
    assert (report.state, report.attempts) == (ReportState.DONE, 2)
    assert files_in_reports_dir() == [f"report-{report.pk:06d}.pdf"]
    # Recovered within 5 minutes of the worker's death (lease 3 min + one beat minute).
    assert report.started_at - died_at < timedelta(minutes=5)
    assert Outbox.objects.filter(payload__kwargs={"report_id": report.pk}).count() == 2
    # The first message, redelivered late by Redis, finds it done: still one file.
    again = reports.report_generate(report_id=report.pk)
    assert (again.state, again.attempts) == (ReportState.DONE, 2)
    assert files_in_reports_dir() == [f"report-{report.pk:06d}.pdf"]


def test_progress_renews_the_lease(report):
    reports.report_claim(report_id=report.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        reports._set_progress(report.pk, 40, "Layout")
        lease = GeneratedReport.objects.get(pk=report.pk).lease_until
        assert lease > timezone.now() + timedelta(minutes=2)
    with time_machine.travel(timezone.now() + timedelta(minutes=4)):
        assert recover_stuck_reports() == []


def test_celery_limits_fit_the_longest_report():
    # The longest task: the 300-application evaluation report, 57 s in `make bench`.
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert 57 * 4 < settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_TIME_LIMIT < visibility <= 5 * 60
    assert reports.REPORT_LEASE < timedelta(minutes=4)
    beat = settings.CELERY_BEAT_SCHEDULE["governance-recover-stuck-reports"]
    assert (beat["task"], beat["schedule"]) == (
        "governance.reports.tasks.recover_stuck_reports",
        60.0,
    )
