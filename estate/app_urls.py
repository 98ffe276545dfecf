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
]
