from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    path("", views.index, name="index"),
    path("motions/<int:pk>/", views.motion_detail, name="motion"),
    path("motions/<int:pk>/vote/", views.vote, name="vote"),
    path("motions/<int:pk>/tally/", views.tally, name="tally"),
    path("motions/<int:pk>/tally.pdf", views.tally_pdf, name="tally-pdf"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("ballots/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("ballots/<int:pk>/change/", views.ballot_change, name="ballot-change"),
    # The committee
    path("assemblies/new/", views.assembly_new, name="assembly-new"),
    path("assemblies/<int:pk>/", views.assembly_detail, name="assembly"),
    path("assemblies/<int:pk>/edit/", views.assembly_edit, name="assembly-edit"),
    path("assemblies/<int:pk>/motions/new/", views.motion_new, name="motion-new"),
    path("motions/<int:pk>/edit/", views.motion_edit, name="motion-edit"),
    path("motions/<int:pk>/attach/", views.motion_attach, name="motion-attach"),
    path("motions/<int:pk>/open/", views.motion_open, name="motion-open"),
    path("motions/<int:pk>/close/", views.motion_close, name="motion-close"),
    path("motions/<int:pk>/discard/", views.motion_discard, name="motion-discard"),
    path("motions/<int:pk>/ballots/", views.ballots, name="ballots"),
    path("motions/<int:pk>/ballots/paper/", views.paper_new, name="paper-new"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment-remove"),
    path("ballots/<int:pk>/confirm/", views.ballot_confirm, name="ballot-confirm"),
    path("ballots/<int:pk>/correct/", views.ballot_correct, name="ballot-correct"),
    path("ballots/<int:pk>/scan/", views.ballot_scan, name="ballot-scan"),
    path("owners/", views.owners, name="owners"),
    path("owners/new/", views.owner_new, name="owner-new"),
    path("owners/<int:pk>/edit/", views.owner_edit, name="owner-edit"),
    path("owners/<int:pk>/unmark/", views.owner_unmark, name="owner-unmark"),
    path("proxies/", views.proxies, name="proxies"),
    path("proxies/new/", views.proxy_new, name="proxy-new"),
    path("proxies/<int:pk>/scan/", views.proxy_scan, name="proxy-scan"),
    path("proxies/<int:pk>/revoke/", views.proxy_revoke, name="proxy-revoke"),
]
