from django.urls import path

from care import views

app_name = "care"

urlpatterns = [
    path("", views.today, name="today"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.agreement_new, name="agreement-new"),
    path("agreements/<int:pk>/", views.agreement, name="agreement"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/pause/", views.agreement_pause, name="agreement-pause"),
    path("agreements/<int:pk>/resume/", views.agreement_resume, name="agreement-resume"),
    path("agreements/<int:pk>/end/", views.agreement_end, name="agreement-end"),
    path("agreements/<int:pk>/check/", views.check_record, name="check"),
    path("alerts/<int:pk>/", views.alert, name="alert"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert-resolve"),
    path("alerts/<int:pk>/key/", views.alert_key, name="alert-key"),
    path("visits/", views.visits, name="visits"),
]
