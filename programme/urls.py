from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("kpis/<int:kpi_pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("milestones/<int:pk>/evidence/", views.milestone_evidence, name="milestone_evidence"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/join/", views.organisation_join, name="organisation_join"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path(
        "organisations/<int:pk>/members/", views.organisation_members, name="organisation_members"
    ),
    path(
        "organisations/<int:pk>/members/<int:membership_pk>/decide/",
        views.membership_decide,
        name="membership_decide",
    ),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
]
