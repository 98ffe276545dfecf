from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BankConfig(AppConfig):
    name = "bank"
    verbose_name = _("Bank and cash reconciliation")

    def ready(self):
        from bank import closing  # noqa: F401 - registers the month close's open items
