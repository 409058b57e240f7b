from django import template
from django.conf import settings
from django.http import HttpRequest

from ..enforcement import same_site
from ..views import idp_login_url

register = template.Library()


@register.simple_tag(takes_context=True)
def idp_login(context: template.Context, next_url: str = "") -> str:
    """The IdP button's link for the login page (and its lockout answer); "" without single sign-on."""
    request: HttpRequest = context["request"]
    return idp_login_url(same_site(next_url, request))


@register.simple_tag
def password_login() -> str:
    """RSPORTAL_PASSWORD_LOGIN: "all", "break-glass" or "none"."""
    return str(settings.RSPORTAL_PASSWORD_LOGIN)
