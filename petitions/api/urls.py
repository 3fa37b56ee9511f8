from django.urls import path

from .views import HotlineEventsView

app_name = "petitions_api"
urlpatterns = [
    path("hotline/events", HotlineEventsView.as_view(), name="hotline-events"),
]
