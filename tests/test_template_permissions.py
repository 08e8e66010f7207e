"""Templates ask the `rules` permissions ({% has_perm %}), never role names, and a menu
item shows exactly when the page it leads to opens."""

import re
from pathlib import Path

import pytest
from django.urls import resolve, reverse

from .conftest import ROLE_FACTORIES

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = ["templates", "programme", "calls", "projects", "governance"]

# Every page the main menu can lead to.
MENU_PAGES = [
    "call_manage_list",
    "call_list",
    "budget_index",
    "application_list",
    "admissibility_list",
    "programme_list",
    "organisation_list",
    "body_list",
    "review_list",
    "reviewer_list",
    "report_list",
    "funding_dashboard",
    "my_projects",
    "admin:index",
]


def _templates():
    for top in TEMPLATE_DIRS:
        yield from sorted((ROOT / top).rglob("*.html"))


def test_no_template_tests_role_names():
    role_tests = re.compile(r"user_roles|\.roles\b|has_role")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if role_tests.search(line)
    ]
    assert found == []


def _menu_pages(client) -> set[str]:
    body = client.get(reverse("home")).content.decode()
    menu = body.split('id="mainnav"', 1)[1].split("</ul>", 1)[0]
    return {resolve(href).view_name for href in re.findall(r'href="([^"]+)"', menu)}


def _pages_that_open(client) -> set[str]:
    opened = {name for name in MENU_PAGES if client.get(reverse(name)).status_code == 200}
    # "Calls" leads who manages calls to the management list, everyone else to the
    # public list (which opens for everybody).
    if "call_manage_list" in opened:
        opened.discard("call_list")
    # "Funded projects" leads who follows all of them to the dashboard, the consortium
    # to its own.
    if "funding_dashboard" in opened:
        opened.discard("my_projects")
    return opened


@pytest.mark.parametrize("role", ["anonymous", *ROLE_FACTORIES])
def test_menu_shows_exactly_the_pages_that_open(client, db, role):
    if role != "anonymous":
        client.force_login(ROLE_FACTORIES[role]())
    assert _menu_pages(client) == _pages_that_open(client)
