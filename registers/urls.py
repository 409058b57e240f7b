from django.urls import path

from . import views

app_name = "registers"

urlpatterns = [
    path("registren/", views.status, name="status"),
]
