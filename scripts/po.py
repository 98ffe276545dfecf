#!/usr/bin/env python3
"""Small helper for locale/zh_Hans/LC_MESSAGES/django.po (no dependencies).

  scripts/po.py missing            list msgids without a translation (or fuzzy)
  scripts/po.py fill FILE.tsv      set translations from lines "msgid<TAB>msgstr"
  scripts/po.py merge OURS BASE THEIRS
                                   git merge driver (see .gitattributes): keeps every entry of both
                                   sides, a translation from whichever side has one; writes OURS.
                                   Run `make messages` (makemessages + compilemessages) afterwards.
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"
# comments, msgctxt?, msgid, msgid_plural?, "msgstr " or "msgstr[0] ", the translation
ENTRY = re.compile(
    r'((?:#.*\n)*)(msgctxt (?:".*"\n)+)?msgid ((?:".*"\n)+)(msgid_plural (?:".*"\n)+)?(msgstr(?:\[0\])? )((?:".*"\n)+)'
)


def _unquote(block):
    return "".join(re.findall(r'"(.*)"', block)).encode().decode("unicode_escape").encode("latin-1").decode()


def _quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"\n'


def entries(text):
    for match in ENTRY.finditer(text):
        yield match, _unquote(match.group(3)), _unquote(match.group(6))


def missing():
    text = PO.read_text()
    return [msgid for m, msgid, msgstr in entries(text) if msgid and (not msgstr or "fuzzy" in m.group(1))]


def fill(tsv):
    wanted = {}
    for line in Path(tsv).read_text().splitlines():
        if "\t" in line:
            key, value = line.split("\t", 1)
            wanted[key.replace("\\n", "\n")] = value.replace("\\n", "\n")
    text = PO.read_text()
    out, last = [], 0
    for match, msgid, _ in entries(text):
        out.append(text[last:match.start()])
        if msgid in wanted:
            comments = match.group(1).replace("#, fuzzy\n", "").replace(", fuzzy", "")
            comments = "".join(line for line in comments.splitlines(keepends=True) if not line.startswith("#|"))
            context, plural = match.group(2) or "", match.group(4) or ""
            out.append(f"{comments}{context}msgid {match.group(3)}{plural}{match.group(5)}{_quote(wanted[msgid])}")
        else:
            out.append(match.group(0))
        last = match.end()
    out.append(text[last:])
    PO.write_text("".join(out))


def _key(match):
    return (match.group(2) or "", _unquote(match.group(3)))


def merge(ours, theirs):
    """Union of two .po texts: our entries in our order, then theirs that we lack."""
    theirs_entries = {_key(m): (m, msgstr) for m, _, msgstr in entries(theirs)}
    out, last, seen = [], 0, set()
    for match, _, msgstr in entries(ours):
        key = _key(match)
        seen.add(key)
        out.append(ours[last:match.start()])
        other = theirs_entries.get(key)
        fuzzy = "fuzzy" in match.group(1)
        if other and other[1] and (not msgstr or fuzzy) and "fuzzy" not in other[0].group(1):
            out.append(other[0].group(0))
        else:
            out.append(match.group(0))
        last = match.end()
    out.append(ours[last:])
    # Obsolete entries (#~) would shadow the live ones the other side brings: makemessages restores what is used.
    text = re.sub(r"(?m)^#~ .*\n", "", "".join(out)).rstrip("\n") + "\n"
    for key, (match, _) in theirs_entries.items():
        if key not in seen and key[1]:
            text += "\n" + match.group(0)
    return text


if __name__ == "__main__":
    if sys.argv[1:2] == ["merge"]:
        ours_path, _base, theirs_path = sys.argv[2:5]
        merged = merge(Path(ours_path).read_text(), Path(theirs_path).read_text())
        Path(ours_path).write_text(merged)
        sys.exit(0)
    if sys.argv[1:2] == ["missing"]:
        for msgid in missing():
            print(msgid.replace("\n", "\\n"))
    elif sys.argv[1:2] == ["fill"]:
        fill(sys.argv[2])
    else:
        sys.exit(__doc__)
