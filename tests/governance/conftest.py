import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Reasons are asserted in English (the msgids); one test checks the Dutch text."""
    with translation.override("en"):
        yield
