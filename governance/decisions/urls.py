from django.urls import path

from . import views

urlpatterns = [
    path("calls/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("calls/<int:pk>/decided/", views.call_decided, name="call_mark_decided"),
    path(
        "applications/<int:pk>/decision/",
        views.application_decision,
        name="application_decision",
    ),
    path("applications/<int:pk>/advice/", views.advice_record, name="advice_record"),
    path("applications/<int:pk>/decide/", views.decision_record, name="decision_record"),
    path("decisions/<int:pk>/decline/", views.decision_decline, name="decision_decline"),
    path("letters/<int:pk>/", views.letter_download, name="letter_download"),
    path("letters/<int:pk>/again/", views.letter_retry, name="letter_retry"),
]
