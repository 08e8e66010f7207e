from django.urls import path

from . import views

urlpatterns = [
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/declare/", views.review_declare, name="review_declare"),
    path("reviews/<int:pk>/", views.review_score, name="review_score"),
    path("calls/<int:pk>/reviews/", views.review_call_overview, name="review_call_overview"),
    path("calls/<int:pk>/reviews/assign/", views.review_assign_auto, name="review_assign_auto"),
    path("applications/<int:pk>/reviewers/", views.review_assign_page, name="review_assign_page"),
    path("assignments/<int:pk>/unassign/", views.review_unassign, name="review_unassign"),
    path("applications/<int:pk>/consensus/", views.consensus_page, name="consensus_page"),
    path("applications/<int:pk>/reopen/<str:phase>/", views.phase_reopen, name="phase_reopen"),
    path("applications/<int:pk>/discussion/", views.discussion, name="discussion"),
    path("reviews/code-of-conduct/", views.conduct_declaration, name="conduct_declaration"),
    path("reviewers/", views.reviewer_list, name="reviewer_list"),
    path(
        "reviewers/<int:pk>/expertise/",
        views.reviewer_expertise_edit,
        name="reviewer_expertise_edit",
    ),
]

# Mounted at the root (config/urls.py): the organisation pages' address.
root_urlpatterns = [
    path(
        "organisations/<int:pk>/links/new/",
        views.organisation_link_create,
        name="organisation_link_create",
    ),
]
