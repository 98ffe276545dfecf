from django.urls import path

from keys import views

app_name = "keys"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("household/<int:pk>/", views.household, name="household"),
    path("register/", views.register, name="register"),
    path("register.pdf", views.register_pdf, name="register-pdf"),
    path("deposits/new/", views.deposit_new, name="deposit-new"),
    path("deposits/<int:pk>/", views.deposit, name="deposit"),
    path("deposits/<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement-pdf"),
    path("deposits/<int:pk>/consent/", views.consent_change, name="consent-change"),
    path("deposits/<int:pk>/take-out/", views.handover_new, name="handover-new"),
    path("deposits/<int:pk>/hand-back/", views.deposit_hand_back, name="deposit-hand-back"),
    path("deposits/<int:pk>/confirm-return/", views.deposit_return_confirm, name="deposit-return-confirm"),
    path("deposits/<int:pk>/lost/", views.deposit_lost, name="deposit-lost"),
    path("handovers/<int:pk>/", views.handover, name="handover"),
    path("handovers/<int:pk>/confirm/", views.handover_confirm, name="handover-confirm"),
    path("handovers/<int:pk>/back/", views.handover_back, name="handover-back"),
    path("handovers/<int:pk>/cancel/", views.handover_cancel, name="handover-cancel"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("inventory/new/", views.inventory_new, name="inventory-new"),
    path("inventory/<int:pk>/", views.inventory, name="inventory"),
    path("keepers/", views.keepers, name="keepers"),
    path("keepers/appoint/", views.keeper_appoint, name="keeper-appoint"),
    path("keepers/<int:pk>/end/", views.keeper_end, name="keeper-end"),
]
