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
