import os

from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rsportal.settings")
application = get_wsgi_application()
# Every view imported now: under gunicorn --preload, before the workers are forked, so
# that a worker started again after a crash answers at once (importing the views and
# pysaml2 took its first request about two seconds of CPU) and the workers share the pages.
url_patterns = get_resolver().url_patterns
connections.close_all()  # no database connection may cross the fork
