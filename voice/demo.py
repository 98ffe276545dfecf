"""Residents' proposals and comments in the demo estate (every step through voice.services)."""

from django.db.models import Q

from accounts.models import User
from repairs.models import Ticket
from voice import services


def seed(*, out):
    users = {user.username: user for user in User.objects.all()}
    chair, member = users["chair"], users["member"]
    resident, resident2 = users["resident"], users["resident2"]

    shed = services.proposal_create(
        by=resident2, title="2栋北侧加装电动车充电棚",
        body="楼道里飞线充电太危险，上个月3单元差点起火。建议在2栋北侧空地建一个带智能插座的充电棚，按次扫码付费。",
    )
    services.proposal_support(proposal=shed, by=resident)
    services.comment_add(by=resident, proposal=shed, body="支持！顺便装个摄像头，防止电瓶被偷。")
    services.comment_add(by=member, proposal=shed, body="业委会已请两家公司看过场地，报价出来后提交业主大会表决。")

    benches = services.proposal_create(
        by=resident, title="小花园加几张长椅",
        body="老人下楼散步走一圈就累了，花园里只有一张长椅，经常坐不下。建议再加三张，最好有靠背。",
    )
    services.proposal_support(proposal=benches, by=resident2)
    services.proposal_accept_as_ticket(
        proposal=benches, by=chair, answer="采纳。长椅由公共收益支付，已转为报修单安排志愿者安装。",
        category=Ticket.Category.FACILITIES, place=Ticket.Place.GARDEN,
    )

    dogs = services.proposal_create(
        by=resident2, title="禁止在小区内遛狗",
        body="草坪上常有狗粪，孩子没法玩。建议全面禁止在小区里遛狗。",
    )
    rude = services.comment_add(by=resident, proposal=dogs, body="养狗的都没素质，3栋那家姓X的电话是139……")
    services.comment_hide(comment=rude, by=member, reason="含对他人的攻击和个人信息")
    services.comment_add(by=resident, proposal=dogs, body="不如规定牵绳、随手清理，再放两个拾便袋箱。")
    services.proposal_decline(
        proposal=dogs, by=chair,
        answer="全面禁止遛狗超出业委会的权限，也会影响养狗的住户。业委会将在公告栏张贴文明养犬公约，"
               "并在草坪旁设两个拾便袋箱；如需立规，可提交业主大会修改管理规约。",
    )

    services.proposal_create(
        by=resident, title="单元门禁改成刷卡加人脸",
        body="单元门的密码很多外卖员都知道了，形同虚设。",
    )

    # 集思广益: views on common-area repairs and their quotes.
    common = Ticket.objects.filter(household__isnull=True).exclude(Q(quotes__isnull=True)).distinct().first()
    if common is not None:
        quotes = list(common.quotes.all())
        services.comment_add(by=resident2, ticket=common, quote=quotes[-1],
                             body="这个报价要换整条主管，是不是太多了？")
        services.comment_add(by=resident, ticket=common, body="修的时候请提前一天贴通知，家里有老人要储水。")
    out.write("Residents' proposals and comments.\n")
