"""The project's URLs. Each app's own routes live in its urls.py under its namespace."""

from django.urls import include, path

from estate import views
from ledger import views_notice as ledger_notice_views

urlpatterns = [
    path("", include("estate.app_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("users/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("ledger/", include("ledger.urls")),
    # The QR code on a printed notice: short, public, one code per posted notice.
    path("n/<str:code>/", ledger_notice_views.notice_verify, name="notice-verify"),
    path("repairs/", include("repairs.urls")),
    path("keys/", include("keys.urls")),
    path("care/", include("care.urls")),
    path("messages/", include("messaging.urls")),
]
