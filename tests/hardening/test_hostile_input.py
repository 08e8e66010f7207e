"""Bad input never gives a 5xx: every form of every page, for every role that may open
it, posted with hostile values; every page opened with hostile query parameters.

The pages and roles are the access matrix's (tests/test_access_matrix.py: its MATRIX
and the World it builds once). Each form is found in the page's HTML and posted with
every field set to one hostile value (NUL and other control characters, non-ASCII
digits, out-of-range and huge numbers, formula text, long text), then hypothesis draws
mixed values for random forms. Writes are rolled back after each post. Marked
`hardening` (make hardening); about a minute.
"""

from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from tests.test_access_matrix import ANON, MATRIX

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.hardening,
    pytest.mark.usefixtures("world_media_root"),
]

HOSTILE = [
    "\x00",
    "draft\x00title",
    "\x01\x02\x1b[31m\x7f",
    "²",
    "٣٤",
    "１２",
    "-1",
    "150",
    "-0",
    "1e309",
    "NaN",
    "Infinity",
    "9" * 40,
    "0x10",
    "1.000.000,5,5",
    '=HYPERLINK("http://x","y")',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "x" * 5000,
    "",
    " ",
    "2019-02-30",
    "9999-99-99",
]
QUERY_NAMES = [
    "cut",
    "include",
    "exclude",
    "year",
    "programme",
    "call",
    "page",
    "on",
    "q",
    "sort",
    "table",
    "kind",
    "state",
    "format",
]


@dataclass
class Form:
    action: str
    fields: dict  # name -> list of option values ([] for free text)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._current = Form(action=attrs.get("action") or "", fields={})
            self.forms.append(self._current)
        elif self._current is None:
            return
        elif tag in ("input", "textarea") and attrs.get("name"):
            if (attrs.get("type") or "").lower() in ("file", "submit", "button", "image"):
                return
            if attrs["name"] == "csrfmiddlewaretoken":
                return
            self._current.fields.setdefault(attrs["name"], [])
            if attrs.get("value") is not None:
                self._current.fields[attrs["name"]].append(attrs["value"])
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._current.fields.setdefault(self._select, [])
        elif tag == "option" and self._select:
            self._current.fields[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def _pages(world):
    """(url, role) for every matrix row a role may open (200)."""
    pages = []
    for row in MATRIX:
        url = reverse(row.name, kwargs=row.kwargs(world))
        roles = [r for r in world.users if row.expected(r) == 200]
        if row.expected(ANON) == 200:
            roles.append(ANON)
        if roles:
            pages.append((url, roles[0]))
    return pages


def _login(client, world, role):
    client.logout()
    if role != ANON:
        client.force_login(world.users[role])


def _post(client, url, data):
    """POST and roll back whatever it wrote; the status code."""
    with transaction.atomic():
        status = client.post(url, data).status_code
        transaction.set_rollback(True)
    return status


@pytest.fixture
def forms(world, client):
    """Every POST form of every page the matrix opens: (role, action url, form)."""
    client.raise_request_exception = False
    found, seen = [], set()
    for url, role in _pages(world):
        _login(client, world, role)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = (form.action or url).split("#")[0]
            # The header's language and logout forms are on every page: posted once;
            # logging out in the middle would turn the rest into anonymous posts.
            key = (role, action, tuple(sorted(form.fields)))
            if key in seen or action == reverse("logout") or "/admin/" in action:
                continue
            if action.startswith("/"):
                seen.add(key)
                found.append((role, action, form))
    return found


def test_every_page_with_hostile_query_parameters_answers_without_5xx(world, client):
    client.raise_request_exception = False
    failures = []
    for url, role in _pages(world):
        _login(client, world, role)
        for values in (("²", "\x00", "٣,x,²"), ("9" * 40, "-1", "1e309")):
            query = {name: values[i % len(values)] for i, name in enumerate(QUERY_NAMES)}
            status = client.get(url, query).status_code
            if status >= 500:
                failures.append(f"GET {url} ({role}) {query!r}: {status}")
    assert failures == []


def test_every_form_posted_with_hostile_values_answers_without_5xx(world, client, forms):
    assert len(forms) >= 20  # the pages really have forms (a parser bug would find none)
    failures = []
    for role, action, form in forms:
        _login(client, world, role)
        # Each field gets one of the values in turn: every kind of value reaches every
        # kind of field over the three posts.
        values = ("draft\x00title", "²", "-1", "150", "9" * 40, "1e309")
        for start in range(3):
            data = {name: values[(start + i) % len(values)] for i, name in enumerate(form.fields)}
            status = _post(client, action, data)
            if status >= 500:
                failures.append(f"POST {action} ({role}) {data!r}: {status}")
    assert failures == []


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_forms_with_mixed_hostile_values_never_5xx(world, client, forms, data):
    role, action, form = data.draw(st.sampled_from(forms))
    values = {}
    for name, options in form.fields.items():
        choices = st.sampled_from(HOSTILE) | st.text(max_size=12)
        if options:
            choices = choices | st.sampled_from(options)
        values[name] = data.draw(choices, label=name)
    _login(client, world, role)
    status = _post(client, action, values)
    assert status < 500, f"POST {action} ({role}) {values!r}: {status}"
