from django.urls import path

from . import views

app_name = "downloads"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("<uuid:job_id>/", views.job, name="job"),
    path("<uuid:job_id>/status/", views.job_status, name="status"),
    path("<uuid:job_id>/file/", views.job_file, name="file"),
]
