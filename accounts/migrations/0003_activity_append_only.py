from django.db import migrations

from estate.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_roles_invitations_activity")]

    operations = [AppendOnly("accounts_activityrecord")]
