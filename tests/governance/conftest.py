import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Reasons are asserted in English (the msgids); one test checks the Dutch text."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """Pages in English unless a test asks for Dutch (LANGUAGE_CODE is nl)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
