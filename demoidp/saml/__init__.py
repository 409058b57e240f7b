"""The demo SAML 2.0 IdP: a WSGI app on pysaml2's server, run with `python -m demoidp.saml`."""
