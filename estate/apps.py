from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstateConfig(AppConfig):
    name = "estate"
    verbose_name = _("Estate")

    def ready(self):
        from django.db.models.signals import post_migrate

        from estate import cached
        from estate.db import guard_postgresql_truncate, restore_sqlite_triggers

        post_migrate.connect(restore_sqlite_triggers, dispatch_uid="estate.restore_sqlite_triggers")
        post_migrate.connect(guard_postgresql_truncate, dispatch_uid="estate.guard_postgresql_truncate")
        cached.connect()
