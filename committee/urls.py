from django.urls import path

from committee import views

app_name = "committee"

urlpatterns = [
    path("", views.committee_page, name="page"),
    path("elections/<int:pk>/", views.election, name="election"),
    path("elections/<int:pk>/candidates/add/", views.candidate_add, name="candidate-add"),
    path("elections/<int:pk>/candidates/<int:candidate_pk>/remove/", views.candidate_remove,
         name="candidate-remove"),
    path("elections/<int:pk>/install/", views.election_install, name="election-install"),
    path("appointments/", views.appointment_list, name="appointments"),
    path("appointments/propose/", views.appointment_propose, name="appointment-propose"),
    path("appointments/<int:pk>/confirm/", views.appointment_confirm, name="appointment-confirm"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment-cancel"),
]
