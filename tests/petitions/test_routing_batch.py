"""Routing the petitions waiting together (petitions_route_waiting, what each routing task does): the same result
as routing each alone, a fixed number of queries per petition, and one broken petition stops no other."""
import pytest

from petitions import routing, services_routing
from petitions.models import HotlineDelivery, JointConsultation, Petition, PetitionEvent, PetitionTerm, PetitionWord
from petitions.routing import Reason
from petitions.services import petition_submit

from .conftest import TEXTS

A = PetitionEvent.Action


def submit(studio, text, **kw):
    petition, _created = petition_submit(studio=studio, text=text, **kw)
    return petition


def actions(petition):
    return list(petition.events.values_list("action", flat=True))


def test_one_task_routes_its_petition_and_those_waiting_each_as_if_alone(county_world):
    w = county_world
    own = submit(w.agri, TEXTS["agri"])
    safety = submit(w.agri, TEXTS["safety"])
    talent = submit(w.agri, TEXTS["talent"])
    several = submit(w.agri, TEXTS["several"])
    decisions = services_routing.petitions_route_waiting(petition_id=talent.pk)
    assert set(decisions) == {own.pk, safety.pk, talent.pk, several.pk}
    assert Petition.objects.filter(routed_at__isnull=True).count() == 0
    for petition in (own, safety, talent, several):
        petition.refresh_from_db()
    assert actions(own) == [A.SUBMIT, A.ROUTE, A.ACCEPT, A.DISPATCH]
    assert (own.loop, own.current_studio, own.current_department) == (1, w.agri, w.departments["agri"])
    assert (safety.loop, safety.current_studio, safety.current_representative) == (2, w.safety, w.reps.safety_lead)
    assert actions(talent) == [A.SUBMIT, A.ROUTE, A.ACCEPT, A.DISPATCH, A.HOTLINE]
    assert (talent.current_studio, talent.current_department) == (w.agri, None)
    assert HotlineDelivery.objects.get(petition=talent).pending
    assert actions(several) == [A.SUBMIT, A.ROUTE, A.ACCEPT, A.DISPATCH, A.CONSULT]
    assert JointConsultation.objects.get(petition=several).reason == JointConsultation.Reason.SEVERAL_DEPARTMENTS
    route_event = own.events.get(action=A.ROUTE)
    assert route_event.data["reason"] == Reason.OWN_SECTOR and "农药" in route_event.data["terms"]
    assert PetitionTerm.objects.filter(petition=own, term="农药", sector=w.sectors["agri"]).exists()
    # The words take the sector routing settled on, as when each petition is routed alone.
    assert set(PetitionWord.objects.filter(petition=safety).values_list("sector_id", flat=True)) == {
        w.sectors["safety"].pk}
    assert services_routing.petitions_route_waiting(petition_id=own.pk) == {own.pk: None}  # a no-op


def test_petitions_routed_together_see_each_other_as_similar_and_loaded_like_one_after_the_other(
        county_world, settings):
    w = county_world
    settings.ROUTING_SIMILAR_THRESHOLD = 3
    lights = [submit(w.township_studio, TEXTS["streetlight"], region=w.village) for _ in range(4)]
    services_routing.petitions_route_waiting()
    loops = list(Petition.objects.filter(pk__in=[p.pk for p in lights]).order_by("id").values_list("loop", flat=True))
    assert loops == [1, 1, 3, 3]  # as in test_routing: the third convenes, the fourth joins
    consultation = JointConsultation.objects.get(reason=JointConsultation.Reason.SYSTEMIC_SIMILAR)
    assert consultation.related_petitions.count() == 3
    assert JointConsultation.objects.count() == 1

    # Two members of equal load: the petitions go to the lead, then the other, then the lead again.
    agri = [submit(w.agri, TEXTS["agri"]) for _ in range(3)]
    services_routing.petitions_route_waiting()
    reps = list(Petition.objects.filter(pk__in=[p.pk for p in agri]).order_by("id")
                .values_list("current_representative", flat=True))
    assert reps[0] != reps[1] and reps[2] == reps[0]
    assert set(reps) == {w.reps.agri_lead.pk, w.reps.agri_member.pk}


def test_routing_a_petition_takes_a_fixed_number_of_queries(county_world, django_assert_max_num_queries):
    w = county_world
    services_routing.petition_route(petition_id=submit(w.agri, TEXTS["agri"]).pk)  # the extractor is built once
    petition = submit(w.agri, TEXTS["agri"])
    # Lock and load, the dictionary's and the curation's fingerprints (4), the petition's words row, the facts
    # (studios, covered sectors, departments, members and loads, agencies: 6), the issue terms and similar
    # petitions, the words, the petition, its trail, its terms and the hot-word counts: 18, and the test's
    # savepoint (2). It was 38.
    with django_assert_max_num_queries(20):
        decision = services_routing.petition_route(petition_id=petition.pk)
    assert decision.loop == 1


