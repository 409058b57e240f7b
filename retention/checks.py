"""The retention periods in the settings make a policy, or Django refuses to start."""

from typing import Any

from django.core.checks import CheckMessage, Error, register

from . import selectors


@register()
def retention_periods(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        selectors.periods()
    except (ValueError, TypeError) as error:
        return [Error(f"RSPORTAL_RETENTION_*: {error}", id="retention.E001")]
    return []
