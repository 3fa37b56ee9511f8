"""URL conf of bench/settings.py only: the portal's URLs and the framework's floor, /bench/floor/."""
from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as portal_urlpatterns

FLOOR_TABLE = "bench_floor"


@csrf_exempt
@require_POST
def floor(request):
    """The least a Django view can do for a submission: read the POST, one INSERT, answer 201.

    The same middleware stack as every page (sessions, CSRF, CSP, locale, axes...); only the CSRF
    check is skipped, the way an API view skips it. The table is created by bench/bench_city.py."""
    text = request.POST.get("text", "")
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {FLOOR_TABLE} (at, text) VALUES (now(), %s)", [text])
    return HttpResponse(status=201)


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *portal_urlpatterns]