@pytest.mark.parametrize("n", [4, 12])
def test_routing_petitions_together_costs_a_few_queries_per_petition(county_world, django_assert_max_num_queries, n):
    w = county_world
    services_routing.petition_route(petition_id=submit(w.agri, TEXTS["agri"]).pk)
    texts = (TEXTS["agri"], TEXTS["safety"], TEXTS["streetlight"])  # loop 1, loop 2 to a studio, loop 1
    studios = (w.agri, w.agri, w.township_studio)
    ids = [submit(studios[i % 3], texts[i % 3]).pk for i in range(n)]
    # A fixed part (the petition asked for and the others claimed, fingerprints, words rows, the facts with the
    # covering studios, the issue terms; the petitions, trails, terms, words and hot-word counts: 21, and the
    # test's savepoint: 2) and, per petition routed to a studio, the count of its similar petitions. It was
    # three per petition, with its words and the petition itself.
    with django_assert_max_num_queries(23 + n):
        decisions = services_routing.petitions_route_waiting(petition_id=ids[0])
    assert set(decisions) == set(ids)
    assert all(d.loop in (1, 2) and not d.hotline for d in decisions.values())


def test_one_petition_failing_stops_no_other_and_stays_for_the_sweep(county_world, monkeypatch, caplog):
    w = county_world
    good = [submit(w.agri, TEXTS["agri"]) for _ in range(2)]
    bad = submit(w.safety, TEXTS["safety"])
    decide = routing.decide_loop

    def decide_or_fail(facts):  # a fault in one petition's routing, whatever it is
        if facts.studio.id == w.safety.pk:
            raise RuntimeError("broken petition")
        return decide(facts)

    monkeypatch.setattr(services_routing, "decide_loop", decide_or_fail)
    decisions = services_routing.petitions_route_waiting(petition_id=good[0].pk)
    assert {pk for pk, d in decisions.items() if d} == {p.pk for p in good}
    bad.refresh_from_db()
    assert bad.routed_at is None and actions(bad) == [A.SUBMIT]
    assert "routing petition %s failed" % bad.pk in caplog.text
    for petition in good:
        petition.refresh_from_db()
        assert actions(petition) == [A.SUBMIT, A.ROUTE, A.ACCEPT, A.DISPATCH]

    # The task asking for the broken petition fails (and is retried); the sweep routes it once it is mended.
    with pytest.raises(RuntimeError):
        services_routing.petitions_route_waiting(petition_id=bad.pk)
    monkeypatch.undo()
    assert services_routing.petitions_route_sweep(inline=True, older_than=services_routing.timedelta(0)) == 1
    bad.refresh_from_db()
    assert actions(bad) == [A.SUBMIT, A.ROUTE, A.ACCEPT, A.DISPATCH]


def test_a_petition_this_process_routed_with_others_is_found_routed_without_asking_the_database(
        county_world, django_capture_on_commit_callbacks, django_assert_num_queries):
    w = county_world
    first, second = submit(w.agri, TEXTS["agri"]), submit(w.agri, TEXTS["agri"])
    with django_capture_on_commit_callbacks(execute=True):
        assert set(services_routing.petitions_route_waiting(petition_id=first.pk)) == {first.pk, second.pk}
    # The task queued for the second (under a burst, the tasks behind the first): nothing left to do, no query.
    with django_assert_num_queries(0):
        assert services_routing.petitions_route_waiting(petition_id=second.pk) == {second.pk: None}
    # Routed by another worker (not remembered here): the database says so, and nothing is routed again.
    services_routing.ROUTED_HERE.clear()
    with django_assert_num_queries(1):
        assert services_routing.petitions_route_waiting(petition_id=second.pk) == {second.pk: None}
    assert actions(Petition.objects.get(pk=second.pk)) == [A.SUBMIT, A.ROUTE, A.ACCEPT, A.DISPATCH]


def test_a_batch_rolled_back_is_not_remembered_as_routed(county_world, monkeypatch, django_capture_on_commit_callbacks):
    w = county_world
    petition = submit(w.agri, TEXTS["agri"])
    monkeypatch.setattr(services_routing, "decide_loop", lambda facts: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError):
        services_routing.petitions_route_waiting(petition_id=petition.pk)
    assert petition.pk not in services_routing.ROUTED_HERE
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert services_routing.petitions_route_waiting(petition_id=petition.pk)[petition.pk].loop == 1
    assert petition.pk in services_routing.ROUTED_HERE
