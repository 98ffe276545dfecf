from tests.access import COMMITTEE, EVERYONE, Access, AccessTestCase

OTHERS = ("head1", "volunteer", "resident", "resident_b", "outsider")


def committee_only(url_name, kwargs=lambda t: {}, method="get", data=lambda t: {}):
    return Access(url_name, ok=COMMITTEE, forbidden=OTHERS, kwargs=kwargs, method=method, data=data)


def household_a(t):
    return {"pk": t.household_a.pk}


def resident_record(t):
    return {"pk": t.resident_record.pk}


class EstateAccessTest(AccessTestCase):
    rules = [
        Access("estate:dashboard", ok=EVERYONE),
        Access("healthz", ok=EVERYONE, public=True),
        Access("set_language", ok=EVERYONE, public=True, method="post", data=lambda t: {"language": "en"}),
        # The register: the committee and building heads (their own building); residents never see the list.
        Access("estate:household-list", ok=(*COMMITTEE, "head1"),
               forbidden=("volunteer", "resident", "resident_b", "outsider")),
        # 1-1-301 is in head1's building and is where `resident` lives.
        Access("estate:household-detail", kwargs=household_a, ok=(*COMMITTEE, "head1", "resident"),
               hidden=("resident_b",), forbidden=("volunteer", "outsider")),
        # 2-1-101 is in building 2: not head1's, not `resident`'s.
        Access("estate:household-detail", kwargs=lambda t: {"pk": t.household_b.pk},
               ok=(*COMMITTEE, "resident_b"), hidden=("head1", "resident"), forbidden=("volunteer", "outsider")),
        committee_only("estate:household-new"),
        committee_only("estate:household-edit", kwargs=household_a),
        committee_only("estate:household-deactivate", kwargs=household_a, method="post"),
        committee_only("estate:household-reactivate", kwargs=household_a, method="post"),
        committee_only("estate:resident-list"),
        committee_only("estate:resident-new", kwargs=household_a),
        committee_only("estate:resident-edit", kwargs=resident_record),
        committee_only("estate:resident-deactivate", kwargs=resident_record, method="post"),
        committee_only("estate:resident-reactivate", kwargs=resident_record, method="post"),
        committee_only("estate:roster-import"),
        committee_only("estate:roster-confirm", method="post", data=lambda t: {"token": "forged"}),
    ]
