from django.urls import path

from budgeting import views

app_name = "budgeting"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("new/", views.plan_new, name="plan-new"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<int:pk>/comment/", views.plan_comment, name="comment"),
    path("<int:pk>/revise/", views.plan_revise, name="revise"),
    path("<int:pk>/put/", views.plan_put, name="put"),
    path("<int:pk>/adopt/", views.plan_adopt, name="adopt"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="comment-hide"),
]
