"""The Celery app. Configured from Django settings prefixed CELERY_ (see settings.py).

Beat runs as exactly one process and its schedule lives in code (`app.conf.beat_schedule`,
filled in by the apps that own periodic work); there is no database scheduler.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

app = Celery("safeguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
