"""A stand-in for a ledger view, to test the money guard before the ledger exists."""

from django.http import HttpResponse
from django.urls import include, path

from accounts.permissions import money_mfa_required


@money_mfa_required
def record_payment(request):
    return HttpResponse("money page")


urlpatterns = [
    path("test-money/", record_payment, name="test-money"),
    path("", include("estate.urls")),
]
