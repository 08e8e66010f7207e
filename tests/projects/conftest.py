import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Reasons are asserted in English (msgids); the site's default language is Dutch."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """Pages in English, whatever the site default (Dutch)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
