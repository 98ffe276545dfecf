"""The project's URLs. Each app's own routes live in its urls.py under its namespace."""

from django.urls import include, path

from estate import views

urlpatterns = [
    path("", include("estate.app_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("users/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("ledger/", include("ledger.urls")),
    path("repairs/", include("repairs.urls")),
    path("keys/", include("keys.urls")),
]
