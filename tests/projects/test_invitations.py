"""Partner invitations and the organisation hijack of issue 11, step by step as it was
reported: an applicant adds a competitor's organisation as partner with an address of
their own. The invitation opens that one application to the address and nothing else."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from programme.enums import Role
from programme.models import Organisation, User
from projects.models import Application
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase-42"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _accept_invitation(client, capture, email: str) -> User:
    """Follow the invitation mail as its reader would: choose a password, log in, verify
    the address from the second mail, and end logged in."""
    body = next(m.body for m in mail.outbox if m.to == [email])
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body).group(1)
    response = client.get(path)  # allauth moves the key into the session, then redirects
    form_url = response["Location"] if response.status_code == 302 else path
    response = client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    with capture(execute=True):
        client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    client.post(link.group(1))
    user = User.objects.get(email=email)
    assert client.session.get("_auth_user_id") == str(user.pk)
    return user


def test_organisation_hijack_through_an_invitation_is_refused(
    client, django_capture_on_commit_callbacks
):
    competitor = factories.OrganisationFactory(name="Competitor NV", in_difficulty=False)
    factories.CouncilFactory(organisation=competitor)  # a member the hijacker wants to read
    application = factories.ApplicationFactory()
    coordinator = application.created_by
    client.force_login(coordinator)
    # Step 1: add the competitor as partner with an address of one's own.
    response = client.post(
        reverse("partner_add", args=[application.pk]),
        {
            "organisation": competitor.pk,
            "contact_email": "me-too@attacker.example",
            "contact_name": "Me Too",
        },
    )
    assert response.status_code == 302
    assert mail.outbox == []  # a draft: nothing goes out yet
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partner_invitations_send", args=[application.pk]))
    client.logout()
    # Step 2: the set-password link from the invitation.
    hijacker = _accept_invitation(
        client, django_capture_on_commit_callbacks, "me-too@attacker.example"
    )
    assert (hijacker.organisation, hijacker.roles) == (None, frozenset({Role.APPLICANT}))
    # The invitation opens the one application...
    assert client.get(reverse("application_detail", args=[application.pk])).status_code == 200
    # ...but nothing of the organisation: its page, members and figures are not theirs.
    assert client.get(reverse("organisation_detail", args=[competitor.pk])).status_code == 404
    assert client.get(reverse("organisation_edit", args=[competitor.pk])).status_code == 404
    response = client.post(
        reverse("organisation_edit", args=[competitor.pk]),
        {"name": "Competitor NV", "in_difficulty": "on"},
    )
    assert response.status_code == 404
    competitor.refresh_from_db()
    assert competitor.in_difficulty is False
    # Nor can they coordinate a new application in its name.
    call = application.call
    before = Application.objects.count()
    response = client.post(
        reverse("application_create", args=[call.pk]), {"title": "Stolen", "acronym": "STOLEN"}
    )
    assert Application.objects.count() == before
    assert (
        not Application.objects.filter(partners__organisation=competitor)
        .exclude(pk=application.pk)
        .exists()
    )


def test_inviting_an_existing_account_adds_no_role_and_no_membership(
    django_capture_on_commit_callbacks,
):
    from projects import services

    steering = factories.SteeringFactory(email="member@steering.example")
    application = factories.ApplicationFactory()
    partner = services.partner_add(
        actor=application.created_by,
        application=application,
        organisation=factories.OrganisationFactory(),
        contact_email="Member@Steering.example",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_invitations_send(
            actor=application.created_by, application=application, site_url="http://testserver"
        )
    steering.refresh_from_db()
    partner.refresh_from_db()
    assert (steering.roles, steering.organisation, partner.contact) == (
        frozenset({Role.STEERING}),
        None,
        steering,
    )
    # They already have a password: the mail links to the application itself.
    assert f"http://testserver/applications/{application.pk}/" in mail.outbox[0].body


def test_draft_invitation_grants_nothing_until_sent(client):
    from projects import services

    invitee = factories.ApplicantFactory(email="later@example.org")
    application = factories.ApplicationFactory()
    services.partner_add(
        actor=application.created_by,
        application=application,
        organisation=factories.OrganisationFactory(),
        contact_email="later@example.org",
    )
    client.force_login(invitee)
    assert client.get(reverse("application_detail", args=[application.pk])).status_code == 404
    services.partner_invitations_send(actor=application.created_by, application=application)
    assert client.get(reverse("application_detail", args=[application.pk])).status_code == 200


def test_only_the_coordinator_sends_invitations(client):
    application = factories.ApplicationFactory()
    other = factories.ApplicantFactory()
    client.force_login(other)
    response = client.post(reverse("partner_invitations_send", args=[application.pk]))
    assert response.status_code == 404
    assert Organisation.objects.exists()
