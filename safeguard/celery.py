"""The Celery app. Configured from Django settings prefixed CELERY_ (see settings.py).

Beat runs as exactly one process and its schedule lives in code (`app.conf.beat_schedule`,
filled in by the apps that own periodic work); there is no database scheduler.
"""

import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

app = Celery("safeguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_start_up(**_kwargs):
    # As the web process does (safeguard/wsgi.py): a worker renders long PDFs, and a full
    # garbage collection need not walk what start-up loaded.
    gc.collect()
    gc.freeze()
