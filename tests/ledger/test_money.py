from decimal import Decimal

from django.test import SimpleTestCase

from ledger.money import chinese_capitals


class ChineseCapitalsTest(SimpleTestCase):
    def test_it_writes_amounts_as_on_a_receipt(self):
        cases = {
            "1755.00": "壹仟柒佰伍拾伍元整",
            "0.5": "伍角",
            "0.50": "伍角",
            "0.07": "柒分",
            "0.57": "伍角柒分",
            "1005.07": "壹仟零伍元零柒分",
            "10": "壹拾元整",
            "39.59": "叁拾玖元伍角玖分",
            "100.50": "壹佰元伍角",
            "1000.05": "壹仟元零伍分",
            "10000": "壹万元整",
            "10010": "壹万零壹拾元整",
            "105000": "壹拾万伍仟元整",
            "1000100": "壹佰万零壹佰元整",
            "100100000": "壹亿零壹拾万元整",
            "100000001": "壹亿零壹元整",
            "20000.00": "贰万元整",
            "0": "零元整",
            "0.005": "壹分",  # rounded half up to the fen first
        }
        for amount, words in cases.items():
            with self.subTest(amount=amount):
                self.assertEqual(chinese_capitals(Decimal(amount)), words)

    def test_it_refuses_float_and_negative_amounts(self):
        with self.assertRaises(TypeError):
            chinese_capitals(39.59)
        with self.assertRaises(ValueError):
            chinese_capitals(Decimal("-1"))
