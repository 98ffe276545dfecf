from django.db import migrations

from estate.db import AppendOnly


class Migration(migrations.Migration):
    """The arrears chasing record and the reminder policy's history are never altered."""

    dependencies = [("messaging", "0001_messages_and_deliveries")]

    operations = [AppendOnly("messaging_arrearsreminder"), AppendOnly("messaging_reminderpolicy")]
