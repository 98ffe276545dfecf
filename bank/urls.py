from django.urls import path

from bank import views

app_name = "bank"

urlpatterns = [
    path("", views.latest, name="latest"),
    path("<str:month>/", views.reconcile, name="reconcile"),
    path("<str:month>/columns/", views.mapping_save, name="mapping-save"),
    path("<str:month>/import/", views.statement_import, name="statement-import"),
    path("<str:month>/balance/", views.statement_enter, name="statement-enter"),
    path("<str:month>/explain/", views.explanation_new, name="explanation-new"),
    path("<str:month>/cash/", views.cash_count, name="cash-count"),
    path("<str:month>/cash/confirm/", views.cash_confirm, name="cash-confirm"),
    path("statements/<int:pk>/file/", views.statement_file, name="statement-file"),
]
