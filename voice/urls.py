from django.urls import path

from voice import views

app_name = "voice"

urlpatterns = [
    path("", views.proposal_list, name="proposals"),
    path("new/", views.proposal_new, name="proposal-new"),
    path("<int:pk>/", views.proposal_detail, name="proposal"),
    path("<int:pk>/photos/<int:photo_pk>/", views.proposal_photo, name="photo"),
    path("<int:pk>/support/", views.proposal_support, name="proposal-support"),
    path("<int:pk>/comment/", views.proposal_comment, name="proposal-comment"),
    path("<int:pk>/answer/", views.proposal_answer, name="proposal-answer"),
    path("tickets/<int:pk>/comment/", views.ticket_comment, name="ticket-comment"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="comment-hide"),
]
