"""Anchors of the hash chain outside the database (docs/ARCHITECTURE.md, "Money that cannot be bent").

The chain proves nothing to someone who can rewrite every row and recompute every hash; it does once its
heads are remembered elsewhere: printed on each notice and receipt, sent to every committee member when a
month closes, and written into every backup's manifest. `compare_with_file` checks the books against a
backup archive or a list of printed heads and names the first transaction where they part;
`head_status` answers the public verification page for any head ever printed.
"""

import json
import re
import tarfile
import zlib
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from ledger.models import ClosedMonth, Transaction

MANIFEST = "manifest.json"
# "#446 65d5a0c1…" anywhere in a line (as printed), or a line starting "446 65d5a0c1…".
HEAD_LINE = re.compile(r"#(\d+)[:\s]\s*([0-9a-fA-F]{8,64})|^\s*(\d+)[:\s]\s*([0-9a-fA-F]{8,64})")
MIN_PREFIX = 8


def manifest_section():
    """What a backup's manifest keeps of the chain: every transaction's hash in order, the head, and the
    heads recorded when months were closed."""
    hashes = list(Transaction.objects.order_by("seq").values_list("hash", flat=True))
    return {
        "head": [len(hashes), hashes[-1] if hashes else None],
        "closed_months": [{"month": f"{c.month:%Y-%m}", "seq": c.head_seq, "hash": c.head_hash}
                          for c in ClosedMonth.objects.order_by("month")],
        "chain": hashes,
    }


class AnchorFileError(Exception):
    """The file given to compare with is neither a readable backup nor a list of heads."""


def read_heads(path):
    """[(seq, hash or prefix)] from a backup archive's manifest or a text file of printed heads
    ("446 65d5a0c1…" or "#446 65d5a0c1…", one a line; other lines are ignored)."""
    path = Path(path)
    if not path.is_file():
        raise AnchorFileError(f"There is no file {path}.")
    if tarfile.is_tarfile(path):
        try:
            with tarfile.open(path, mode="r:gz") as tar:
                manifest = json.load(tar.extractfile(MANIFEST))
        except (tarfile.TarError, KeyError, EOFError, OSError, zlib.error, ValueError, TypeError):
            raise AnchorFileError(f"{path} is not a readable Jiayuan backup.") from None
        chain = (manifest.get("ledger") or {}).get("chain")
        if not isinstance(chain, list):
            raise AnchorFileError(f"{path} is a backup made before backups remembered the ledger's chain.")
        return [(seq, digest) for seq, digest in enumerate(chain, start=1)]
    heads = []
    for line in path.read_text(errors="replace").splitlines():
        match = HEAD_LINE.search(line)
        if match:
            seq, digest = (match[1], match[2]) if match[1] else (match[3], match[4])
            heads.append((int(seq), digest.lower()))
    if not heads:
        raise AnchorFileError(f"{path} holds no chain heads (lines like \"446 65d5a0c1…\").")
    return sorted(heads)


def compare_with_file(path):
    """The first difference between the books and the heads in `path` (see read_heads), or None."""
    heads = read_heads(path)
    wanted = {seq for seq, _digest in heads}
    if len(wanted) < 5000:
        ours = dict(Transaction.objects.filter(seq__in=wanted).values_list("seq", "hash"))
    else:  # a backup's whole chain: read the journal's hashes once, in order
        rows = Transaction.objects.order_by("seq").values_list("seq", "hash").iterator(chunk_size=5000)
        ours = {seq: digest for seq, digest in rows if seq in wanted}
    last_good = 0
    for seq, digest in heads:
        current = ours.get(seq)
        if current is None:
            return (f"transaction #{seq}: {path} has it, the books no longer do "
                    f"(after #{last_good}, which still matches)")
        if not current.startswith(digest):
            return (f"transaction #{seq}: differs from {path} ({digest[:16]}… there, {current[:16]}… here); "
                    f"the books part from it after #{last_good}, the last that still matches")
        last_good = seq
    return None


def head_status(seq, digest):
    """For the public page: is `digest` (a printed head, or its first characters) still the hash of
    transaction #seq? Returns (answer, transaction or None), answer one of "matches", "differs", "unknown"."""
    digest = digest.strip().lower()
    if len(digest) < MIN_PREFIX or not re.fullmatch(r"[0-9a-f]+", digest):
        return "unknown", None
    txn = Transaction.objects.filter(seq=seq).first()
    if txn is None:
        return "unknown", None
    return ("matches" if txn.hash.startswith(digest) else "differs"), txn


def announce_head(closed, *, by):
    """Tell every committee member the head recorded when `closed` was closed, so that it is kept outside
    the database (accounts.notify: today e-mail, later the estate's messages)."""
    from accounts.notify import in_estate_language, tell_committee

    with in_estate_language():
        values = {"estate": settings.SITE_NAME, "month": f"{closed.month:%Y-%m}", "seq": closed.head_seq,
                  "hash": closed.head_hash}
        subject = _("%(month)s is closed: chain head #%(seq)s") % values
        body = _(
            "%(month)s was closed. Keep this message: with it anyone can tell later whether the books were "
            "rewritten.\n\nChain head: #%(seq)s %(hash)s\n\nTo check: enter this number and hash on the public "
            "verification page of any notice, or run manage.py check_ledger --against a file holding this line."
        ) % values
    tell_committee(subject=subject, body=body)
