"""The channels beyond the inbox: e-mail, SMS (Aliyun or Tencent Cloud), group robots.

Each `send_<channel>(delivery)` either returns the provider's reference or raises
SendFailed. Nothing here touches the database: messaging/sending.py records the outcome.
The SMS providers are spoken to over their documented HTTP APIs (signed requests, the
estate's own account, a template the provider approved); see README.md for the variables.
"""

import base64
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail


class SendFailed(Exception):
    """The channel did not take the message; it is tried again until the last attempt."""


def sms_enabled():
    return bool(settings.SMS_PROVIDER)


def robot_url(group):
    if group == "committee":
        return settings.ROBOT_COMMITTEE_URL
    if group.startswith("building:"):
        return settings.ROBOT_BUILDING_URLS.get(group.split(":", 1)[1], "")
    return ""


# --- e-mail -----------------------------------------------------------------------------


def send_email(delivery):
    message = delivery.message
    try:
        send_mail(f"[{settings.SITE_NAME}] {message.subject}", _with_link(message), None, [delivery.address])
    except Exception as error:  # SMTP and socket errors alike: the server did not take it
        raise SendFailed(f"{type(error).__name__}: {error}") from error
    return ""


def _with_link(message):
    return f"{message.body}\n\n{settings.SITE_URL}{message.link}" if message.link else message.body


# --- HTTP -------------------------------------------------------------------------------


def _http(request):
    try:
        with urllib.request.urlopen(request, timeout=settings.MESSAGES_TIMEOUT) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as error:
        raise SendFailed(f"HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise SendFailed(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from error
    try:
        return json.loads(raw or b"{}")
    except ValueError as error:
        raise SendFailed("The answer was not JSON") from error


# --- SMS --------------------------------------------------------------------------------

# Providers cap template variables (Aliyun: 35 characters each); the message's subject goes in
# one variable, `title`, and the approved template wraps it, e.g. "您好，${title}。详情请登录家园查看。"
SMS_TITLE_LENGTH = 35


def sms_params(message):
    return {"title": message.subject[:SMS_TITLE_LENGTH]}


def send_sms(delivery):
    if settings.SMS_PROVIDER == "aliyun":
        return _aliyun_send(delivery)
    if settings.SMS_PROVIDER == "tencent":
        return _tencent_send(delivery)
    raise SendFailed("SMS is not configured")


def _aliyun_quote(text):
    return urllib.parse.quote(str(text), safe="~")


def aliyun_signed_query(params, secret):
    """Aliyun's RPC signature (HMAC-SHA1 over the sorted, percent-encoded query)."""
    canonical = "&".join(f"{_aliyun_quote(k)}={_aliyun_quote(v)}" for k, v in sorted(params.items()))
    to_sign = f"GET&{_aliyun_quote('/')}&{_aliyun_quote(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return f"Signature={_aliyun_quote(base64.b64encode(digest).decode())}&{canonical}"


def _aliyun_send(delivery):
    params = {
        "AccessKeyId": settings.SMS_ACCESS_KEY_ID,
        "Action": "SendSms",
        "Format": "JSON",
        "RegionId": settings.SMS_REGION or "cn-hangzhou",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": secrets.token_hex(16),
        "SignatureVersion": "1.0",
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
        "PhoneNumbers": delivery.address,
        "SignName": settings.SMS_SIGN_NAME,
        "TemplateCode": settings.SMS_TEMPLATE,
        "TemplateParam": json.dumps(sms_params(delivery.message), ensure_ascii=False),
        "OutId": str(delivery.key),
    }
    endpoint = (settings.SMS_ENDPOINT or "https://dysmsapi.aliyuncs.com/").rstrip("/") + "/"
    answer = _http(urllib.request.Request(f"{endpoint}?{aliyun_signed_query(params, settings.SMS_ACCESS_KEY_SECRET)}"))
    if answer.get("Code") != "OK":
        raise SendFailed(f"Aliyun: {answer.get('Code')} {answer.get('Message', '')}".strip())
    return str(answer.get("BizId", ""))


def _tencent_send(delivery):
    """Tencent Cloud SMS SendSms (API 2021-01-11), signed with TC3-HMAC-SHA256."""
    endpoint = settings.SMS_ENDPOINT or "https://sms.tencentcloudapi.com/"
    host = urlsplit(endpoint).netloc
    phone = delivery.address if delivery.address.startswith("+") else f"+86{delivery.address}"
    payload = json.dumps({
        "PhoneNumberSet": [phone],
        "SmsSdkAppId": settings.SMS_SDK_APP_ID,
        "SignName": settings.SMS_SIGN_NAME,
        "TemplateId": settings.SMS_TEMPLATE,
        "TemplateParamSet": [sms_params(delivery.message)["title"]],
        "SessionContext": str(delivery.key),
    }, ensure_ascii=False).encode()
    now = datetime.now(UTC)
    timestamp, day = str(int(now.timestamp())), now.strftime("%Y-%m-%d")
    canonical = "\n".join([
        "POST", "/", "", f"content-type:application/json; charset=utf-8\nhost:{host}\n",
        "content-type;host", hashlib.sha256(payload).hexdigest(),
    ])
    scope = f"{day}/sms/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = f"TC3{settings.SMS_ACCESS_KEY_SECRET}".encode()
    for part in (day, "sms", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(endpoint, data=payload, method="POST", headers={
        "Authorization": f"TC3-HMAC-SHA256 Credential={settings.SMS_ACCESS_KEY_ID}/{scope}, "
                         f"SignedHeaders=content-type;host, Signature={signature}",
        "Content-Type": "application/json; charset=utf-8", "Host": host, "X-TC-Action": "SendSms",
        "X-TC-Version": "2021-01-11", "X-TC-Timestamp": timestamp, "X-TC-Region": settings.SMS_REGION or "ap-guangzhou",
    })
    answer = _http(request).get("Response", {})
    if "Error" in answer:
        raise SendFailed(f"Tencent: {answer['Error'].get('Code')} {answer['Error'].get('Message', '')}".strip())
    status = (answer.get("SendStatusSet") or [{}])[0]
    if status.get("Code") != "Ok":
        raise SendFailed(f"Tencent: {status.get('Code')} {status.get('Message', '')}".strip())
    return str(status.get("SerialNo", ""))


# --- Group robots -----------------------------------------------------------------------


def robot_kind(url):
    host = urlsplit(url).netloc
    if "dingtalk" in host:
        return "dingtalk"
    if "feishu" in host or "larksuite" in host:
        return "feishu"
    return "wecom"  # qyapi.weixin.qq.com, and what the tests' fake server speaks


def robot_payload(kind, text):
    if kind == "feishu":
        return {"msg_type": "text", "content": {"text": text}}
    return {"msgtype": "text", "text": {"content": text}}  # WeCom and DingTalk alike


def send_robot(delivery):
    url = robot_url(delivery.address)
    if not url:
        raise SendFailed("No webhook is configured for this group")
    message = delivery.message
    text = f"【{settings.SITE_NAME}】{message.subject}\n{_with_link(message)}"
    body = json.dumps(robot_payload(robot_kind(url), text), ensure_ascii=False).encode()
    answer = _http(urllib.request.Request(url, data=body, method="POST",
                                          headers={"Content-Type": "application/json; charset=utf-8"}))
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code != 0:
        raise SendFailed(f"Robot: {code} {answer.get('errmsg') or answer.get('msg') or ''}".strip())
    return ""


SENDERS = {"email": send_email, "sms": send_sms, "robot": send_robot}
