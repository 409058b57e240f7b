from django.urls import URLPattern, path

from . import oidc

urlpatterns: list[URLPattern] = [
    path("oidc/logga-in/", oidc.AuthenticationRequest.as_view(), name="oidc_login"),
    path("oidc/callback/", oidc.Callback.as_view(), name="oidc_callback"),
]
