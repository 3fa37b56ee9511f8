"""The Redis broker transport, minus one cost per published message.

kombu's Redis channel builds a new redis-py client for every command it sends outside the consumer's
loop (`conn_or_acquire`), publishing included; a redis-py client builds its table of response callbacks
(~170 entries) when created, which is a fifth of what `petition_route_task.delay()` costs the web process.
The client is only a front for the channel's connection pool, so one client per channel does the same
work: commands still take a pooled connection each, and a channel opened after a lost connection (kombu
makes a new one) builds its own client over its own pool. Selected for redis:// brokers in
config/settings/base.py (CELERY_BROKER_TRANSPORT).
"""
from contextlib import contextmanager

from kombu.transport import redis


class Channel(redis.Channel):
    _shared_client = None

    @contextmanager
    def conn_or_acquire(self, client=None):
        if client:
            yield client
            return
        shared = self._shared_client
        if shared is None or shared.connection_pool is not self.pool:
            shared = self._shared_client = self._create_client()
        yield shared


class Transport(redis.Transport):
    Channel = Channel
