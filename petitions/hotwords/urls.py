from django.urls import path

from . import views

app_name = "hotwords"
urlpatterns = [
    path("", views.index, name="index"),
    path("panel/", views.panel, name="panel"),
    path("<str:term>/", views.detail, name="detail"),
]
