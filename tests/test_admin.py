"""The Django admin is no second write path: every service-owned model is read-only
there (the rule and the list per model are in each app's admin.py docstring)."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django_celery_results.models import GroupResult, TaskResult

from governance.models import Body
from programme import models as programme_models
from programme.enums import Role
from projects import services as project_services
from projects.enums import ApplicationState

from . import factories
from .builders import ready_application

# Data no service owns and no page edits: added and changed in the admin (never deleted).
ADMIN_EDITABLE = {
    programme_models.User,  # roles through programme.services.user_set_roles
    programme_models.Programme,
    programme_models.ProgrammeYear,
    programme_models.BudgetLine,
    programme_models.ActionDomain,
    programme_models.Theme,
    programme_models.DiseaseDomain,
    programme_models.Kpi,
    Body,  # created by governance.bodies.services.body_create
}
# Not ours: Celery's result log, as django_celery_results registers it.
# allauth's own admin: an administrator verifies an address or removes the authenticator
# of a person who lost both their phone and their recovery codes (they enrol anew).
THIRD_PARTY = {TaskResult, GroupResult, EmailAddress, Authenticator}


@pytest.fixture
def superuser(db):
    return factories.AdminFactory()


@pytest.fixture
def admin_request(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    return request


def test_service_owned_models_are_read_only_in_the_admin(admin_request):
    writable = []
    for model, model_admin in admin.site._registry.items():
        if model in ADMIN_EDITABLE or model in THIRD_PARTY:
            continue
        assert model_admin.has_view_permission(admin_request), model
        inlines = [inline(model, admin.site) for inline in model_admin.inlines]
        for name, allowed in [
            ("add", model_admin.has_add_permission(admin_request)),
            ("change", model_admin.has_change_permission(admin_request)),
            ("delete", model_admin.has_delete_permission(admin_request)),
            *[
                (f"{inline.model.__name__} inline {action}", allowed)
                for inline in inlines
                for action, allowed in [
                    ("add", inline.has_add_permission(admin_request, None)),
                    ("change", inline.has_change_permission(admin_request)),
                    ("delete", inline.has_delete_permission(admin_request)),
                ]
            ],
        ]:
            if allowed:
                writable.append(f"{model._meta.label}: {name}")
    assert writable == []


def test_admin_owned_models_are_editable_but_never_deleted(admin_request):
    registered = set(admin.site._registry)
    assert ADMIN_EDITABLE <= registered
    for model in ADMIN_EDITABLE:
        model_admin = admin.site._registry[model]
        assert model_admin.has_add_permission(admin_request), model
        assert model_admin.has_change_permission(admin_request), model
        assert not model_admin.has_delete_permission(admin_request), model


def test_no_history_version_is_reverted_in_the_admin(admin_request):
    for model, model_admin in admin.site._registry.items():
        if hasattr(model_admin, "revert_disabled"):
            assert model_admin.revert_disabled(admin_request), model


@pytest.fixture
def submitted(db):
    application = ready_application()
    return project_services.application_submit(
        actor=application.created_by, application=application
    )


def test_admin_post_to_an_application_does_not_change_its_state(client, superuser, submitted):
    client.force_login(superuser)
    url = reverse("admin:projects_application_change", args=[submitted.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"state": ApplicationState.DRAFT, "acronym": "CHANGED", "title": submitted.title},
    )
    assert response.status_code == 403
    acronym = submitted.acronym
    submitted.refresh_from_db()
    assert (submitted.state, submitted.acronym) == (ApplicationState.SUBMITTED, acronym)


def test_admin_history_revert_of_an_application_is_refused(client, superuser, submitted):
    client.force_login(superuser)
    history = reverse("admin:projects_application_history", args=[submitted.pk])
    assert client.get(history).status_code == 200
    draft_version = submitted.history.filter(state=ApplicationState.DRAFT).earliest("history_date")
    url = reverse(
        "admin:projects_application_simple_history",
        args=[submitted.pk, draft_version.history_id],
    )
    form = client.get(url).context["adminform"].form
    # What the "Revert" button would send: the old version's own values.
    data = {
        name: value.pk if hasattr(value, "pk") else value
        for name, value in ((name, form[name].value()) for name in form.fields)
        if value is not None
    }
    assert client.post(url, data).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED


def test_admin_sets_roles_through_user_set_roles(client, superuser):
    user = factories.StaffFactory(first_name="An", last_name="Peeters")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:programme_user_change", args=[user.pk]),
        {
            "email": user.email,
            "first_name": "An",
            "last_name": "Peeters",
            "organisation": "",
            "language": "nl",
            "roles": [Role.STAFF, Role.COUNCIL],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    user = programme_models.User.objects.get(pk=user.pk)
    assert user.roles == {Role.STAFF, Role.COUNCIL}
    latest = user.history.latest("history_date")
    assert (latest.history_change_reason, latest.history_user) == (
        "roles: council, staff",
        superuser,
    )


def test_admin_user_form_shows_the_roles_held(client, superuser):
    user = factories.UserFactory(roles=[Role.EXPERT, Role.COUNCIL])
    client.force_login(superuser)
    form = (
        client.get(reverse("admin:programme_user_change", args=[user.pk])).context["adminform"].form
    )
    assert set(form["roles"].initial) == {Role.EXPERT, Role.COUNCIL}


def test_admin_leaves_roles_alone_when_they_do_not_change(client, superuser):
    user = factories.ExpertFactory()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:programme_user_change", args=[user.pk]),
        {"email": user.email, "language": "nl", "roles": [Role.EXPERT], "is_active": "on"},
    )
    assert response.status_code == 302
    reasons = list(user.history.values_list("history_change_reason", flat=True))
    assert [r for r in reasons if r and r.startswith("roles:")] == []
    assert programme_models.User.objects.get(pk=user.pk).roles == {Role.EXPERT}


def test_admin_adds_a_body_through_body_create(client, superuser):
    programme = factories.ProgrammeFactory()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:governance_body_add"),
        {
            "programme": programme.pk,
            "kind": "steering_group",
            "name_nl": "Stuurgroep",
            "name_en": "Steering group",
            "description_nl": "",
            "description_en": "",
        },
    )
    assert response.status_code == 302
    body = Body.objects.get(programme=programme)
    latest = body.history.latest("history_date")
    assert (latest.history_change_reason, latest.history_user) == ("body created", superuser)


def test_every_admin_list_opens(client, superuser):
    client.force_login(superuser)
    failing = []
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        status = client.get(url).status_code
        if status != 200:
            failing.append((url, status))
    assert failing == []


def test_admin_adds_a_user(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:programme_user_add")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "email": "nieuw@vlaio.example",
            "usable_password": "true",
            "password1": "een-lang-wachtwoord-2019",
            "password2": "een-lang-wachtwoord-2019",
        },
    )
    assert response.status_code == 302
    assert programme_models.User.objects.get(email="nieuw@vlaio.example").roles == frozenset()


def test_admin_corrects_a_body_name_but_not_its_kind(client, superuser):
    from .factories import BodyFactory

    body = BodyFactory()
    client.force_login(superuser)
    url = reverse("admin:governance_body_change", args=[body.pk])
    response = client.post(
        url,
        {
            "kind": "advisory_council" if body.kind != "advisory_council" else "steering_group",
            "name_nl": "Nieuwe naam",
            "name_en": body.name_en,
            "description_nl": "",
            "description_en": "",
        },
    )
    assert response.status_code == 302
    kind = body.kind
    body.refresh_from_db()
    assert (body.name_nl, body.kind) == ("Nieuwe naam", kind)
