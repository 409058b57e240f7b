FROM python:3.11-slim-bookworm
# pyscard builds from source (libpcsclite-dev, swig, gcc); gettext compiles the translations;
# the code letter embeds fonts-liberation's fonts; SAML's signatures need xmlsec1.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpcsclite-dev libpcsclite1 swig gettext fonts-liberation xmlsec1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY rsportal rsportal
COPY audit audit
COPY organisation organisation
COPY cards cards
COPY orders orders
COPY letters letters
COPY desk desk
COPY selfhelp selfhelp
COPY records records
COPY retention retention
COPY registers registers
COPY sso sso
COPY demoidp demoidp
COPY demo demo
RUN pip install --no-cache-dir .
COPY . .
RUN python manage.py compilemessages -v0 --ignore=.venv \
 && DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput -v0
RUN useradd --system --home /app rsportal && mkdir -p /app/var && chown rsportal /app/var
USER rsportal
EXPOSE 8000
CMD ["gunicorn", "rsportal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--preload"]
