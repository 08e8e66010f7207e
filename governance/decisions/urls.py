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
    path("decisions/<int:pk>/decline/", views.decision_decline, name="decision_decline"),
    path("letters/<int:pk>/", views.letter_download, name="letter_download"),
    path("letters/<int:pk>/again/", views.letter_retry, name="letter_retry"),
    path("calls/<int:pk>/decision-proposals/", views.call_proposals, name="call_proposals"),
    path("decision-proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path(
        "decision-proposals/<int:pk>/items/<int:item>/",
        views.proposal_item_edit,
        name="proposal_item_edit",
    ),
    path("decision-proposals/<int:pk>/agenda/", views.proposal_agenda, name="proposal_agenda"),
    path("decision-proposals/<int:pk>/vote/", views.proposal_vote, name="proposal_vote"),
    path(
        "decision-proposals/<int:pk>/decisions/",
        views.proposal_decisions,
        name="proposal_decisions",
    ),
    path("calls/<int:pk>/reserve-list/", views.reserve_list, name="reserve_list"),
    path(
        "decisions/<int:pk>/fund-from-reserve/",
        views.reserve_fund,
        name="reserve_fund",
    ),
]
