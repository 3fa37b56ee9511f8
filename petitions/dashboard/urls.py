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

from . import agency, files, members, notifications  # noqa: E402

urlpatterns += [
    path("studio/<str:studio_code>/members/", members.members, name="studio_members"),
    path("studio/<str:studio_code>/members/<int:membership_id>/", members.member_change, name="studio_member"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/read/", notifications.notification_read, name="notification_read"),
    path("agency/", agency.proposals, name="agency_proposals"),
    path("agency/proposals/<int:proposal_id>/<slug:step>/", agency.proposal_step, name="agency_proposal_step"),
    path("agency/research/", agency.research, name="agency_research"),
    path("agency/research/claims/<int:claim_id>/review/", agency.research_review, name="agency_research_review"),
    path("agency/research/<int:topic_id>/close/", agency.research_close, name="agency_research_close"),
    path("agency/assignments/", agency.assignments, name="agency_assignments"),
    path("agency/assignments/<int:assignment_id>/", agency.assignment_detail, name="agency_assignment"),
    # Uploaded files: never at /media/, each behind its row's access rule (petitions/dashboard/files.py).
    path("photos/<int:photo_id>/", files.petition_photo, name="petition_photo"),
    path("files/proposals/<int:proposal_id>/", files.proposal_attachment, name="proposal_attachment"),
    path("files/research/<int:claim_id>/", files.research_report_file, name="research_report_file"),
    path("files/assignments/<int:report_id>/", files.assignment_evidence_file, name="assignment_evidence_file"),
]
