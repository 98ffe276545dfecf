"""The project's URLs. Each app's own routes live in its urls.py under its namespace."""

from django.urls import include, path

from accounts import views as accounts_views
from decisions import views as decisions_views
from estate import views
from ledger import views_notice as ledger_notice_views

urlpatterns = [
    path("", include("estate.app_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("users/", include("accounts.urls")),
    # allauth's page of one's two-step login, kept as HTML (accounts.views.two_step_index); the rest is allauth's.
    path("accounts/2fa/", accounts_views.two_step_index, name="mfa_index"),
    path("accounts/", include("allauth.urls")),
    path("ledger/", include("ledger.urls")),
    path("bank/", include("bank.urls")),
    # The QR code on a printed notice: short, public, one code per posted notice.
    path("n/<str:code>/", ledger_notice_views.notice_verify, name="notice-verify"),
    path("repairs/", include("repairs.urls")),
    path("keys/", include("keys.urls")),
    path("care/", include("care.urls")),
    path("messages/", include("messaging.urls")),
    path("arrears/", include("chasing.urls")),
    path("decisions/", include("decisions.urls")),
    # The QR code on a printed tally sheet (表决结果公告): public, like the notice's.
    path("d/<str:code>/", decisions_views.tally_verify, name="tally-verify"),
    path("committee/", include("committee.urls")),
    path("proposals/", include("voice.urls")),
    path("budget/", include("budgeting.urls")),
]

# Error pages in the site's layout and language (estate/errors.py); CSRF_FAILURE_VIEW is in settings.
handler400 = "estate.errors.bad_request"
handler403 = "estate.errors.permission_denied"
handler404 = "estate.errors.page_not_found"
handler500 = "estate.errors.server_error"
# Not Django's: django-allauth answers a request over its rate limits with ROOT_URLCONF.handler429.
handler429 = "estate.errors.too_many_requests"
