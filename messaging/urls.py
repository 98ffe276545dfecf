from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.message, name="message"),
    path("read-all/", views.read_all, name="read-all"),
    path("reach/", views.reach, name="reach"),
    path("log/", views.log, name="log"),
    path("phone-tree/", views.phone_tree, name="phone-tree"),
]
