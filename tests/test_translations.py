from scripts.po import missing


def test_every_string_has_a_chinese_translation():
    # Run `manage.py makemessages -l zh_Hans` after adding strings, then translate them.
    assert missing() == []
