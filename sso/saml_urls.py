"""SAML 2.0 endpoints, with djangosaml2's names (in the sso namespace). The SP's entity id is
SITE_URL + /saml2/metadata/."""

from django.urls import URLPattern, path

from . import saml

urlpatterns: list[URLPattern] = [
    path("saml2/login/", saml.LoginView.as_view(), name="saml2_login"),
    path("saml2/acs/", saml.AssertionConsumerServiceView.as_view(), name="saml2_acs"),
    path("saml2/ls/", saml.LogoutView.as_view(), name="saml2_ls"),
    path("saml2/ls/post/", saml.LogoutView.as_view(), name="saml2_ls_post"),
    path("saml2/metadata/", saml.MetadataView.as_view(), name="saml2_metadata"),
]
