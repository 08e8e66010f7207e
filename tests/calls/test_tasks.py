"""Beat tasks of the calls app: closing at the deadline and the deadline reminders,
eagerly and on a real Celery worker with Redis."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from calls import tasks
from calls.enums import CallState
from calls.models import Call, ReminderSent
from tests.factories import CallFactory, CallRegistrationFactory


@pytest.mark.django_db
def test_close_task_closes_at_the_deadline_not_before():
    call = CallFactory(state=CallState.OPEN, deadline=timezone.now() + timedelta(hours=1))
    with time_machine.travel(call.deadline - timedelta(seconds=1)):
        assert tasks.close_calls_at_deadline.delay().get() == []
    with time_machine.travel(call.deadline):
        assert tasks.close_calls_at_deadline.delay().get() == [call.pk]
    call.refresh_from_db()
    assert call.state == CallState.CLOSED


@pytest.mark.django_db
def test_reminder_task_runs_twice_sends_once(mailoutbox, django_capture_on_commit_callbacks):
    call = CallFactory(state=CallState.OPEN, deadline=timezone.now() + timedelta(hours=5))
    CallRegistrationFactory(call=call)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_deadline_reminders.delay().get() == 1
        assert tasks.send_deadline_reminders.delay().get() == 0
    assert ReminderSent.objects.count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.worker
def test_close_task_on_a_real_worker(celery_worker_on_redis):
    call = CallFactory(
        state=CallState.OPEN,
        opens_at=timezone.now() - timedelta(days=10),
        deadline=timezone.now() - timedelta(minutes=1),
    )
    assert tasks.close_calls_at_deadline.delay().get(timeout=30) == [call.pk]
    assert Call.objects.get(pk=call.pk).state == CallState.CLOSED
