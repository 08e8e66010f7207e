"""Two-factor login for everyone who evaluates or decides.

A person holding one of settings.MFA_REQUIRED_ROLES (staff, council, experts, steering
group, programme manager, administrators) reaches no page but their own account pages
(/accounts/: enrolment, the second-factor prompt, logout), the language switch, static
files and the health check until this session was opened with a second factor: allauth
records each authentication step in the session, and we ask for a step of method "mfa".
Without an authenticator they are sent to enrol (TOTP, then recovery codes); with one
(a session opened before enrolment) to allauth's second-factor prompt. Applicants may
enrol too, but are not required to.
"""

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")


def second_factor_required(user) -> bool:
    return bool(
        user.is_authenticated and (user.has_role(*settings.MFA_REQUIRED_ROLES) or user.is_superuser)
    )


def second_factor_used(request) -> bool:
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            not request.path.startswith(OPEN_PREFIXES)
            and second_factor_required(user)
            and not second_factor_used(request)
        ):
            enrolled = Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
            target = reverse("mfa_reauthenticate" if enrolled else "two_factor_required")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
