"""The reports' pages keep their addresses outside /governance/ (config/urls.py mounts
`urlpatterns` at the root and `governance_urlpatterns` under /governance/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("programmes/<int:pk>/kpis/", views.kpi_overview, name="kpi_overview"),
    path("programmes/<int:pk>/kpis/export/<str:fmt>/", views.kpi_export, name="kpi_export"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/row/", views.report_row, name="report_row"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("budget/", views.budget_index, name="budget_index"),
    path("budget/<int:pk>/", views.budget_year, name="budget_year"),
]

governance_urlpatterns = [
    path(
        "calls/<int:pk>/evaluation/export/<str:fmt>/",
        views.evaluation_export,
        name="evaluation_export",
    ),
]
