from django.db import migrations

from estate.db import AppendOnly


class Migration(migrations.Migration):
    """Nothing in a key's history can be altered: hand-overs, their confirmations, consents, inventory checks."""

    dependencies = [("keys", "0001_key_custody")]

    operations = [
        AppendOnly("keys_keyhandover"),
        AppendOnly("keys_keyhandoverevent"),
        AppendOnly("keys_keyconsent"),
        AppendOnly("keys_inventorycheck"),
        AppendOnly("keys_inventoryline"),
    ]
