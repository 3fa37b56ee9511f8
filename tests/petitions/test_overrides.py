"""Staff override routing, transfer between studios and return: the trail says who, why, from where to where,
and the first-contact studio never changes."""
import pytest

from petitions import services_routing
from petitions.errors import MissingDetail
from petitions.models import ConsultationStatus, HotlineDelivery, JointConsultation, PetitionEvent, Status
from petitions.services import petition_submit
from tests.factories import UserFactory

from .conftest import TEXTS

A = PetitionEvent.Action


def routed(studio, text):
    petition, _ = petition_submit(studio=studio, text=text)
    services_routing.petition_route(petition_id=petition.pk)
    petition.refresh_from_db()
    return petition


def test_an_override_is_on_the_trail_with_its_reason_and_re_dispatches(county_world):
    w = county_world
    staff = UserFactory()
    petition = routed(w.agri, TEXTS["agri"])
    services_routing.petition_route_override(petition_id=petition.pk, actor=staff, loop=2, studio=w.safety,
                                             reason="涉及农药诈骗，转公安")
    petition.refresh_from_db()
    assert (petition.studio, petition.current_studio, petition.loop) == (w.agri, w.safety, 2)
    assert petition.current_department == w.departments["safety"]
    override = petition.events.get(action=A.OVERRIDE)
    assert (override.actor, override.note, override.public) == (staff, "涉及农药诈骗，转公安", False)
    assert override.data["previous"]["studio_id"] == w.agri.pk
    assert list(petition.events.values_list("action", flat=True))[-2:] == [A.OVERRIDE, A.TRANSFER]


def test_an_override_needs_a_reason(county_world):
    petition = routed(county_world.agri, TEXTS["agri"])
    with pytest.raises(MissingDetail):
        services_routing.petition_route_override(petition_id=petition.pk, actor=None, loop=3, reason="  ")


def test_overriding_through_the_hotline_and_a_consultation_cancels_what_is_left_behind(county_world):
    w = county_world
    petition = routed(w.agri, TEXTS["agri"])
    services_routing.petition_route_override(petition_id=petition.pk, actor=None, loop=2, reason="交12345")
    delivery = HotlineDelivery.objects.get(petition=petition)
    assert delivery.pending
    services_routing.petition_route_override(petition_id=petition.pk, actor=None, loop=3, reason="系统性问题",
                                             departments=[w.departments["agri"], w.departments["civil"]])
    delivery.refresh_from_db()
    assert delivery.cancelled_at is not None
    consultation = JointConsultation.objects.get(petition=petition)
    assert consultation.reason == JointConsultation.Reason.SYSTEMIC_STAFF
    assert set(consultation.departments.all()) == {w.departments["agri"], w.departments["civil"]}
    services_routing.petition_route_override(petition_id=petition.pk, actor=None, loop=1, reason="本领域能办")
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CANCELLED
    petition.refresh_from_db()
    assert (petition.loop, petition.current_studio, petition.status) == (1, w.agri, Status.DISPATCHED)


def test_an_override_before_routing_accepts_dispatches_and_counts_as_routed(county_world):
    w = county_world
    petition, _ = petition_submit(studio=w.agri, text=TEXTS["agri"])
    services_routing.petition_route_override(petition_id=petition.pk, actor=None, loop=2, studio=w.safety,
                                             reason="一眼就是诈骗")
    petition.refresh_from_db()
    assert petition.routed_at is not None and petition.status == Status.DISPATCHED
    assert services_routing.petition_route(petition_id=petition.pk) is None  # the task arriving late does nothing


def test_transfer_moves_the_current_studio_and_keeps_first_contact(county_world):
    w = county_world
    petition = routed(w.agri, TEXTS["agri"])
    services_routing.petition_transfer(petition_id=petition.pk, actor=None, studio=w.township_studio,
                                       reason="属地处理")
    petition.refresh_from_db()
    assert (petition.studio, petition.current_studio, petition.loop) == (w.agri, w.township_studio, 2)
    assert petition.current_representative == w.reps.town_lead
    event = petition.events.get(action=A.TRANSFER)
    assert (event.studio, event.note, event.public) == (w.township_studio, "属地处理", True)


def test_return_gives_it_back_to_the_first_contact_studio(county_world):
    w = county_world
    petition = routed(w.agri, TEXTS["safety"])
    assert petition.current_studio == w.safety
    services_routing.petition_return(petition_id=petition.pk, reason="不属于反诈范围", actor_label="staff")
    petition.refresh_from_db()
    assert (petition.status, petition.current_studio, petition.current_department) == (Status.ACCEPTED, w.agri, None)
    with pytest.raises(MissingDetail):
        services_routing.petition_return(petition_id=petition.pk, reason="")


def test_sending_a_dispatched_petition_into_a_consultation_does_not_claim_it_was_transferred(county_world):
    w = county_world
    petition = routed(w.agri, TEXTS["agri"])
    services_routing.petition_route_override(petition_id=petition.pk, actor=None, loop=3, reason="系统性问题")
    petition.refresh_from_db()
    assert list(petition.events.values_list("action", flat=True))[-2:] == [A.OVERRIDE, A.CONSULT]
    consult = petition.events.get(action=A.CONSULT)
    assert (consult.loop, petition.loop, petition.current_studio) == (3, 3, w.agri)
    # Again, with other departments: the same consultation, not a second one.
    services_routing.petition_route_override(petition_id=petition.pk, actor=None, loop=3, reason="加上民政",
                                             departments=[w.departments["civil"]])
    consultation = JointConsultation.objects.get(petition=petition)
    assert list(consultation.departments.all()) == [w.departments["civil"]]
