from django.urls import path

from chasing import views

app_name = "chasing"

urlpatterns = [
    path("<int:pk>/", views.remind, name="remind"),
    path("policy/", views.policy, name="policy"),
]
