"""Nothing lost when the broker or the mail server is down (programme.services outbox).

Faults are real: a Redis URL on a port where nothing listens, an SMTP backend pointed at
a closed port. The state change stands, the page answers success and says the receipt
will follow, and the sweep delivers once the broker or the mail server is back."""

import socket
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from programme import services as programme_services
from programme.models import Outbox, OutboxKind
from projects.enums import ApplicationState
from tests.builders import ready_application

pytestmark = [pytest.mark.django_db, pytest.mark.hardening]


def closed_port() -> int:
    """A local TCP port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _reset_broker_connections():
    # The pools are kombu's, shared and keyed by broker URL: forget ours, close none.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_down():
    """Celery publishes to a Redis where nothing listens (not eager)."""
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    _reset_broker_connections()
    celery_app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    celery_app.conf.task_always_eager = False
    yield
    _reset_broker_connections()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous


@pytest.fixture
def smtp_refusing(settings):
    """The real SMTP backend, pointed at a closed port: every send is refused."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 2},
        }
    }
    return settings


def test_submit_with_redis_unreachable_answers_success_and_keeps_the_work(
    client, redis_down, django_capture_on_commit_callbacks
):
    application = ready_application()
    client.force_login(application.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("application_submit", args=[application.pk]), follow=True)
    application.refresh_from_db()
    assert (response.status_code, application.state) == (200, ApplicationState.SUBMITTED)
    text = response.content.decode()
    assert application.receipt_number in text
    assert "will follow" in text or "volgt" in text
    rows = list(Outbox.objects.order_by("pk"))
    assert {r.kind for r in rows} == {OutboxKind.TASK, OutboxKind.EMAIL}
    assert [r.payload["task"] for r in rows if r.kind == OutboxKind.TASK] == [
        "projects.tasks.render_snapshot_pdf"
    ]
    assert all(r.delivered_at is None and r.attempts == 1 and r.last_error for r in rows)


def test_outbox_sweep_delivers_once_the_broker_is_back(
    client, redis_down, django_capture_on_commit_callbacks, mailoutbox
):
    application = ready_application()
    client.force_login(application.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("application_submit", args=[application.pk]))
    waiting = Outbox.objects.filter(delivered_at=None).count()
    assert waiting >= 2
    # Too early: the sweep waits for the backoff.
    assert programme_services.outbox_due() == []
    # The broker is back (in-process here: the worker's work runs at once).
    celery_app.conf.task_always_eager = True
    later = timezone.now() + timedelta(minutes=3)
    assert programme_services.outbox_sweep(now=later) == waiting
    application.refresh_from_db()
    assert Outbox.objects.filter(delivered_at=None).count() == 0
    assert application.snapshot_pdf
    assert len(mailoutbox) == waiting - 1
    assert all(application.receipt_number in m.subject for m in mailoutbox)


def test_smtp_refusing_leaves_the_mail_for_the_sweep(
    client, smtp_refusing, django_capture_on_commit_callbacks
):
    working = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    application = ready_application()
    client.force_login(application.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert (response.status_code, application.state) == (302, ApplicationState.SUBMITTED)
    emails = Outbox.objects.filter(kind=OutboxKind.EMAIL)
    assert emails.exists()
    assert all(r.delivered_at is None and "Connection" in r.last_error for r in emails)
    # The task rows were handed over (in-process) and are delivered.
    assert not Outbox.objects.filter(kind=OutboxKind.TASK, delivered_at=None).exists()
    smtp_refusing.MAILERS = working
    mail.outbox = []
    sent = programme_services.outbox_sweep(now=timezone.now() + timedelta(minutes=3))
    assert sent == emails.count()
    assert not emails.filter(delivered_at=None).exists()
    assert len(mail.outbox) == emails.count()
    # Delivered rows are never sent again.
    assert programme_services.outbox_sweep(now=timezone.now() + timedelta(days=1)) == 0
    assert len(mail.outbox) == emails.count()


def test_a_refused_change_queues_nothing(django_capture_on_commit_callbacks):
    from programme.states import Refused
    from projects import services

    application = ready_application()
    services.application_submit(actor=application.created_by, application=application)
    before = Outbox.objects.count()
    with pytest.raises(Refused), django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=application.created_by, application=application)
    assert Outbox.objects.count() == before


def test_email_delivered_twice_is_sent_once(mailoutbox):
    from programme.tasks import send_email

    programme_services.queue_email(to=["a@example.org"], subject="S", body="B")
    row = Outbox.objects.get()
    send_email(outbox_id=row.pk)
    send_email(outbox_id=row.pk)
    assert [m.subject for m in mailoutbox] == ["S"]


def test_outbox_backoff_doubles_per_attempt():
    programme_services.queue_email(to=["a@example.org"], subject="S", body="B")
    row = Outbox.objects.get()
    now = timezone.now()
    Outbox.objects.filter(pk=row.pk).update(attempts=3, dispatched_at=now - timedelta(minutes=7))
    assert programme_services.outbox_due(now=now) == []  # 3rd attempt waits 8 minutes
    assert programme_services.outbox_due(now=now + timedelta(minutes=2)) == [row.pk]


def test_the_sweep_runs_by_beat():
    assert django_settings.CELERY_BEAT_SCHEDULE["programme-sweep-outbox"]["task"] == (
        "programme.tasks.sweep_outbox"
    )


def test_password_reset_with_redis_unreachable_answers_success(
    client, redis_down, django_capture_on_commit_callbacks
):
    from tests.factories import ApplicantFactory

    user = ApplicantFactory(email="reset@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("account_reset_password_done"),
    )
    row = Outbox.objects.get(kind=OutboxKind.EMAIL)
    assert (row.payload["kwargs"]["to"], row.delivered_at) == (["reset@example.org"], None)
    assert row.last_error
