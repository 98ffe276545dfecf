app_name = "keys"

urlpatterns = []
