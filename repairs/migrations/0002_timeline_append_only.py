from django.db import migrations

from estate.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("repairs", "0001_tickets_talent_quotes")]

    # A ticket's timeline is its record: entries are added, never changed or removed.
    operations = [AppendOnly("repairs_ticketevent")]
