from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from governance.urls import root_urlpatterns as governance_root_urlpatterns
from programme.views import two_factor_required

# django-allauth serves every account page (/accounts/: login, logout, sign-up, e-mail
# verification and change, password reset and change, two-factor enrolment under 2fa/).
# The names the site used before stay: `login` and `logout` are allauth's views on the
# same paths; the old password-reset addresses redirect to allauth's (a reset link mailed
# before the change no longer works: the person asks for a new one).
accounts = [
    path("login/", account_views.login, name="login"),
    path("logout/", account_views.logout, name="logout"),
    path(
        "password-reset/",
        RedirectView.as_view(pattern_name="account_reset_password", permanent=True),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        RedirectView.as_view(pattern_name="account_reset_password_done", permanent=True),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        RedirectView.as_view(url=reverse_lazy("account_reset_password"), permanent=True),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        RedirectView.as_view(pattern_name="account_login", permanent=True),
        name="password_reset_complete",
    ),
    path("two-factor-required/", two_factor_required, name="two_factor_required"),
]

urlpatterns = [
    path("accounts/", include(accounts)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("governance/", include("governance.urls")),
    path("", include("projects.urls")),
    path("", include("programme.urls")),
    path("", include("calls.urls")),
    path("", include(governance_root_urlpatterns)),
]
