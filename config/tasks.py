from celery import shared_task


@shared_task(name="config.tasks.ping", ignore_result=False)
def ping(payload: str) -> str:
    """Round trip through the broker and a worker; used by the health check and the tests."""
    return f"pong:{payload}"


@shared_task(name="config.tasks.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Beat sends this through the broker; a worker that runs it proves it still consumes (celery#8030)."""
    from config.health import heartbeat_record

    heartbeat_record()
