"""What a person sees when a form comes back without its security token (CSRF_FAILURE_VIEW).

Django's own page is technical ("CSRF verification failed. Request aborted."). A citizen meets it when the
request form stayed open for a long time, or the browser keeps no cookies: nothing was stored, and the page says
so in their language, with how to send the request again. The reason is not shown: Django's CSRF middleware
logs it (django.security.csrf).
"""
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request, reason: str = ""):
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = ""  # a link back only to a page of this site
    return render(request, "403_csrf.html", {"back": back}, status=403)
