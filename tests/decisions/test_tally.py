"""The thresholds of 《民法典》第二百七十八条, at their exact boundaries, each measure failing alone."""

from decimal import Decimal

from django.test import SimpleTestCase

from decisions.tally import count, reason_text


def roll(*areas):
    """Units 1, 2, 3 … with these areas, each its own head."""
    return {n: (Decimal(area), f"unit:{n}") for n, area in enumerate(areas, start=1)}


def measures_met(result, stage):
    return {t.measure: t.met for t in result.tests if t.stage == stage}


class ParticipationTest(SimpleTestCase):
    def test_exactly_two_thirds_of_area_and_heads_is_enough(self):
        result = count(roll("100.00", "100.00", "100.00"), {1: "yes", 2: "yes"}, three_quarters=False)
        self.assertEqual(measures_met(result, "participation"), {"area": True, "heads": True})
        self.assertTrue(result.quorum_met)
        self.assertTrue(result.passed)

    def test_one_fen_of_area_short_is_not_enough_though_the_heads_are(self):
        result = count(roll("100.00", "99.99", "100.01"), {1: "yes", 2: "yes"}, three_quarters=False)
        self.assertEqual(measures_met(result, "participation"), {"area": False, "heads": True})
        self.assertFalse(result.quorum_met)
        self.assertFalse(result.passed)

    def test_one_head_short_is_not_enough_though_the_area_is(self):
        # 4 heads need 3 (⌈8/3⌉); two owners holding 310 of 330 m² are 94 % of the area but only 2 heads.
        result = count(roll("300.00", "10.00", "10.00", "10.00"), {1: "yes", 2: "yes"}, three_quarters=False)
        self.assertEqual(measures_met(result, "participation"), {"area": True, "heads": False})
        heads = next(t for t in result.tests if t.stage == "participation" and t.measure == "heads")
        self.assertEqual((heads.have, heads.of, heads.need), (2, 4, 3))
        self.assertFalse(result.passed)


class MajorityTest(SimpleTestCase):
    def test_exactly_half_for_fails_more_than_half(self):
        result = count(roll("100.00", "100.00"), {1: "yes", 2: "no"}, three_quarters=False)
        self.assertTrue(result.quorum_met)
        self.assertEqual(measures_met(result, "approval"), {"area": False, "heads": False})
        self.assertFalse(result.passed)

    def test_exactly_half_the_area_fails_alone(self):
        result = count(roll("100.00", "50.00", "150.00"), {1: "yes", 2: "yes", 3: "no"}, three_quarters=False)
        self.assertEqual(measures_met(result, "approval"), {"area": False, "heads": True})
        self.assertFalse(result.passed)

    def test_exactly_half_the_heads_fails_alone(self):
        result = count(roll("200.00", "100.00"), {1: "yes", 2: "no"}, three_quarters=False)
        self.assertEqual(measures_met(result, "approval"), {"area": True, "heads": False})
        self.assertFalse(result.passed)

    def test_one_fen_over_half_with_more_than_half_the_heads_passes(self):
        result = count(roll("100.01", "100.00", "0.01"), {1: "yes", 2: "no", 3: "yes"}, three_quarters=False)
        self.assertEqual(measures_met(result, "approval"), {"area": True, "heads": True})
        self.assertTrue(result.passed)

    def test_abstentions_take_part_but_do_not_count_for(self):
        result = count(roll("100.00", "100.00", "100.00"), {1: "yes", 2: "abstain", 3: "abstain"},
                       three_quarters=False)
        self.assertTrue(result.quorum_met)
        self.assertEqual((result.voted_heads, result.yes_heads, result.abstain_heads), (3, 1, 2))
        self.assertFalse(result.passed)


class ThreeQuartersTest(SimpleTestCase):
    """Items 6–8 (raising funds, rebuilding, changing the use of common parts)."""

    def test_exactly_three_quarters_passes(self):
        result = count(roll("100.00", "100.00", "100.00", "100.00"), {1: "yes", 2: "yes", 3: "yes", 4: "no"},
                       three_quarters=True)
        self.assertEqual(measures_met(result, "approval"), {"area": True, "heads": True})
        self.assertTrue(result.passed)

    def test_one_fen_short_of_three_quarters_fails_though_the_heads_are_enough(self):
        result = count(roll("100.00", "100.00", "99.99", "100.01"), {1: "yes", 2: "yes", 3: "yes", 4: "no"},
                       three_quarters=True)
        self.assertEqual(measures_met(result, "approval"), {"area": False, "heads": True})
        self.assertFalse(result.passed)

    def test_one_head_short_of_three_quarters_fails_though_the_area_is_enough(self):
        # 2 of 3 heads (⌈9/4⌉ = 3 needed) holding 98 % of the area.
        result = count(roll("500.00", "480.00", "20.00"), {1: "yes", 2: "yes", 3: "no"}, three_quarters=True)
        self.assertEqual(measures_met(result, "approval"), {"area": True, "heads": False})
        self.assertFalse(result.passed)

    def test_what_passes_by_simple_majority_fails_here(self):
        choices = {1: "yes", 2: "yes", 3: "no"}
        self.assertTrue(count(roll("100.00", "100.00", "100.00"), choices, three_quarters=False).passed)
        self.assertFalse(count(roll("100.00", "100.00", "100.00"), choices, three_quarters=True).passed)


class HeadsTest(SimpleTestCase):
    def test_one_owner_of_three_units_is_one_head(self):
        units = {1: (Decimal("80.00"), "owner:7"), 2: (Decimal("80.00"), "owner:7"), 3: (Decimal("80.00"), "owner:7"),
                 4: (Decimal("80.00"), "unit:4")}
        result = count(units, {1: "yes", 2: "yes", 3: "yes"}, three_quarters=False)
        self.assertEqual((result.total_heads, result.voted_heads, result.yes_heads), (2, 1, 1))
        self.assertEqual(result.voted_fen, 24000)
        # 240 of 320 m² (75 %) but one head of two: 50 %, short of two thirds.
        self.assertEqual(measures_met(result, "participation"), {"area": True, "heads": False})

    def test_an_owners_units_must_carry_one_choice(self):
        units = {1: (Decimal("80.00"), "owner:7"), 2: (Decimal("80.00"), "owner:7")}
        with self.assertRaises(ValueError):
            count(units, {1: "yes", 2: "no"}, three_quarters=False)


class WordsTest(SimpleTestCase):
    def test_a_reason_reads_with_its_figures(self):
        result = count(roll("100.00", "99.99", "100.01"), {1: "yes", 2: "yes"}, three_quarters=False)
        area = next(t for t in result.tests if t.stage == "participation" and t.measure == "area")
        text = reason_text(area.as_dict())
        self.assertIn("199.99", text)
        self.assertIn("300.00", text)
        self.assertIn("200.00", text)
