import base64
import hashlib
import hmac
import os
import struct
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.celery import app as celery_app
from programme.enums import Role

from . import factories

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to
# run there unless told the test is deliberately synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _broker_namespace() -> str:
    """The Redis namespace of this test process: one per test database.

    pytest-xdist runs the suite in processes gw0, gw1, ... that share the Redis database
    of REDIS_URL; pytest-django gives each its own test database (test_<name>_gw0, ...).
    A task queued by one process must only run in that process's worker, against its
    database, and `purge()` must only empty its own queue. Hence one queue name and one
    key prefix a process (queues, unacked messages, bindings, control channels); the name
    follows the test database, so concurrent runs on different databases do not meet
    either, and a run on the same database purges what an earlier one left behind.
    """
    database = Path(str(settings.DATABASES["default"]["NAME"])).name
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"test-{database}-{worker}"


BROKER_NAMESPACE = _broker_namespace()
celery_app.conf.task_default_queue = BROKER_NAMESPACE
celery_app.conf.broker_transport_options = {
    **(celery_app.conf.broker_transport_options or {}),
    "global_keyprefix": f"{BROKER_NAMESPACE}:",
}

# Settings of every test, besides a media folder of its own (test_access_matrix.py
# applies them to the data it builds once for the module).
TEST_SETTINGS = {
    # The production hasher costs ~0.3 s a user; tests create hundreds of users.
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


def _force_login_with_both_factors(self, user, backend=None):
    """`client.force_login` stands for a complete login, second factor included (the
    session records an "mfa" step as allauth's TOTP prompt does), so the tests of every
    page of an evaluating role reach it. The second factor itself is tested through the
    real forms in tests/programme/test_accounts.py (`force_login_password_only` there)."""
    _plain_force_login(self, user, backend)
    session = self.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()


_plain_force_login = Client.force_login
Client.force_login = _force_login_with_both_factors


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run in-process unless the test asks for a real worker (`worker` marker)."""
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def celery_worker_on_redis(transactional_db):
    """A real Celery worker consuming from the Redis broker of REDIS_URL.

    It runs in a thread of the test process so it sees the test database; the broker,
    serialisation, acks and redelivery are the real ones.
    """
    from celery.contrib.testing.worker import start_worker

    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL must be set for worker tests (make test sets it)")
    celery_app.conf.broker_url = settings.REDIS_URL
    # The worker consumes only this process's queue (see _broker_namespace).
    assert list(celery_app.amqp.queues) == [BROKER_NAMESPACE]
    # A task an earlier test left on the queue (acks_late redelivers unfinished ones)
    # must not run against this test's data.
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.fixture
def query_count():
    """The N+1 guard of every list, page and export: `query_count(action, *args,
    **kwargs)` calls `action(*args, **kwargs)` and returns the number of SQL queries it
    ran. A response it returns must be a 200 (the queries of an error page guard
    nothing). A guard counts with one item, adds more, and expects the same number:

        one = query_count(client.get, url)
        ApplicationFactory.create_batch(3, call=call)
        assert query_count(client.get, url) == one
    """

    def count(action, *args, **kwargs) -> int:
        with CaptureQueriesContext(connection) as queries:
            result = action(*args, **kwargs)
        if isinstance(result, HttpResponseBase):
            assert result.status_code == 200, f"{action}: {result.status_code}"
        return len(queries)

    return count


ROLE_FACTORIES = {
    Role.APPLICANT: factories.ApplicantFactory,
    Role.STAFF: factories.StaffFactory,
    Role.COUNCIL: factories.CouncilFactory,
    Role.EXPERT: factories.ExpertFactory,
    Role.STEERING: factories.SteeringFactory,
    Role.PROGRAMME_MANAGER: factories.ProgrammeManagerFactory,
    Role.ADMIN: factories.AdminFactory,
}


@pytest.fixture
def staff_user(db):
    return factories.StaffFactory()


@pytest.fixture
def applicant(db):
    return factories.ApplicantFactory()


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """The system Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab with a Dutch (Belgian) locale and a phone-sized viewport off."""
    context = browser.new_context(locale="nl-BE")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_now(secret: str = TOTP_SECRET) -> str:
    """The current RFC 6238 code (HMAC-SHA1, 30 s, 6 digits) of `secret`, computed here
    rather than by the library the tests check."""
    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def enrol_totp(user, secret: str = TOTP_SECRET) -> None:
    """Give `user` an authenticator app with a known secret (as if they had enrolled)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)


def _totp_secret(user) -> str:
    """The secret of `user`'s authenticator app (the demo's logins have their own)."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return get_adapter().decrypt(authenticator.data["secret"])


def browser_login(page, live_server, email: str, password: str = "pw-for-tests-123") -> None:
    """Log in through the real login form; a role that needs a second factor is enrolled
    first and types the current code of its authenticator app."""
    from django.core.cache import cache

    from programme.middleware import second_factor_required
    from programme.models import User

    user = User.objects.get(email__iexact=email)
    needs_code = second_factor_required(user)
    if needs_code:
        enrol_totp(user)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    if needs_code:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        cache.clear()  # allauth refuses a code used before; a test may log in twice in 30 s
        page.fill("#id_code", totp_now(_totp_secret(user)))
        page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
