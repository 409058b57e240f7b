from django.urls import include, path

from . import views

app_name = "sso"

urlpatterns = [
    path("", include("sso.oidc_urls")),
    path("", include("sso.saml_urls")),
    path("inloggning/okand/", views.unknown_person, name="unknown_person"),
    path("inloggning/racker-inte/", views.too_low, name="too_low"),
    path("inloggning/hojd-niva/", views.step_up, name="step_up"),
]
