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

from . import review_views  # noqa: E402

urlpatterns += [
    path("reviews/", review_views.review_list, name="review_list"),
    path("reviews/<int:pk>/declare/", review_views.review_declare, name="review_declare"),
    path("reviews/<int:pk>/", review_views.review_score, name="review_score"),
    path("calls/<int:pk>/reviews/", review_views.review_call_overview,
         name="review_call_overview"),
    path("calls/<int:pk>/reviews/assign/", review_views.review_assign_auto,
         name="review_assign_auto"),
    path("applications/<int:pk>/reviewers/", review_views.review_assign_page,
         name="review_assign_page"),
    path("assignments/<int:pk>/unassign/", review_views.review_unassign,
         name="review_unassign"),
    path("applications/<int:pk>/consensus/", review_views.consensus_page, name="consensus_page"),
    path("reviewers/", review_views.reviewer_list, name="reviewer_list"),
    path("reviewers/<int:pk>/expertise/", review_views.reviewer_expertise_edit,
         name="reviewer_expertise_edit"),
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

# Exports of the call evaluation (views_reports.py); the PDF report is made by a worker.
from . import views_reports  # noqa: E402

urlpatterns += [
    path("calls/<int:pk>/evaluation/export/<str:fmt>/", views_reports.evaluation_export,
         name="evaluation_export"),
]
