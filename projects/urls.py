from django.urls import path

from . import views

A = "applications/<int:pk>/"

urlpatterns = [
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/<int:call_pk>/", views.application_create, name="application_create"),
    path(A, views.application_detail, name="application_detail"),
    path(A + "edit/", views.application_edit, name="application_edit"),
    path(A + "checks/", views.application_checks, name="application_checks"),
    path(A + "partners/new/", views.partner_add, name="partner_add"),
    path(
        A + "partners/invitations/send/",
        views.partner_invitations_send,
        name="partner_invitations_send",
    ),
    path(A + "partners/<int:partner_pk>/edit/", views.partner_edit, name="partner_edit"),
    path(A + "partners/<int:partner_pk>/remove/", views.partner_remove, name="partner_remove"),
    path(A + "partners/<int:partner_pk>/budget/", views.partner_budget, name="partner_budget"),
    path(A + "attachments/new/", views.attachment_upload, name="attachment_upload"),
    path(
        A + "attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        A + "attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path(A + "submit/", views.application_submit, name="application_submit"),
    path(A + "withdraw/", views.application_withdraw, name="application_withdraw"),
    path(A + "complete/", views.application_complete, name="application_complete"),
    path(A + "pdf/", views.application_pdf, name="application_pdf"),
    path("admissibility/", views.admissibility_list, name="admissibility_list"),
    path(
        "admissibility/export/<str:fmt>/", views.admissibility_export, name="admissibility_export"
    ),
    path("admissibility/<int:pk>/", views.admissibility_check, name="admissibility_check"),
]
