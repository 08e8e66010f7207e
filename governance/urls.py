from django.urls import path

from . import views

urlpatterns = [
    path("", views.body_list, name="body_list"),
    path("<int:pk>/", views.body_detail, name="body_detail"),
    path("<int:pk>/members/new/", views.membership_create, name="membership_create"),
    path("memberships/<int:pk>/edit/", views.membership_edit, name="membership_edit"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]

# The decision side of the evaluation (views_decisions.py).
from . import views_decisions  # noqa: E402

urlpatterns += [
    path("calls/<int:pk>/ranking/", views_decisions.ranking, name="ranking"),
    path("calls/<int:pk>/decided/", views_decisions.call_decided, name="call_mark_decided"),
    path(
        "applications/<int:pk>/decision/",
        views_decisions.application_decision,
        name="application_decision",
    ),
    path("applications/<int:pk>/advice/", views_decisions.advice_record, name="advice_record"),
    path("applications/<int:pk>/decide/", views_decisions.decision_record, name="decision_record"),
    path("decisions/<int:pk>/decline/", views_decisions.decision_decline, name="decision_decline"),
    path("letters/<int:pk>/", views_decisions.letter_download, name="letter_download"),
]
