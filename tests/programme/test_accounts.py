"""Accounts (django-allauth): sign-up with e-mail verification, identical answers for
known and unknown addresses, login throttling, and the second factor required of every
role that evaluates or decides (issue 11)."""

import re
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from programme.enums import Role
from programme.models import User
from tests import factories
from tests.builders import ready_application
from tests.conftest import (
    ROLE_FACTORIES,
    TOTP_SECRET,
    _plain_force_login,
    enrol_totp,
    totp_now,
)

PASSWORD = "pw-for-tests-123"
SECRET = TOTP_SECRET


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts attempts and used TOTP codes in the cache (locmem in tests).
    cache.clear()
    yield
    cache.clear()


def log_in(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- Sign-up -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_verify_and_log_in_as_applicant_only(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "New.Person@Example.org",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
                "first_name": "Nieuwe",
                "last_name": "Aanvrager",
                # A sign-up form that is tampered with cannot grant anything else.
                "is_staff": "on",
                "groups": "staff",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email__iexact="new.person@example.org")
    assert (user.roles, user.is_staff, user.get_full_name()) == (
        frozenset({Role.APPLICANT}),
        False,
        "Nieuwe Aanvrager",
    )
    # Not logged in before the address is verified; the mail carries the link.
    assert client.get(reverse("application_list")).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    assert client.get(link.group(1)).status_code == 200
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == user


@pytest.mark.django_db
def test_sign_up_in_english_keeps_what_was_typed_on_an_error(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "someone@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "another-passphrase-42",
            "first_name": "Some",
            "last_name": "One",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="someone@example.org"' in html and 'value="Some"' in html
    assert "You must type the same password each time." in html
    assert not User.objects.filter(email="someone@example.org").exists()


# --- Enumeration ---------------------------------------------------------------------------


def _answer(response) -> tuple:
    return response.status_code, response.get("Location")


@pytest.mark.django_db
def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, django_capture_on_commit_callbacks
):
    factories.ApplicantFactory(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": "known@example.org"})
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert _answer(known) == _answer(unknown) == (302, reverse("account_reset_password_done"))
    # Each address receives a mail (a reset link, or "no account here"), both by the queue.
    assert sorted(m.to[0] for m in mail.outbox) == ["known@example.org", "nobody@example.org"]
    assert "/accounts/password/reset/key/" in next(
        m.body for m in mail.outbox if m.to == ["known@example.org"]
    )


@pytest.mark.django_db
def test_sign_up_answers_the_same_for_a_taken_address(client):
    factories.ApplicantFactory(email="taken@example.org")

    def sign_up(email):
        return client.post(
            reverse("account_signup"),
            {
                "email": email,
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
                "first_name": "A",
                "last_name": "B",
            },
        )

    taken, free = sign_up("taken@example.org"), sign_up("free@example.org")
    assert _answer(taken) == _answer(free)
    assert User.objects.filter(email="taken@example.org").count() == 1


@pytest.mark.django_db
def test_old_password_reset_address_redirects_to_allauth(client):
    response = client.get("/accounts/password-reset/")
    assert (response.status_code, response["Location"]) == (
        301,
        reverse("account_reset_password"),
    )


# --- Throttling ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_failed_logins_are_throttled_per_account_with_a_message(client):
    user = factories.ApplicantFactory(email="target@example.org")
    for _ in range(5):
        assert log_in(client, user.email, "wrong-password").status_code == 200
    # The sixth try is refused even with the right password, with a clear message.
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by it.
    other = factories.ApplicantFactory()
    assert log_in(client, other.email).status_code == 302


@pytest.mark.django_db
def test_failed_logins_throttled_in_dutch(client):
    user = factories.ApplicantFactory()
    for _ in range(5):
        log_in(client, user.email, "wrong-password")
    response = log_in(client, user.email)
    assert "Te veel inlogpogingen" in response.content.decode()


# --- Two-factor login ----------------------------------------------------------------------

EVALUATING = [r for r in Role if r != Role.APPLICANT]


@pytest.mark.django_db
@pytest.mark.parametrize("role", EVALUATING, ids=str)
def test_password_only_session_of_evaluating_role_gets_enrolment_not_a_proposal(client, role):
    application = ready_application()
    user = ROLE_FACTORIES[role]()
    _plain_force_login(client, user)  # a login with the password alone
    for url in (
        reverse("application_detail", args=[application.pk]),
        reverse("home"),
        reverse("programme_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two_factor_required")), url
    assert client.get(reverse("two_factor_required")).status_code == 200


@pytest.mark.django_db
def test_applicant_needs_no_second_factor(client):
    user = factories.ApplicantFactory()
    assert log_in(client, user.email).status_code == 302
    assert client.get(reverse("application_list")).status_code == 200


@pytest.mark.django_db
def test_staff_logs_in_with_password_and_generated_totp(client):
    user = factories.StaffFactory()
    enrol_totp(user)
    response = log_in(client, user.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone opens nothing
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now()})
    assert response.status_code == 302
    assert client.get(reverse("organisation_list")).status_code == 200


@pytest.mark.django_db
def test_enrolled_session_without_second_step_is_asked_for_the_code(client):
    user = factories.CouncilFactory()
    enrol_totp(user)
    _plain_force_login(client, user)
    response = client.get(reverse("programme_list"))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


@pytest.mark.django_db
def test_expert_enrols_totp_and_then_reaches_pages(client):
    user = factories.ExpertFactory()
    assert log_in(client, user.email).status_code == 302
    assert client.get(reverse("programme_list"))["Location"].startswith(
        reverse("two_factor_required")
    )
    # Enrolment asks for the password again, then for a code of the new secret.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    # The session was opened before enrolment: one code (of the next period: a code is
    # used once), then the pages open.
    response = client.get(reverse("programme_list"))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    with time_machine.travel(time.time() + 31, tick=False):
        client.post(reverse("mfa_reauthenticate"), {"code": totp_now(secret)})
        assert client.get(reverse("programme_list")).status_code == 200


@pytest.mark.django_db
def test_account_mail_goes_through_the_queue(client, django_capture_on_commit_callbacks):
    factories.ApplicantFactory(email="queued@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("account_reset_password"), {"email": "queued@example.org"})
    assert mail.outbox == []  # nothing sent inside the request's transaction
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["queued@example.org"]]
