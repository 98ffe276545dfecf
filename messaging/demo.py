"""This app's part of the demo estate (called by seed_demo, after every other app).

What the committee's delivery log shows: messages on every channel, sent, and one SMS that failed after
its last try; the inbox of `resident` with news of her key.
No task is queued for these: they were "sent" before the demo was loaded.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from messaging.models import Channel, Delivery, Message, Topic


def seed(*, out):
    users = {u.username: u for u in User.objects.filter(username__in=["chair", "member", "treasurer", "head1",
                                                                      "resident", "resident2"])}
    now = timezone.now()

    def message(at, subject, body, *, channel=None, address="", status=Delivery.Status.SENT, attempts=1,
                error="", ref="", **to):
        msg = Message.objects.create(topic=to.pop("topic"), subject=subject, body=body, created_at=at,
                                     read_at=to.pop("read_at", None), **to)
        if channel:
            Delivery.objects.create(message=msg, channel=channel, address=address, status=status, attempts=attempts,
                                    claimed_at=at, sent_at=at if status == Delivery.Status.SENT else None,
                                    next_attempt_at=at, last_error=error, provider_ref=ref)
        return msg

    day = now - timedelta(days=2, hours=3)
    message(day, "您的钥匙K-007已被取出", "赵德明和孙淑珍取出了您的钥匙，用途：浇花。", topic=Topic.KEY_OUT,
            recipient=users["resident"], link="/keys/mine/", channel=Channel.SMS, address="13800138001",
            ref="900619746936498440^0")
    message(day + timedelta(minutes=50), "您的钥匙K-007已放回钥匙柜", "浇了阳台和客厅的花。", topic=Topic.KEY,
            recipient=users["resident"], link="/keys/mine/")
    message(now - timedelta(hours=2), "钥匙逾期未还", "一把钥匙取出已超过4小时。", topic=Topic.KEY_OVERDUE,
            recipient=users["chair"], link="/keys/", channel=Channel.EMAIL, address="chair@example.org")
    message(now - timedelta(hours=2), "钥匙逾期未还", "一把钥匙取出已超过4小时。", topic=Topic.KEY_OVERDUE,
            group="committee", link="/keys/", channel=Channel.ROBOT, address="committee")
    message(now - timedelta(days=1), "2-1-502 物业费提醒", "邻居您好，请及时缴纳物业费。", topic=Topic.ARREARS,
            recipient=users["resident2"], channel=Channel.SMS, address="13700137000",
            status=Delivery.Status.FAILED, attempts=5, error="Aliyun: isv.BUSINESS_LIMIT_CONTROL 触发天级流控")

    out.write("Messages: inbox, SMS, e-mail and group robot logs (one SMS failed)")
