from django.urls import path

from . import duties, views

app_name = "dashboard"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("p/<str:tracking_code>/", views.petition_detail, name="petition"),
    path("p/<str:tracking_code>/<slug:action>/", views.petition_action, name="petition_action"),
    path("duties/", duties.duty_log, name="duties"),
    path("research/", duties.research, name="research"),
    path("research/<int:topic_id>/claim/", duties.research_claim_view, name="research_claim"),
    path("research/claims/<int:claim_id>/report/", duties.research_report_view, name="research_report"),
    path("assignments/", duties.assignments, name="assignments"),
    path("assignments/<int:report_id>/complete/", duties.assignment_complete_view, name="assignment_complete"),
    path("discussions/", duties.discussions, name="discussions"),
    path("discussions/<int:discussion_id>/", duties.discussion_detail, name="discussion"),
    path("proposals/", duties.proposals, name="proposals"),
    path("studio/", duties.studio_work, name="studio_home"),
    path("studio/<str:studio_code>/", duties.studio_work, name="studio"),
]
