"""Request hygiene, before any view or form sees the request.

- `ControlCharactersMiddleware`: NUL and the other control characters (C0 except tab,
  line feed and carriage return; DEL) are removed from every query and form value,
  once, here — not per field. PostgreSQL cannot store a NUL in text or JSON (a draft
  kept with it failed, and what the user typed was lost), and no one types the others.
  A page that received some says so (a message), and keeps the rest of what was typed.
- `UploadSizeMiddleware`: a request body larger than the upload limit is refused from
  its Content-Length, before the body is read (413 with a page in the user's language).
- `SecondFactorRequiredMiddleware`: two-factor login for everyone who evaluates or decides.

Known limits: file contents are not touched (uploads are checked by
programme.uploads); JSON bodies are not rewritten (no endpoint of the app takes one).

Two-factor login: a person holding one of settings.MFA_REQUIRED_ROLES (staff, council,
experts, steering group, programme manager, administrators) reaches no page but their
own account pages (/accounts/: enrolment, the second-factor prompt, logout), the
language switch, static files and the health check until this session was opened with a
second factor: allauth records each authentication step in the session, and we ask for a
step of method "mfa". Without an authenticator they are sent to enrol (TOTP, then
recovery codes); with one (a session opened before enrolment) to allauth's second-factor
prompt. Applicants may enrol too, but are not required to.
"""

import re

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .formats import parse_int

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(value: str) -> str:
    """`value` without NUL and the other control characters (tab and new lines stay)."""
    return CONTROL_CHARACTERS.sub("", value)


def _cleaned(query: QueryDict) -> QueryDict | None:
    """A copy of `query` without control characters in keys or values; None when it had
    none (the request keeps its own)."""
    if not any(
        CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(v) for v in values)
        for key, values in query.lists()
    ):
        return None
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(
            strip_control_characters(key), [strip_control_characters(v) for v in values]
        )
    cleaned._mutable = False
    return cleaned


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = False
        query = _cleaned(request.GET)
        if query is not None:
            request.GET, found = query, True
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            form = _cleaned(request.POST)
            if form is not None:
                request.POST, found = form, True
        if found and hasattr(request, "_messages"):
            messages.warning(
                request,
                _("Invisible control characters were removed from what you typed."),
                fail_silently=True,
            )
        return self.get_response(request)


def upload_limit() -> int:
    """The largest request body accepted: the largest upload plus room for the form."""
    return settings.MAX_UPLOAD_BYTES + 1024 * 1024


class UploadSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = parse_int(request.META.get("CONTENT_LENGTH"), default=0, maximum=2**62)
        if length > upload_limit():
            limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
            body = render_to_string(
                "413.html",
                {"limit_mb": limit_mb},
                request=request,
            )
            response = HttpResponse(body, status=413)
            # The body was not read: the client must not reuse this connection.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


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
