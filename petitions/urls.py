from django.urls import path

from . import views

app_name = "petitions"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("counters/", views.counters, name="counters"),
    path("s/<slug:code>/", views.studio_page, name="studio"),
    path("submitted/<str:token>/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/rate/", views.rate, name="rate"),
]
