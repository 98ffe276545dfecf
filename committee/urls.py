from django.urls import path

from committee import views

app_name = "committee"

urlpatterns = [
    path("", views.committee_page, name="page"),
    path("appointments/", views.appointment_list, name="appointments"),
    path("appointments/propose/", views.appointment_propose, name="appointment-propose"),
    path("appointments/<int:pk>/confirm/", views.appointment_confirm, name="appointment-confirm"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment-cancel"),
]
