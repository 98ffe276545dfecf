import json
from datetime import timedelta
from unittest import mock
from urllib.parse import unquote

import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from messaging import channels, services
from messaging.models import Delivery, Message, Topic
from tests.background import run_queued_tasks
from tests.base import BaseTestCase
from tests.messaging.fake_provider import FakeProvider, closed_port_url

ALIYUN = {"SMS_PROVIDER": "aliyun", "SMS_ACCESS_KEY_ID": "LTAI-test", "SMS_ACCESS_KEY_SECRET": "s3cret",
          "SMS_SIGN_NAME": "幸福家园", "SMS_TEMPLATE": "SMS_4650001", "MESSAGES_RETRY_SECONDS": 60,
          "MESSAGES_MAX_ATTEMPTS": 3, "MESSAGES_TIMEOUT": 1}
TENCENT = {**ALIYUN, "SMS_PROVIDER": "tencent", "SMS_SDK_APP_ID": "1400006666", "SMS_TEMPLATE": "449739"}


class SendingTestCase(BaseTestCase):
    def tell_resident(self, subject="钥匙K-017已取出", **kwargs):
        with transaction.atomic():
            return services.message_send(to=[self.resident], topic=Topic.KEY_OUT, subject=subject,
                                         body="赵师傅和孙阿姨取出了您的钥匙。", link="/keys/mine/", **kwargs)

    def sms(self):
        return Delivery.objects.get(channel="sms")


class SmsTest(SendingTestCase):
    def test_aliyun_gets_one_signed_sendsms_request_with_the_template(self):
        with FakeProvider("aliyun") as fake, override_settings(SMS_ENDPOINT=fake.url, **ALIYUN):
            (message,) = self.tell_resident()
            self.assertEqual(fake.requests, [])  # nothing is sent inside the transaction that wrote it
            run_queued_tasks()
        (request,) = fake.requests
        query = {key: values[0] for key, values in request["query"].items()}
        self.assertEqual((query["Action"], query["Version"], query["PhoneNumbers"], query["SignName"],
                          query["TemplateCode"], query["OutId"]),
                         ("SendSms", "2017-05-25", "13812341234", "幸福家园", "SMS_4650001", str(self.sms().key)))
        self.assertEqual(json.loads(query["TemplateParam"]), {"title": "钥匙K-017已取出"})
        signature = query.pop("Signature")
        expected = channels.aliyun_signed_query(query, "s3cret").split("&", 1)[0].removeprefix("Signature=")
        self.assertEqual(signature, unquote(expected))
        delivery = self.sms()
        self.assertEqual((delivery.status, delivery.attempts, delivery.provider_ref),
                         ("sent", 1, "900619746936498440^0"))
        self.assertEqual(message.deliveries.count(), 1)  # the inbox is the message itself

    def test_tencent_gets_one_tc3_signed_request(self):
        with FakeProvider("tencent") as fake, override_settings(SMS_ENDPOINT=fake.url, **TENCENT):
            self.tell_resident()
            run_queued_tasks()
        (request,) = fake.requests
        self.assertTrue(request["headers"]["authorization"].startswith("TC3-HMAC-SHA256 Credential=LTAI-test/"))
        self.assertEqual(request["headers"]["x-tc-action"], "SendSms")
        body = json.loads(request["body"])
        self.assertEqual((body["PhoneNumberSet"], body["TemplateId"], body["TemplateParamSet"], body["SmsSdkAppId"]),
                         (["+8613812341234"], "449739", ["钥匙K-017已取出"], "1400006666"))
        self.assertEqual((self.sms().status, self.sms().provider_ref), ("sent", "2640:1"))

    def test_a_provider_that_refuses_leaves_the_message_queued_then_failed_after_the_last_try(self):
        start = timezone.now()
        with (FakeProvider("aliyun", "refuse") as fake, override_settings(SMS_ENDPOINT=fake.url, **ALIYUN),
              time_machine.travel(start, tick=False) as clock):
            self.tell_resident()
            run_queued_tasks()
            delivery = self.sms()
            self.assertEqual((delivery.status, delivery.attempts), ("queued", 1))
            self.assertIn("isv.BUSINESS_LIMIT_CONTROL", delivery.last_error)
            self.assertEqual(delivery.next_attempt_at, start + timedelta(seconds=60))
            run_queued_tasks()
            self.assertEqual(len(fake.requests), 1)  # not before its time
            clock.shift(timedelta(seconds=60))
            run_queued_tasks()
            self.assertEqual((self.sms().status, self.sms().attempts), ("queued", 2))
            clock.shift(timedelta(seconds=120))
            run_queued_tasks()
            clock.shift(timedelta(hours=1))
            run_queued_tasks()
            self.assertEqual((self.sms().status, self.sms().attempts, len(fake.requests)), ("failed", 3, 3))
            self.login(self.chair)
            page = self.client.get("/messages/log/?status=failed")
        self.assertContains(page, "138****1234")
        self.assertContains(page, "isv.BUSINESS_LIMIT_CONTROL")
        self.assertNotContains(page, "13812341234")
        # On a phone a card a delivery: the failure and its reason in view, not in a column scrolled off the side.
        self.assertContains(page, '<table class="cards">')
        self.assertContains(page, '<td class="card-line" data-label="状态"><strong class="negative">发送失败</strong>')

    def test_a_provider_that_times_out_is_tried_again_later(self):
        with FakeProvider("aliyun", "hang") as fake, override_settings(SMS_ENDPOINT=fake.url, **ALIYUN):
            self.tell_resident()
            run_queued_tasks()
        delivery = self.sms()
        self.assertEqual((delivery.status, delivery.attempts, len(fake.requests)), ("queued", 1, 1))
        self.assertIn("timed out", delivery.last_error)

    def test_a_refused_connection_is_tried_again_later(self):
        with override_settings(SMS_ENDPOINT=closed_port_url(), **ALIYUN):
            self.tell_resident()
            run_queued_tasks()
        self.assertEqual((self.sms().status, self.sms().attempts), ("queued", 1))
        self.assertIn("Connection refused", self.sms().last_error)

    def test_without_a_provider_there_is_no_sms(self):
        self.tell_resident()
        self.assertFalse(Delivery.objects.filter(channel="sms").exists())


