from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("team/", views.team, name="team"),
    path("position/", views.position, name="position"),
    path("operation/", views.operation, name="operation"),
    path("assessment/", views.assessment, name="assessment"),
    path("scorecards/<int:pk>/", views.scorecard, name="scorecard"),
    path("scorecards/<int:pk>/<slug:figure>/", views.scorecard_petitions, name="scorecard_petitions"),
]
