import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

application = get_wsgi_application()

# What start-up loaded lives as long as the process: the garbage collector need not walk it
# again at every full collection. A PDF makes millions of objects, so a request that renders
# one may run a full collection, which without this walks the whole of Django too (issue 22:
# the referral pack's p95).
gc.freeze()
