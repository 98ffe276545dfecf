from django.db import migrations

from estate.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("repairs", "0002_timeline_append_only")]

    # A ticket's photos hang off its timeline and are part of its record: added, never changed or removed.
    operations = [AppendOnly("repairs_photo")]
