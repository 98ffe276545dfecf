from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Connect the activity log to allauth's authenticators, and a login to the session's idle clock.
        from accounts import audit, middleware  # noqa: F401
