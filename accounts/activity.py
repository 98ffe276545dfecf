"""The activity log: every change of state writes one record, in the same transaction."""

from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext_lazy as _

# Set by RequestContextMiddleware; outside a request the change came from the command line.
request_source = ContextVar("request_source", default="command")


def log_action(verb, target=None, *, by=None, details=None):
    """Record that `by` did `verb` to `target`.

    Call it from the service that makes the change, inside its atomic block,
    so the record and the change are committed together or not at all.
    """
    from accounts.models import ActivityRecord

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_action() must run inside the transaction that makes the change")
    record = ActivityRecord(
        actor=by if by is not None and by.is_authenticated else None,
        source=request_source.get(),
        verb=verb,
        details=details or {},
    )
    if target is not None:
        record.target_type = ContentType.objects.get_for_model(target)
        record.target_id = str(target.pk)
        record.target_repr = str(target)[:200]
    record.save()
    return record


# What the activity page shows for each verb; a verb not listed here is shown as it is.
# Other apps add their verbs here, so that the whole log reads in one language.
VERB_LABELS = {
    "role.grant": _("granted a role to"),
    "role.withdraw": _("withdrew a role from"),
    "invitation.create": _("issued an invitation"),
    "invitation.revoke": _("revoked an invitation"),
    "user.join": _("set up a login with an invitation"),
    "user.password_reset": _("set a new password with an invitation"),
    "user.password_set": _("changed the password of"),
    "user.mfa.added": _("turned on two-factor login for"),
    "user.mfa.removed": _("turned off two-factor login for"),
    "user.login_held_back": _("held back repeated failed logins for"),
    # estate: the register and the bulletin board
    "building.created": _("added a building"),
    "household.created": _("added a household"),
    "household.updated": _("changed a household"),
    "household.deactivated": _("took a household off the register"),
    "household.reactivated": _("put a household back on the register"),
    "resident.created": _("added a resident"),
    "resident.updated": _("changed a resident"),
    "resident.deactivated": _("marked a resident as moved out"),
    "resident.reactivated": _("marked a resident as living here again"),
    "roster.imported": _("imported a roster"),
    "notice.created": _("wrote a notice"),
    "notice.changed": _("changed a notice"),
    "notice.posted": _("posted a notice"),
    "notice.discarded": _("discarded a draft notice"),
    # ledger
    "ledger.account.renamed": _("renamed an account"),
    "ledger.adjustment.created": _("set a fee adjustment"),
    "ledger.adjustment.ended": _("ended a fee adjustment"),
    "ledger.attachment.added": _("attached a document to an expense"),
    "ledger.budget.set": _("set a budget"),
    "ledger.expense.recorded": _("entered an expense"),
    "ledger.expense.approved": _("approved an expense"),
    "ledger.expense.paid": _("paid an expense"),
    "ledger.expense.cancelled": _("cancelled an expense"),
    "ledger.fee_rate.set": _("set the fee rate"),
    "ledger.fund.created": _("opened a project fund"),
    "ledger.handover.confirmed": _("confirmed a building head's cash hand-over"),
    "ledger.income.recorded": _("recorded income"),
    "ledger.month.billed": _("billed a month"),
    "ledger.month.closed": _("closed a month"),
    "ledger.notice.posted": _("posted a monthly accounts notice"),
    "ledger.payment.recorded": _("recorded a payment"),
    "ledger.payment.reversed": _("voided a payment"),
    "ledger.transaction.reversed": _("reversed a transaction"),
    # bank: the bank's statement and the cash box beside the books
    "bank.mapping.saved": _("saved the column names of a bank's statement"),
    "bank.statement.imported": _("imported a bank statement"),
    "bank.statement.entered": _("entered a bank statement's closing balance"),
    "bank.difference.explained": _("explained a difference from the books"),
    "bank.cash.counted": _("counted the cash box"),
    "bank.cash.confirmed": _("confirmed a cash count"),
    # committee roles (committee/) and the residents' voice (voice/)
    "appointment.proposed": _("proposed a committee appointment"),
    "appointment.confirmed": _("confirmed a committee appointment"),
    "appointment.cancelled": _("cancelled a committee appointment"),
    "voice.proposal.created": _("made a proposal"),
    "voice.proposal.supported": _("supported a proposal"),
    "voice.proposal.accepted": _("accepted a proposal"),
    "voice.proposal.declined": _("declined a proposal"),
    "voice.comment.added": _("commented on"),
    "voice.comment.hidden": _("hid a comment on"),
    # budgeting: the budget drawn up with residents
    "budgeting.plan.created": _("began drawing up"),
    "budgeting.draft.saved": _("changed the draft of"),
    "budgeting.plan.published": _("published for comments"),
    "budgeting.comment.added": _("commented on"),
    "budgeting.comment.hidden": _("hid a comment on"),
    "budgeting.plan.revised": _("revised"),
    "budgeting.plan.put_to_vote": _("put to the owners' vote"),
    "budgeting.plan.adopted": _("adopted"),
    # repairs
    "repairs.ticket.reported": _("reported a repair"),
    "repairs.ticket.accept": _("accepted a repair"),
    "repairs.ticket.reject": _("rejected a repair"),
    "repairs.ticket.assign": _("assigned a repair"),
    "repairs.ticket.start": _("started a repair"),
    "repairs.ticket.finish": _("finished a repair"),
    "repairs.ticket.confirm": _("confirmed a repair is fixed"),
    "repairs.ticket.reopen": _("reopened a repair"),
    "repairs.ticket.close": _("closed a repair"),
    "repairs.ticket.rated": _("rated a repair"),
    "repairs.ticket.commented": _("commented on a repair"),
    "repairs.photo.unreadable": _("dropped a repair photo that could not be read"),
    "repairs.quote.added": _("added a quote"),
    "repairs.quote.chosen": _("chose a quote"),
    "repairs.volunteer.added": _("added a volunteer to the talent pool"),
    "repairs.volunteer.changed": _("changed a volunteer's details"),
    "repairs.contractor.added": _("added a contractor"),
    "repairs.contractor.changed": _("changed a contractor's details"),
    # keys
    "keys.keeper_appointed": _("appointed a key keeper"),
    "keys.keeper_ended": _("ended a key keeper's term"),
    "keys.deposit_created": _("took in a spare key"),
    "keys.consent_changed": _("changed a key's consent"),
    "keys.consent_withdrawn": _("withdrew a key's consent"),
    "keys.handover_started": _("asked to take a key out"),
    "keys.handover_out": _("witnessed a key taken out"),
    "keys.handover_back_first": _("put a key back"),
    "keys.handover_back": _("witnessed a key put back"),
    "keys.handover_cancelled": _("cancelled a key hand-over"),
    "keys.deposit_handed_back": _("gave a spare key back to its household"),
    "keys.deposit_returned": _("confirmed a spare key came back home"),
    "keys.deposit_lost": _("reported a spare key lost"),
    "keys.inventory_checked": _("checked the key cabinet"),
    # decisions: owners' votes
    "decisions.owner.marked": _("marked units of one owner"),
    "decisions.owner.changed": _("changed the units of one owner"),
    "decisions.owner.unmarked": _("counted an owner's units separately again"),
    "decisions.proxy.recorded": _("recorded a written proxy"),
    "decisions.proxy.revoked": _("revoked a written proxy"),
    "decisions.assembly.created": _("called an owners' assembly"),
    "decisions.assembly.changed": _("changed an owners' assembly"),
    "decisions.motion.drafted": _("drafted a motion"),
    "decisions.motion.changed": _("changed a draft motion"),
    "decisions.motion.discarded": _("discarded a draft motion"),
    "decisions.motion.opened": _("opened voting on a motion"),
    "decisions.motion.closed": _("closed and counted a vote"),
    "decisions.attachment.added": _("attached a document to a motion"),
    "decisions.attachment.removed": _("removed a document from a motion"),
    "decisions.ballot.cast": _("voted"),
    "decisions.ballot.entered": _("entered a paper ballot"),
    "decisions.ballot.confirmed": _("confirmed a paper ballot"),
    "decisions.ballot.corrected": _("corrected a ballot"),
    "decisions.ballot.changed": _("changed their vote"),
    # care and messages
    "care.agreement_created": _("recorded a check-in agreement"),
    "care.agreement_changed": _("changed a check-in agreement"),
    "care.agreement_paused": _("paused a check-in agreement"),
    "care.agreement_resumed": _("resumed a check-in agreement"),
    "care.agreement_ended": _("ended a check-in agreement"),
    "care.agreement_viewed": _("looked at a check-in agreement"),
    "care.check_recorded": _("recorded a daily check"),
    "care.alert_raised": _("raised an alert for a missed check"),
    "care.alert_escalated": _("passed an alert on to the next people"),
    "care.alert_resolved": _("resolved an alert"),
    "care.alert_key_started": _("started an emergency key hand-over from an alert"),
    "messaging.arrears_reminded": _("recorded an arrears reminder"),
    "messaging.reminder_policy_set": _("set how often households in arrears are reminded"),
}

