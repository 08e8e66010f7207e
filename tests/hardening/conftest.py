"""The access matrix's world (every role, every page), reused by the probes that visit
every page: built once per module, its files in the module's media folder."""

import pytest

from tests.test_access_matrix import world, world_media  # noqa: F401 - fixtures, reused


@pytest.fixture
def world_media_root(_test_settings, settings, world_media):  # noqa: F811
    """The module's media folder, where the world's files are (as in the matrix)."""
    settings.MEDIA_ROOT = world_media
