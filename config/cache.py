"""The Redis cache, failing open: a cache that is down is a cache that misses, never a failed request.

The cache holds only what can be recomputed (public counters, rate-limit counters, the worker heartbeat),
so when Redis is away (the fault tests stop it) a citizen's submission must still be saved and answered.
Rate limits are not enforced while Redis is down; that is logged.
"""
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError)


def _fail_open(name, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(FailOpenRedisCache, self), name)(*args, **kwargs)
        except DOWN as exc:
            logger.warning("cache unavailable (%s): %s treated as a miss", exc.__class__.__name__, name)
            return fallback(*args, **kwargs)
    method.__name__ = name
    return method


class FailOpenRedisCache(RedisCache):
    get = _fail_open("get", lambda key, default=None, version=None: default)
    add = _fail_open("add", lambda *a, **k: True)  # "added": a rate-limit counter starts again at one
    set = _fail_open("set", lambda *a, **k: None)
    touch = _fail_open("touch", lambda *a, **k: False)
    delete = _fail_open("delete", lambda *a, **k: False)
    incr = _fail_open("incr", lambda key, delta=1, version=None: delta)
    get_many = _fail_open("get_many", lambda *a, **k: {})
    set_many = _fail_open("set_many", lambda *a, **k: [])
    delete_many = _fail_open("delete_many", lambda *a, **k: None)
    has_key = _fail_open("has_key", lambda *a, **k: False)
    clear = _fail_open("clear", lambda *a, **k: False)
