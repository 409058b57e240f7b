FROM python:3.11-slim-bookworm
# pyscard builds from source (libpcsclite-dev, swig, gcc); gettext compiles the translations.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpcsclite-dev libpcsclite1 swig gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY rsportal rsportal
COPY organisation organisation
COPY audit audit
COPY cards cards
COPY orders orders
COPY station station
RUN pip install --no-cache-dir .
COPY . .
RUN python manage.py compilemessages -v0 --ignore=.venv \
 && DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput -v0
RUN useradd --system --home /app rsportal && mkdir -p /app/var && chown rsportal /app/var
USER rsportal
EXPOSE 8000
CMD ["gunicorn", "rsportal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
