from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.user_list, name="user-list"),
    path("<int:pk>/", views.user_detail, name="user-detail"),
    path("<int:pk>/roles/grant/", views.role_grant, name="role-grant"),
    path("roles/<int:pk>/withdraw/", views.role_withdraw, name="role-withdraw"),
    path("<int:pk>/new-password/", views.invitation_reset, name="invitation-reset"),
    path("invitations/", views.invitation_list, name="invitation-list"),
    path("invitations/new/", views.invitation_new, name="invitation-new"),
    path("invitations/<int:pk>/", views.invitation_slip, name="invitation-slip"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("activity/", views.activity, name="activity"),
    path("two-step/", views.two_step_setup, name="two-step"),
    path("two-step/done/", views.two_step_done, name="two-step-done"),
]