class NeverTwiceTest(SendingTestCase):
    def test_two_tasks_for_one_delivery_send_it_once(self):
        with FakeProvider("aliyun") as fake, override_settings(SMS_ENDPOINT=fake.url, **ALIYUN):
            self.tell_resident()
            with transaction.atomic():
                services._enqueue(self.sms())  # a duplicate task, as a retry racing the schedule might make
            run_queued_tasks()
        self.assertEqual((len(fake.requests), self.sms().status), (1, "sent"))

    def test_a_worker_killed_mid_send_sends_nothing_twice(self):
        real_send = channels.SENDERS["sms"]

        def killed_after_the_provider_took_it(delivery):
            real_send(delivery)
            raise SystemExit("worker killed")  # the process dies before it can record the send

        start = timezone.now()
        with (FakeProvider("aliyun") as fake, override_settings(SMS_ENDPOINT=fake.url, **ALIYUN),
              time_machine.travel(start, tick=False) as clock):
            self.tell_resident()
            with mock.patch.dict(channels.SENDERS, {"sms": killed_after_the_provider_took_it}):
                run_queued_tasks()
            self.assertEqual((self.sms().status, len(fake.requests)), ("sending", 1))
            with transaction.atomic():
                services._enqueue(self.sms())
            run_queued_tasks()
            clock.shift(services.sending_deadline() + timedelta(seconds=1))
            with transaction.atomic():
                services.deliveries_requeue(now=timezone.now())
            run_queued_tasks()
        self.assertEqual((self.sms().status, len(fake.requests)), ("uncertain", 1))

    def test_a_scheduled_message_is_told_once_per_recipient(self):
        self.assertEqual(len(self.tell_resident(dedupe_key="handover:1:overdue")), 1)
        self.assertEqual(self.tell_resident(dedupe_key="handover:1:overdue"), [])
        self.assertEqual(Message.objects.filter(recipient=self.resident).count(), 1)


