from django.db import migrations

from estate.db import AppendOnly


class Migration(migrations.Migration):
    """A check once recorded is what was seen that day: never altered."""

    dependencies = [("care", "0001_agreements_checks_alerts")]

    operations = [AppendOnly("care_check")]
