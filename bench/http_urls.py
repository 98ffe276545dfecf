"""The benchmark's URLs: the app's own, and a bare view to measure every page against (bench/http_load.py).

Only gunicorn started by bench/benchmark.py's http section serves these (bench/http_settings.py); the bare view
is never in the app's own URLs.
"""

from django.http import HttpResponse
from django.urls import path

from estate.urls import handler400, handler403, handler404, handler500  # noqa: F401
from estate.urls import urlpatterns as app_urlpatterns


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), *app_urlpatterns]
