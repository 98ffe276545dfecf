from django.urls import path

from repairs import views, views_talent

app_name = "repairs"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_new, name="new"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/move/<slug:move>/", views.ticket_move, name="move"),
    path("<int:pk>/assign/", views.ticket_assign, name="assign"),
    path("<int:pk>/confirm/", views.ticket_confirm, name="confirm"),
    path("<int:pk>/rate/", views.ticket_rate, name="rate"),
    path("<int:pk>/comment/", views.ticket_comment, name="comment"),
    path("<int:pk>/photos/<int:photo_pk>/", views.ticket_photo, name="photo"),
    path("<int:pk>/photos/<int:photo_pk>/small/", views.ticket_photo, {"size": "small"}, name="photo-small"),
    path("<int:pk>/quotes/", views.quote_list, name="quotes"),
    path("<int:pk>/quotes/add/", views.quote_add, name="quote-add"),
    path("<int:pk>/quotes/choose/", views.quote_choose, name="quote-choose"),
    path("<int:pk>/quotes/<int:quote_pk>/document/", views.quote_attachment, name="quote-document"),
    path("talent/", views_talent.talent_pool, name="talent"),
    path("talent/me/", views_talent.my_profile, name="my-profile"),
    path("talent/volunteers/new/", views_talent.volunteer_edit, name="volunteer-new"),
    path("talent/volunteers/<int:pk>/", views_talent.volunteer_edit, name="volunteer-edit"),
    path("talent/contractors/new/", views_talent.contractor_edit, name="contractor-new"),
    path("talent/contractors/<int:pk>/", views_talent.contractor_edit, name="contractor-edit"),
]
