import pytest
from django.core.management import call_command

from programme.demo import DEMO_PASSWORD
from programme.models import Programme

from ..conftest import browser_login

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return Programme.objects.get(code="gg-2019")


def test_staff_logs_in_and_reads_the_budget_table_in_dutch(page, live_server, demo):
    browser_login(page, live_server, "medewerker@vlaio.demo", DEMO_PASSWORD)
    page.get_by_role("link", name="Programma's").first.click()
    page.get_by_role("link", name="Vlaams Beleidsplan Gepersonaliseerde Geneeskunde").click()
    table = page.locator("#budget-table")
    assert table.locator("caption").inner_text() == "Programmabudget per jaar, in euro"
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["Begrotingslijn", "2019", "2020", "Totaal"]
    project_row = table.locator("tbody tr", has_text="Projectbudget (ICON-oproepen)")
    assert project_row.locator("td").all_inner_texts() == [
        "€\xa04.500.000",
        "€\xa05.000.000",
        "€\xa09.500.000",
    ]
    assert page.locator("#budget-total").inner_text() == "€\xa010.000.000"


def test_pages_fit_a_phone_screen(browser, live_server, demo):
    """No horizontal scrolling of the page on a 375 px wide phone (tables scroll inside)."""
    context = browser.new_context(locale="nl-BE", viewport={"width": 375, "height": 740})
    page = context.new_page()
    browser_login(page, live_server, "medewerker@vlaio.demo", DEMO_PASSWORD)
    for path in ["/", f"/programmes/{demo.pk}/", "/organisations/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
    context.close()


def test_every_form_field_has_a_label_and_the_page_has_landmarks(page, live_server, demo):
    browser_login(page, live_server, "medewerker@vlaio.demo", DEMO_PASSWORD)
    for path in ["/organisations/new/", "/organisations/", f"/programmes/{demo.pk}/"]:
        page.goto(live_server.url + path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
                .map(el => el.name)"""
        )
        assert unlabelled == [], path
        assert page.locator("main").count() == 1
        assert page.locator("header nav").count() == 1
