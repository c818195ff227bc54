"""The Django application of regkit's web face."""

from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """regkit's web application: records, their history, accounts' links."""

    name = "regkit.web"
    label = "regkit_web"
    verbose_name = "regkit"
    default_auto_field = "django.db.models.BigAutoField"
