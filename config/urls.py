from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from governance.urls import root_urlpatterns as governance_root_urlpatterns
from programme.views import PasswordResetView

accounts = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("accounts/", include(accounts)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("governance/", include("governance.urls")),
    path("", include("projects.urls")),
    path("", include("programme.urls")),
    path("", include("calls.urls")),
    path("", include(governance_root_urlpatterns)),
]
