from django.db import migrations

from estate.db import AppendOnly

# What residents and owners relied on: every published revision and its lines, every comment and its hiding,
# and which revision was put to which vote (docs/ARCHITECTURE.md, "Residents' voice").
KEPT = ("budgeting_revision", "budgeting_revisionline", "budgeting_comment", "budgeting_commenthiding",
        "budgeting_putting")


class Migration(migrations.Migration):
    """Revisions, comments, hidings and puttings are never changed or deleted; an adopted plan stays adopted."""

    dependencies = [("budgeting", "0001_plans_revisions_comments")]

    operations = [
        *(AppendOnly(table) for table in KEPT),
        AppendOnly("budgeting_plan", when="OLD.status = 'adopted'"),
    ]
