from django.apps import AppConfig


class DemoIdpOidcConfig(AppConfig):
    name = "demoidp.oidc"
    label = "demoidp_oidc"
    default_auto_field = "django.db.models.BigAutoField"
