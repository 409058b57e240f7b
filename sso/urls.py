from django.urls import include, path

app_name = "sso"

urlpatterns = [
    path("", include("sso.oidc_urls")),
    path("", include("sso.saml_urls")),
]
