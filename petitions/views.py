from django.shortcuts import render

from .selectors import public_counters


def landing(request):
    return render(request, "petitions/landing.html", {"counters": public_counters()})


def counters(request):
    """The counters fragment that the landing page polls (htmx)."""
    return render(request, "petitions/_counters.html", {"counters": public_counters()})
