"""Money is Decimal with two places, rounded half up (四舍五入) here and nowhere else."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value):
    """Round to the fen, half up: 101.50 m² × 0.39 = 39.585 → 39.59.

    Refuses float: binary floating point turns 39.585 into 39.58499… and
    rounds it down, one fen short.
    """
    if isinstance(value, float):
        raise TypeError("money must be Decimal, not float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")


def chinese_capitals(amount):
    """An amount in Chinese capitals as written on receipts (大写金额): 1755.00 → 壹仟柒佰伍拾伍元整.

    Follows the banks' rules for filling in amounts: one 零 for any run of
    zeros between digits (1005.07 → 壹仟零伍元零柒分) but none for a zero
    right before 万 or 亿 (105000 → 壹拾万伍仟元整), 壹拾 not 拾
    (10 → 壹拾元整), 整 only after whole yuan, nothing for zero yuan before
    jiao and fen (0.50 → 伍角).
    """
    amount = round_money(amount)
    if amount < 0:
        raise ValueError("receipts are written for amounts of zero or more")
    fen_total = int(amount * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    words = []
    if yuan:
        digits = str(yuan)
        pending_zero = False
        for index, char in enumerate(digits):
            position = len(digits) - 1 - index
            digit = int(char)
            if digit:
                if pending_zero:
                    words.append("零")
                    pending_zero = False
                words.append(DIGITS[digit] + PLACES[position % 4])
            else:
                pending_zero = True
            if position % 4 == 0 and position and any(int(c) for c in digits[max(0, index - 3):index + 1]):
                words.append(GROUPS[position // 4])
                pending_zero = False  # 壹拾万伍仟: a zero just before 万 or 亿 is not read out
        words.append("元")
    if not yuan and not rest:
        return "零元整"
    if not rest:
        words.append("整")
    else:
        if jiao:
            words.append(DIGITS[jiao] + "角")
        elif yuan:
            words.append("零")
        if fen:
            words.append(DIGITS[fen] + "分")
    return "".join(words)
