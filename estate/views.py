from importlib import import_module

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Each part of the estate contributes its panels to the dashboard, in this order.
DASHBOARD_APPS = ("estate", "ledger", "repairs", "keys")


@require_GET
@never_cache
def healthz(request):
    """200 when the app and its database answer, 503 when the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def dashboard(request):
    panels = []
    for app in DASHBOARD_APPS:
        panels.extend(import_module(f"{app}.dashboard").panels(request))
    return render(request, "estate/dashboard.html", {"panels": panels})
