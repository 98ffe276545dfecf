from tests.access import COMMITTEE, Access, AccessTestCase

NOT_COMMITTEE = ("head1", "volunteer", "resident", "resident_b", "outsider")


class ChasingAccessTest(AccessTestCase):
    rules = [
        # The committee and the building head of the household's building record reminders.
        Access("chasing:remind", ok=(*COMMITTEE, "head1"),
               forbidden=("volunteer", "resident", "resident_b", "outsider"),
               kwargs=lambda t: {"pk": t.household_a.pk}),
        Access("chasing:policy", method="post", ok=COMMITTEE, forbidden=NOT_COMMITTEE,
               data=lambda t: {"min_days": "14"}),
    ]