_DETAIL_LABELS = {
    "role": _("role"),
    "scope": _("of"),
    "invitation": _("invitation no."),
    "valid_until": _("valid until"),
    "reason": _("reason"),
    "kind": _("kind"),
    "amount": _("amount"),
    "approvals": _("approvals"),
    "approvals_needed": _("approvals needed"),
    "needed": _("approvals needed"),
    "category": _("category"),
    "contractor": _("contractor"),
    "household": _("household"),
    "households": _("households"),
    "method": _("payment method"),
    "month": _("month"),
    "name": _("name"),
    "payee": _("payee"),
    "phone": _("phone"),
    "photos": _("photos"),
    "rate": _("rate"),
    "rating": _("rating"),
    "receipt": _("receipt no."),
    "reversal": _("reversing transaction"),
    "transaction": _("transaction"),
    "title": _("title"),
    "total": _("total"),
    "year": _("year"),
    "login": _("login name"),
    "urgency": _("urgency"),
    "place": _("where"),
    "volunteer": _("volunteer"),
    "from": _("from"),
    "to": _("to"),
    "head_seq": _("last transaction"),
    "head_hash": _("chain hash"),
    "outcome": _("outcome"),
    "note": _("note"),
    "means": _("how"),
    "next_step": _("next step"),
    "min_days": _("days at least between two reminders"),
    "level": _("told so far"),
}
_REASONS = {"replaced": _("replaced by a new invitation")}


def verb_label(verb):
    return VERB_LABELS.get(verb, verb)
