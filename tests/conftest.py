import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_settings(tmp_path_factory):
    """For what runs outside a test function too (setUpTestData, the demo): a fast password hasher,
    and uploaded files in a temporary folder rather than the project's var/."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


def pytest_xdist_auto_num_workers(config):
    """`make test` runs `pytest -n auto`: the suite or a folder is shared out over the CPUs, one worker
    per CPU, each with its own test database; a run of a few files or tests stays in one process, where
    setting up a second database would cost more than it saves (docs/ARCHITECTURE.md, "Tests and CI")."""
    import os

    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own reading of it
    if config.args and all(arg.endswith(".py") or "::" in arg for arg in config.args):
        return 0
    return None
