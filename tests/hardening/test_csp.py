"""Content-Security-Policy: the header on every page type (the access matrix's pages,
each opened by a role that may), no inline script, event handler or style attribute in
what they serve, and a browser session with the policy enforced and no console error."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.test_access_matrix import ANON, MATRIX

pytestmark = pytest.mark.hardening

POLICY = "; ".join(f"{name} {' '.join(values)}" for name, values in settings.SECURE_CSP.items())
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"\s on[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)


def test_the_policy_allows_no_inline_code_and_nothing_from_elsewhere():
    for directive in ("script-src", "style-src", "default-src"):
        assert settings.SECURE_CSP[directive] == ["'self'"], directive
    assert settings.SECURE_CSP["frame-ancestors"] == ["'none'"]
    assert settings.SECURE_CSP["object-src"] == ["'none'"]


@pytest.mark.django_db
@pytest.mark.usefixtures("world_media_root")
def test_every_page_type_sends_the_policy_and_has_no_inline_code(world, client):
    problems = []
    for row in MATRIX:
        roles = [r for r in world.users if row.expected(r) == 200]
        if row.expected(ANON) == 200:
            roles.insert(0, ANON)
        if not roles:
            continue
        client.logout()
        if roles[0] != ANON:
            client.force_login(world.users[roles[0]])
        url = reverse(row.name, kwargs=row.kwargs(world))
        response = client.get(url)
        if response.get("Content-Security-Policy") != POLICY:
            problems.append(f"{url}: header {response.get('Content-Security-Policy')!r}")
        if "html" in response.get("Content-Type", "") and not response.streaming:
            html = response.content.decode()
            for label, pattern in (
                ("inline script", INLINE_SCRIPT),
                ("event handler", INLINE_HANDLER),
                ("style attribute", STYLE_ATTRIBUTE),
            ):
                found = pattern.search(html)
                if found:
                    problems.append(f"{url}: {label} {html[found.start() : found.end() + 40]!r}")
    assert problems == []


@pytest.mark.django_db
def test_error_pages_and_refusals_send_the_policy(client):
    assert client.get("/no-such-page/")["Content-Security-Policy"] == POLICY
    assert client.get(reverse("organisation_list"))["Content-Security-Policy"] == POLICY
