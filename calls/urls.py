from django.urls import path

from . import views

urlpatterns = [
    # Public
    path("calls/", views.call_list, name="call_list"),
    path("calls/deadlines.ics", views.call_ics, name="call_ics"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/register/", views.call_register, name="call_register"),
    path("calls/<int:pk>/preregister/", views.call_preregister, name="call_preregister"),
    path("calls/documents/<int:pk>/", views.call_document, name="call_document"),
    # Staff
    path("calls/manage/", views.call_manage_list, name="call_manage_list"),
    path("calls/manage/new/", views.call_create, name="call_create"),
    path("calls/manage/<int:pk>/", views.call_manage, name="call_manage"),
    path("calls/manage/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path(
        "calls/manage/<int:pk>/parameters/", views.call_parameters_edit, name="call_parameters_edit"
    ),
    path("calls/manage/<int:pk>/criteria/", views.call_criteria_edit, name="call_criteria_edit"),
    path(
        "calls/manage/<int:pk>/transition/<str:to_state>/",
        views.call_transition,
        name="call_transition",
    ),
    path("calls/manage/<int:pk>/preselection/", views.preselection_page, name="preselection_page"),
    path("calls/manage/<int:pk>/documents/new/", views.call_document_add, name="call_document_add"),
    path("calls/manage/<int:pk>/envelopes/new/", views.envelope_create, name="envelope_create"),
    path("envelopes/<int:pk>/", views.envelope_detail, name="envelope_detail"),
    path("envelopes/<int:pk>/edit/", views.envelope_edit, name="envelope_edit"),
]
