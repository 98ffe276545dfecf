from django.db import migrations

from estate.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("estate", "0003_general_notices")]

    # What hung on the board stays as it hung: posted notices cannot be changed or deleted.
    operations = [AppendOnly("estate_notice", when="OLD.status = 'posted'")]
