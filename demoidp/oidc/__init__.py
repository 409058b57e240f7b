"""The demo OpenID provider: a small Django project on django-oauth-toolkit's OIDC support.

Started as `python -m demoidp.oidc --port P ...` (see __main__.py); it imports nothing of RS-portal.
"""
