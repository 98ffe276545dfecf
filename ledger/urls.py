from django.urls import path

from ledger import views, views_notice
from ledger import views_committee as committee

app_name = "ledger"

urlpatterns = [
    # Residents and everyone with a role
    path("mine/", views.my_household, name="mine"),
    path("households/<int:pk>/", views.household, name="household"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("receipts/<int:pk>/pdf/", views.receipt_pdf, name="receipt-pdf"),
    path("accounts/", views.public_accounts, name="public"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("notices/", views_notice.notices, name="notices"),
    path("notices/<str:month>/", views_notice.notice, name="notice"),
    path("notices/<str:month>/pdf/", views_notice.notice_download, name="notice-pdf"),
    # Public: is a printed chain head still the books' own?
    path("verify/", views_notice.head_verify, name="head-verify"),
    # Collection: the treasurer, and building heads for their building
    path("households/<int:pk>/pay/", committee.payment_new, name="payment-new"),
    path("households/<int:pk>/reminder/", committee.reminder, name="reminder"),
    path("arrears/", committee.arrears, name="arrears"),
    path("handovers/", committee.handovers, name="handovers"),
    # The committee
    path("journal/", committee.journal, name="journal"),
    path("journal/<int:pk>/", committee.transaction_detail, name="transaction"),
    path("journal/<int:pk>/reverse/", committee.transaction_reverse, name="transaction-reverse"),
    path("handovers/<int:pk>/confirm/", committee.handover_confirm, name="handover-confirm"),
    path("handovers/confirm/", committee.handovers_confirm, name="handovers-confirm"),
    path("expenses/", committee.expenses, name="expenses"),
    path("expenses/new/", committee.expense_new, name="expense-new"),
    path("expenses/<int:pk>/", committee.expense_detail, name="expense"),
    path("expenses/<int:pk>/approve/", committee.expense_approve, name="expense-approve"),
    path("expenses/<int:pk>/pay/", committee.expense_pay, name="expense-pay"),
    path("expenses/<int:pk>/cancel/", committee.expense_cancel, name="expense-cancel"),
    path("expenses/<int:pk>/attach/", committee.expense_attach, name="expense-attach"),
    path("approvals/", committee.approvals, name="approvals"),
    path("income/new/", committee.income_new, name="income-new"),
    path("funds/", committee.funds, name="funds"),
    path("funds/new/", committee.fund_new, name="fund-new"),
    path("billing/", committee.billing, name="billing"),
    path("billing/run/", committee.billing_run, name="billing-run"),
    path("months/", committee.months, name="months"),
    path("months/close/", committee.month_close, name="month-close"),
    path("months/<str:month>/", committee.month_detail, name="month"),
    path("fees/", committee.fees, name="fees"),
    path("fees/rates/", committee.fee_rate_new, name="fee-rate-new"),
    path("fees/adjustments/", committee.adjustment_new, name="adjustment-new"),
    path("fees/adjustments/<int:pk>/end/", committee.adjustment_end, name="adjustment-end"),
    path("budget/<int:year>/", committee.budget, name="budget"),
    path("chart/", committee.chart, name="chart"),
    path("chart/<int:pk>/rename/", committee.account_rename, name="account-rename"),
]
