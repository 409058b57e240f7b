from django.urls import path

from . import views

app_name = "selfhelp"

urlpatterns = [
    path("hjalp/", views.index, name="index"),
    path("hjalp/<slug:slug>/", views.guide, name="guide"),
    path("hjalp/<slug:slug>/tack/", views.thanks, name="thanks"),
]
