from django.urls import path

from . import views

app_name = "cards"

urlpatterns = [
    path("mina-kort/", views.my_cards, name="mine"),
]
