from django.urls import path

from estate import views

app_name = "estate"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
