from django.urls import path

from estate import notice_views, views

app_name = "estate"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("notices/", notice_views.notice_list, name="notice-list"),
    path("notices/new/", notice_views.notice_new, name="notice-new"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/edit/", notice_views.notice_edit, name="notice-edit"),
    path("notices/<int:pk>/pdf/", notice_views.notice_pdf, name="notice-pdf"),
    path("notices/<int:pk>/post/", notice_views.notice_post_view, name="notice-post"),
    path("notices/<int:pk>/discard/", notice_views.notice_discard_view, name="notice-discard"),
    path("households/", views.household_list, name="household-list"),
    path("households/new/", views.household_new, name="household-new"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("households/<int:pk>/deactivate/", views.household_set_active, {"active": False},
         name="household-deactivate"),
    path("households/<int:pk>/reactivate/", views.household_set_active, {"active": True},
         name="household-reactivate"),
    path("households/<int:pk>/residents/new/", views.resident_new, name="resident-new"),
    path("residents/", views.resident_list, name="resident-list"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident-edit"),
    path("residents/<int:pk>/deactivate/", views.resident_set_active, {"active": False},
         name="resident-deactivate"),
    path("residents/<int:pk>/reactivate/", views.resident_set_active, {"active": True},
         name="resident-reactivate"),
    path("households/import/", views.roster_import, name="roster-import"),
    path("households/import/confirm/", views.roster_confirm, name="roster-confirm"),
]
