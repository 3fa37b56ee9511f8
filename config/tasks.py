from celery import shared_task


@shared_task(name="config.tasks.ping", ignore_result=False)
def ping(payload: str) -> str:
    """Round trip through the broker and a worker; used by the health check and the tests."""
    return f"pong:{payload}"
