"""ckanext-harvest's gather and fetch consumers, kept alive on an idle Redis queue.

ckanext-harvest 1.6.3 waits for a message with ``BLPOP`` and no timeout, trusting the socket
to block for ever; redis-py 8, which CKAN 2.12 pins, gives every socket a 5-second timeout, so
``ckan harvester gather-consumer`` and ``fetch-consumer`` die with ``TimeoutError`` whenever
their queue is idle for 5 seconds (ckan/ckanext-harvest#581) and a supervisor restarts them,
loading CKAN again, over and over. ``ckan opengovpe harvest-consumer gather|fetch`` runs the
same callbacks with the same in-flight markers, waiting in BLPOPs shorter than the socket
timeout. With AMQP it is ckanext-harvest's own loop.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any, Optional

log = logging.getLogger(__name__)

WAIT_SECONDS = 2  # each BLPOP: well under redis-py's 5-second socket timeout


def run(kind: str, once: bool = False, stop: Optional[threading.Event] = None) -> int:
    """Consume the ``kind`` ("gather" or "fetch") queue; with ``once``, until it is empty;
    with ``stop``, until it is set (checked between messages and every 2 s of waiting).

    Returns the number of messages handled.
    """
    from ckanext.harvest import queue

    if kind == "gather":
        consumer, name = queue.get_gather_consumer(), queue.get_gather_queue_name()
        callback = queue.gather_callback
    else:
        consumer, name = queue.get_fetch_consumer(), queue.get_fetch_queue_name()
        callback = queue.fetch_callback
    handled = 0
    if not isinstance(consumer, queue.RedisConsumer):
        for method, header, body in consumer.consume(queue=name):
            callback(consumer, method, header, body)
            handled += 1
        return handled
    log.info("Waiting for harvest %s messages on %s", kind, consumer.routing_key)
    while stop is None or not stop.is_set():
        beat(kind)
        body = _next(consumer)
        if body is None:
            if once:
                return handled
            continue
        callback(consumer, queue.FakeMethod(body), None, body)
        handled += 1
    return handled


def beat(kind: str) -> None:
    """Tell the health page this consumer is alive (the mark lasts 30 s)."""
    from ..jobs import registry
    from ckan.lib.redis import connect_to_redis

    connect_to_redis().set(registry.key("consumer", kind), registry.now().isoformat(), ex=30)


def _next(consumer: Any) -> Any:
    """The next message, marked in flight as ckanext-harvest's consumer marks it; or None."""
    popped = consumer.redis.blpop(consumer.routing_key, timeout=WAIT_SECONDS)
    if popped is None:
        return None
    _, body = popped
    consumer.redis.set(consumer.persistance_key(body), str(dt.datetime.now()))
    return body
