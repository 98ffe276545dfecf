"""General notices for the bulletin board: written, previewed, posted, printed, archived."""

from django.db import transaction
from django.utils import timezone

from accounts.activity import log_action
from estate.models import Notice


class NoticeAlreadyPosted(Exception):
    pass


@transaction.atomic
def notice_save(*, notice=None, title, body, notice_date, signature, by):
    """Create a draft, or change one; a posted notice cannot change."""
    if notice is None:
        notice = Notice(created_by=by)
        verb = "notice.created"
    else:
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.is_posted:
            raise NoticeAlreadyPosted
        verb = "notice.changed"
    notice.title, notice.body, notice.notice_date, notice.signature = title, body, notice_date, signature
    notice.save()
    log_action(verb, notice, by=by, details={"title": title})
    return notice


@transaction.atomic
def notice_post(*, notice, by):
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.is_posted:
        raise NoticeAlreadyPosted
    notice.status = Notice.Status.POSTED
    notice.posted_at = timezone.now()
    notice.posted_by = by
    notice.save(update_fields=["status", "posted_at", "posted_by"])
    log_action("notice.posted", notice, by=by)
    # Those who asked to hear of new notices are told (messaging/jobs.py).
    from messaging.jobs import publication_tell
    from messaging.models import Topic

    publication_tell(kind=Topic.NOTICE, title=notice.title, link=notice.get_absolute_url(), key=f"notice:{notice.pk}")
    return notice


@transaction.atomic
def notice_discard(*, notice, by):
    """Throw away a draft that was never posted."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.is_posted:
        raise NoticeAlreadyPosted
    log_action("notice.discarded", notice, by=by, details={"title": notice.title})
    notice.delete()
