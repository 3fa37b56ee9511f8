"""/downloads/: start a background download, follow its progress, fetch the file; the owner's own only.

With htmx the start answers the job's progress fragment, which polls itself every second until the file
is ready; without JavaScript it redirects to the job's page, which reloads itself (meta refresh in
<noscript>) until then. Someone else's job, or a file its owner may no longer have, is 404.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .kinds import KINDS, DownloadRefused
from .selectors import download_file, download_job_for, download_jobs_for
from .services import download_job_start


def _job_or_404(request, job_id):
    job = download_job_for(request.user, job_id)
    if job is None:
        raise Http404
    return job


def _back(request) -> str:
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return ""


@login_required
@never_cache
def index(request):
    return render(request, "downloads/index.html", {"jobs": download_jobs_for(request.user)})


@login_required
@require_POST
def start(request):
    data = {**request.POST.dict(), "base_url": request.build_absolute_uri("/")}
    try:
        job = download_job_start(user=request.user, kind=request.POST.get("kind", ""), data=data)
    except DownloadRefused as refused:
        template = "downloads/_refused.html" if request.htmx else "downloads/refused.html"
        return render(request, template, {"errors": refused.messages, "back": _back(request)}, status=400)
    if request.htmx:
        return render(request, "downloads/_job.html", {"job": job})
    return redirect("downloads:job", job.pk)


@login_required
@never_cache
def job(request, job_id):
    job = _job_or_404(request, job_id)
    return render(request, "downloads/job.html", {"job": job, "back": KINDS[job.kind].back_url(job.params)})


@login_required
@never_cache
def job_status(request, job_id):
    """The progress fragment that htmx polls."""
    return render(request, "downloads/_job.html", {"job": _job_or_404(request, job_id)})


@login_required
@never_cache
def job_file(request, job_id):
    job = _job_or_404(request, job_id)
    path = download_file(job)
    if path is None or not KINDS[job.kind].may_download(request.user, job.params):
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=job.filename)
