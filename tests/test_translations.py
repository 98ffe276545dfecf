from scripts.po import missing


def test_every_string_has_a_chinese_translation():
    # Run `manage.py makemessages -l zh_Hans` after adding strings, then translate them.
    assert missing() == []


def test_the_words_of_django_and_allauth_read_as_jiayuan_says_them():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("- Select an option -") == "请选择"
        assert translation.gettext("Two-Factor Authentication") == "两步验证"
