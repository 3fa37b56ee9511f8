from django.urls import path

from . import views

app_name = "offices"
urlpatterns = [
    path("s/<slug:code>/poster.<str:fmt>", views.studio_poster, name="studio_poster"),
    path("posters/", views.posters_index, name="posters"),
]