class EmailAndRobotTest(SendingTestCase):
    def test_e_mail_goes_out_from_the_worker_with_the_link(self):
        self.resident.email = "zhou@example.com"
        self.resident.save()
        self.tell_resident()
        self.assertEqual(mail.outbox, [])
        run_queued_tasks()
        (sent,) = mail.outbox
        self.assertEqual((sent.to, sent.subject), (["zhou@example.com"], "[幸福家园小区] 钥匙K-017已取出"))
        self.assertIn("/keys/mine/", sent.body)

    def test_a_person_who_turned_e_mail_off_gets_the_inbox_only(self):
        self.resident.email = "zhou@example.com"
        self.resident.save()
        with transaction.atomic():
            services.reach_set(user=self.resident, email=False, sms=True, notices=False)
        (message,) = self.tell_resident()
        self.assertEqual(list(message.deliveries.all()), [])

    def test_the_committee_s_group_robot_gets_a_wecom_text_message(self):
        with FakeProvider("robot") as fake, override_settings(ROBOT_COMMITTEE_URL=fake.url):
            with transaction.atomic():
                services.message_to_group(group="committee", topic=Topic.KEY_OVERDUE, subject="钥匙K-017逾期未还",
                                          body="应在14:00前归还", link="/keys/")
            run_queued_tasks()
        (request,) = fake.requests
        payload = json.loads(request["body"])
        self.assertEqual(payload["msgtype"], "text")
        self.assertIn("钥匙K-017逾期未还", payload["text"]["content"])
        self.assertEqual(Delivery.objects.get().status, "sent")

    def test_a_robot_that_refuses_is_tried_again(self):
        with FakeProvider("robot", "refuse") as fake, override_settings(ROBOT_COMMITTEE_URL=fake.url):
            with transaction.atomic():
                services.message_to_group(group="committee", topic=Topic.KEY, subject="测试", body="测试")
            run_queued_tasks()
        self.assertEqual(Delivery.objects.get().status, "queued")
        self.assertIn("45009", Delivery.objects.get().last_error)

    def test_each_robot_speaks_its_own_format(self):
        self.assertEqual(channels.robot_kind("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"), "wecom")
        self.assertEqual(channels.robot_kind("https://oapi.dingtalk.com/robot/send?access_token=t"), "dingtalk")
        self.assertEqual(channels.robot_kind("https://open.feishu.cn/open-apis/bot/v2/hook/x"), "feishu")
        self.assertEqual(channels.robot_payload("feishu", "你好"), {"msg_type": "text", "content": {"text": "你好"}})
        self.assertEqual(channels.robot_payload("dingtalk", "你好"), {"msgtype": "text", "text": {"content": "你好"}})

    def test_no_webhook_no_robot_message(self):
        self.assertIsNone(services.message_to_group(group="building:1", topic=Topic.KEY, subject="x", body="x"))


class InboxTest(SendingTestCase):
    def test_the_unread_count_is_in_the_menu_until_the_message_is_read(self):
        (message,) = self.tell_resident()
        self.login(self.resident)
        page = self.client.get("/")
        self.assertContains(page, '<span class="badge"')
        self.assertContains(page, "钥匙K-017已取出")
        detail = self.client.get(f"/messages/{message.pk}/")
        self.assertContains(detail, "赵师傅和孙阿姨取出了您的钥匙。")
        self.assertNotContains(self.client.get("/messages/"), '<span class="badge"')

    def test_another_person_s_message_is_not_found(self):
        (message,) = self.tell_resident()
        self.login(self.resident_b)
        self.assertEqual(self.client.get(f"/messages/{message.pk}/").status_code, 404)
        self.assertIsNone(Message.objects.get().read_at)


@override_settings(**ALIYUN)
class KeptLogTest(SendingTestCase):
    """The committee's log of deliveries is kept whole per viewer and address under the messages' and the people's
    tokens (estate.panels.kept_page); the messages' token watches the deliveries (migration messaging/0004)."""

    def test_a_kept_log_follows_a_delivery_written_behind_the_app_s_back(self):
        self.tell_resident()
        self.login(self.chair)
        self.assertContains(self.client.get("/messages/log/"), "138****1234")
        self.assertIn("138****1234", self.kept_page_without("/messages/log/", "messaging_delivery"))
        Delivery.objects.filter(channel="sms").update(status="failed", last_error="isv.BUSINESS_LIMIT_CONTROL")
        self.assertContains(self.client.get("/messages/log/"), "isv.BUSINESS_LIMIT_CONTROL")

    def test_one_member_s_kept_log_is_never_shown_to_another(self):
        self.tell_resident()
        self.assert_kept_per_viewer("/messages/log/", self.chair, self.member)
