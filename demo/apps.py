from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The embedded demo: `manage.py seed_demo` and the files it reads. It sits above every
    other app, since it makes its data through their services."""

    name = "demo"
    verbose_name = "Demo"
