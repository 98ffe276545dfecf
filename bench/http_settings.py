"""The app's settings, served with the benchmark's URLs (bench/http_urls.py) and static files uncollected."""

from estate.settings import *  # noqa: F403
from estate.settings import STORAGES

ROOT_URLCONF = "bench.http_urls"
# Without collectstatic: unhashed static URLs, as with DEBUG on; no difference to the timings.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
