from django.urls import path

from . import views

urlpatterns = [
    path("funding/", views.funding_dashboard, name="funding_dashboard"),
    path("funding/mine/", views.my_projects, name="my_projects"),
    path("funding/projects/<int:pk>/", views.funded_project, name="funded_project"),
    path("funding/decisions/<int:pk>/open/", views.project_open, name="funded_project_open"),
    path("funding/projects/<int:pk>/agreement/", views.agreement_draw_up, name="agreement_draw_up"),
    path("funding/agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("funding/agreements/<int:pk>/pdf/", views.agreement_download, name="agreement_download"),
    path(
        "funding/projects/<int:pk>/collaboration/",
        views.collaboration_upload,
        name="collaboration_upload",
    ),
    path(
        "funding/projects/<int:pk>/collaboration/file/",
        views.collaboration_download,
        name="collaboration_download",
    ),
    path(
        "funding/projects/<int:pk>/collaboration/accept/",
        views.collaboration_accept,
        name="collaboration_accept",
    ),
    path("funding/payments/<int:pk>/approve/", views.payment_approve, name="payment_approve"),
    path("funding/projects/<int:pk>/move/<str:to_state>/", views.project_move, name="project_move"),
    path("funding/projects/<int:pk>/stop/", views.project_stop, name="project_stop"),
    path("funding/projects/<int:pk>/changes/new/", views.change_request, name="change_request"),
    path("funding/changes/<int:pk>/", views.change_decide, name="change_decide"),
    path("funding/payments/", views.payment_run, name="payment_run"),
    path("funding/payments/export.<str:fmt>", views.payment_run_export, name="payment_run_export"),
]
