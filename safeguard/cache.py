"""Django's Redis cache, refusing rather than failing while Redis is down."""

import logging

import redis
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger(__name__)

UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)


class RedisCache(django_redis.RedisCache):
    """What uses the cache is allauth's rate limits not moved to the database (password
    resets, password changes, reauthentication). Each takes a lock with add() before
    counting; an add that cannot reach Redis answers "not added", so the limit refuses the
    request (429, "try again later") instead of answering 500, and never lets it through
    uncounted. Sign-in lockout and second-factor codes do not use the cache at all
    (safeguard.ratelimits)."""

    def add(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            logger.warning("cache unreachable, add refused: %s", type(error).__name__)
            return False

    def delete(self, key, version=None) -> bool:
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            logger.warning("cache unreachable, delete skipped: %s", type(error).__name__)
            return False
