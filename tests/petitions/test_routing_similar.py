"""Loop 3 for many similar petitions: routing counts them with the hot words' grouping (hotwords/similar.py).

A burst of near-duplicates from one township sends the next one to a joint consultation, with the group
named on the petition page and a link to its petitions; unrelated petitions, or the same issue in another
township, do not; routing again changes nothing.
"""
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from offices.models import Region
from petitions import routing, services_routing
from petitions.hotwords.selectors import similar_groups
from petitions.models import HotWord, JointConsultation, Petition, PetitionEvent, PetitionWord
from petitions.routing import Reason, decide_loop
from petitions.services import petition_submit
from tests.factories import RegionFactory, StaffProfileFactory

from .test_routing import facts

A = PetitionEvent.Action

# Near-duplicates: the same problem (玉米倒伏) told five ways.
CORN = ("{village}的玉米倒伏了一大片，地里积水排不出去，请农技人员来看看。",
        "昨晚大风大雨，我家十亩玉米倒伏严重，根部泡在水里，还能不能扶起来？",
        "玉米倒伏后地里全是积水，排水沟堵了，希望派抽水机排涝。",
        "我们村好多户的玉米倒伏了，想请农技站指导怎么补救。",
        "暴雨过后玉米倒伏，损失不小，请问有没有补救的办法。",
        "村东头的玉米倒伏了，请农技员来看看还能不能救。")
# Farm matters of the same township that have nothing to do with each other, all opening with the same
# everyday words (孩子, 外地, 打工): terms for hot words, but no issue.
UNRELATED = ("家里孩子在外地打工，玉米地里病虫害严重，想请人指导用药。",
             "家里孩子在外地打工，农机购置补贴怎么申请，需要什么材料？",
             "家里孩子在外地打工，合作社想搞土地流转，合同怎么签？",
             "家里孩子在外地打工，大棚蔬菜冬天冻了，想问有没有办法。",
             "家里孩子在外地打工，高标准农田建设什么时候到我们村？",
             "家里孩子在外地打工，小麦出苗不齐，要不要补种？")


@pytest.fixture
def world(county_world, settings):
    settings.ROUTING_SIMILAR_THRESHOLD = 5
    settings.ROUTING_SIMILAR_DAYS = 7
    w = county_world
    w.other_town = RegionFactory(parent=w.county, kind=Region.Kind.TOWNSHIP)
    w.other_village = RegionFactory(parent=w.other_town, kind=Region.Kind.VILLAGE)
    return w


def submit_route(studio, text, region):
    petition, _created = petition_submit(studio=studio, text=text.format(village=region.name), region=region)
    decision = services_routing.petition_route(petition_id=petition.pk)
    petition.refresh_from_db()
    return decision, petition


def burst(w, n, region=None, texts=CORN):
    """n near-duplicates from the township (its village), to the county's agriculture studio."""
    return [submit_route(w.agri, texts[i % len(texts)], region or w.village) for i in range(n)]


def test_the_fifth_near_duplicate_from_one_township_goes_to_a_joint_consultation_with_the_reason(world):
    w = world
    first = burst(w, 4)
    assert [d.loop for d, _p in first] == [1, 1, 1, 1]
    assert [d.reason for d, _p in first] == [Reason.OWN_SECTOR] * 4
    decision, petition = submit_route(w.agri, CORN[4], w.village)
    assert (decision.loop, decision.reason) == (3, Reason.SYSTEMIC_SIMILAR)
    assert decision.similar_group == {
        "term": "玉米倒伏", "township_id": w.town.pk, "township": w.town.name, "sector_id": w.sectors["agri"].pk,
        "count": 5, "others": 4, "days": 7, "until": decision.similar_group["until"]}
    route_event = petition.events.get(action=A.ROUTE)
    assert route_event.data["similar_group"]["others"] == 4 and route_event.data["similar_count"] == 5
    assert route_event.note == routing.similar_reason(decision.similar_group)
    # The consultation gathers the group; the four before it are its related petitions.
    consultation = JointConsultation.objects.get(petition=petition)
    assert (consultation.reason, consultation.township, petition.loop) == (
        JointConsultation.Reason.SYSTEMIC_SIMILAR, w.town, 3)
    assert set(consultation.related_petitions.values_list("pk", flat=True)) == {p.pk for _d, p in first}
    # One grouping: the hot words' pages show the same group.
    assert [(g.term, g.township_id, g.count) for g in similar_groups()] == [("玉米倒伏", w.town.pk, 5)]


def test_the_petition_page_names_the_group_and_links_to_its_petitions(world):
    w = world
    petitions = [p for _d, p in burst(w, 5)]
    later = submit_route(w.agri, CORN[5], w.village)[1]  # submitted after the fifth was routed
    organisation = StaffProfileFactory().user
    client = Client(headers={"accept-language": "en"})
    client.force_login(organisation)
    page = client.get(reverse("dashboard:petition", args=[petitions[4].tracking_code])).content.decode()
    assert f"Similar to 4 other petitions from {w.town.name} in the last 7 days (“玉米倒伏”)" in page
    link = page.split('class="similar-group"', 1)[1].split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert link.startswith(reverse("hotwords:detail", kwargs={"term": "玉米倒伏"}))
    assert f"township={w.town.pk}" in link and f"sector={w.sectors['agri'].pk}" in link
    listed = client.get(link).content.decode()
    # The group as routing saw it: the five petitions, not the one submitted after.
    assert all(p.tracking_code in listed for p in petitions)
    assert later.tracking_code not in listed
    # The sixth joined the same consultation and names its own group of six.
    page = client.get(reverse("dashboard:petition", args=[later.tracking_code])).content.decode()
    assert f"Similar to 5 other petitions from {w.town.name}" in page


def test_unrelated_petitions_of_one_township_sharing_everyday_words_are_not_systemic(world):
    w = world
    routed = burst(w, 6, texts=UNRELATED)
    assert all(d.loop == 1 and d.reason == Reason.OWN_SECTOR for d, _p in routed)
    assert {p.events.get(action=A.ROUTE).data["similar_count"] for _d, p in routed} == {1}
    # 打工 is a term of all six (a hot-words term) but not an issue term: it never makes them similar.
    assert PetitionWord.objects.filter(term="打工").count() == 6
    assert similar_groups(min_size=2) == []
    assert not JointConsultation.objects.exists()


def test_the_same_issue_in_another_township_is_not_counted(world):
    w = world
    burst(w, 4)
    decision, petition = submit_route(w.agri, CORN[4], w.other_village)
    assert (decision.loop, decision.reason) == (1, Reason.OWN_SECTOR)
    assert petition.events.get(action=A.ROUTE).data["similar_count"] == 1
    # Nor the same issue of the same township routed to another sector: groups are per sector.
    PetitionWord.objects.filter(petition__in=Petition.objects.filter(region=w.village)).update(
        sector_id=w.sectors["civil"].pk)
    decision, _petition = submit_route(w.agri, CORN[4], w.village)
    assert decision.loop == 1


def test_petitions_older_than_the_span_are_not_counted_and_the_span_is_a_setting(world, settings):
    w = world
    old = [p for _d, p in burst(w, 4)]
    PetitionWord.objects.filter(petition__in=old[:2]).update(at=timezone.now() - timedelta(days=8))
    assert submit_route(w.agri, CORN[4], w.village)[0].loop == 1  # 2 + 1 + this one: 4 < 5
    settings.ROUTING_SIMILAR_DAYS = 10
    assert submit_route(w.agri, CORN[5], w.village)[0].loop == 3  # 4 + 1 + this one within 10 days


def test_the_threshold_is_a_setting(world, settings):
    settings.ROUTING_SIMILAR_THRESHOLD = 3
    assert [d.loop for d, _p in burst(world, 3)] == [1, 1, 3]


def _state():
    return {
        "events": sorted(PetitionEvent.objects.values_list("id", "petition_id", "action", "note")),
        "words": sorted(PetitionWord.objects.values_list("petition_id", "term", "sector_id", "township_id", "at")),
        "hot words": sorted(HotWord.objects.values_list("term", "scope", "window", "count", "total")),
        "consultations": sorted(JointConsultation.objects.values_list("id", "petition_id", "status")),
        "related": sorted(JointConsultation.related_petitions.through.objects.values_list(
            "jointconsultation_id", "petition_id")),
        "petitions": sorted(Petition.objects.values_list("id", "status", "loop", "sector_id", "routed_at",
                                                         "current_studio_id")),
    }


def test_routing_again_changes_nothing(world):
    w = world
    routed = burst(w, 6)
    assert [d.loop for d, _p in routed] == [1, 1, 1, 1, 3, 3]
    before = _state()
    for _d, petition in routed:
        assert services_routing.petition_route(petition_id=petition.pk) is None
    assert services_routing.petitions_route_sweep(older_than=timedelta(0), inline=True) == 0
    assert _state() == before


def test_the_decision_carries_the_group_only_when_it_made_it_systemic():
    group = {"term": "玉米倒伏", "township_id": 4, "township": "梁村镇", "sector_id": 1, "count": 23, "others": 22,
             "days": 7, "until": "2026-07-07T10:00:00+00:00"}
    decision = decide_loop(facts({1: 6}, similar_count=23, similar_threshold=5, similar_group=group))
    assert (decision.loop, decision.reason, decision.similar_group) == (3, Reason.SYSTEMIC_SIMILAR, group)
    assert decision.as_data()["similar_group"] == group
    below = decide_loop(facts({1: 6}, similar_count=4, similar_threshold=5, similar_group=dict(group, count=4)))
    assert (below.loop, below.similar_group) == (1, None)


def test_the_reason_reads_like_the_desk_says_it(settings):
    from django.utils import translation

    group = {"term": "玉米倒伏", "township": "梁村镇", "others": 22, "days": 7}
    with translation.override("en"):
        assert routing.similar_reason(group) == (
            "Similar to 22 other petitions from 梁村镇 in the last 7 days (“玉米倒伏”): joint consultation.")
        assert routing.similar_reason(dict(group, others=1)).startswith("Similar to 1 other petition from 梁村镇")


def test_petitions_routed_together_count_those_before_them_as_if_each_were_routed_alone(world):
    w = world
    petitions = [petition_submit(studio=w.agri, text=CORN[i].format(village=w.village.name), region=w.village)[0]
                 for i in range(6)]
    services_routing.petitions_route_waiting()  # one batch: the words of the first are not stored yet at the fifth
    routes = [p.events.get(action=A.ROUTE).data for p in petitions]
    assert [r["similar_count"] for r in routes] == [1, 2, 3, 4, 5, 6]
    assert [r["loop"] for r in routes] == [1, 1, 1, 1, 3, 3]
    consultation = JointConsultation.objects.get(reason=JointConsultation.Reason.SYSTEMIC_SIMILAR)
    assert consultation.petition_id == petitions[4].pk
    # The four before it when it was convened, and the sixth, which joined it.
    assert set(consultation.related_petitions.values_list("pk", flat=True)) == {
        p.pk for p in petitions[:4] + petitions[5:]}
    assert PetitionWord.objects.filter(petition__in=petitions, term="玉米倒伏", sector=w.sectors["agri"]).count() == 6


def test_routings_count_of_similar_petitions_is_the_pages_grouping(world):
    from petitions.hotwords.services import hotword_petition_add
    from petitions.hotwords.similar import issue_terms, petition_group

    w = world
    burst(w, 3)
    burst(w, 2, region=w.other_village)
    old = [p for _d, p in burst(w, 2)]
    PetitionWord.objects.filter(petition__in=old).update(at=timezone.now() - timedelta(days=8))
    burst(w, 2, texts=UNRELATED)
    petition, _created = petition_submit(studio=w.agri, text=CORN[0].format(village=w.village.name), region=w.village)
    hotword_petition_add(petition_id=petition.pk)
    now = timezone.now()
    for sector in (w.sectors["agri"], w.sectors["civil"]):
        # Routing's SQL (with the issue terms read once) and the ORM query the pages share give one answer.
        routing_group = petition_group(petition_id=petition.pk, sector_id=sector.pk, days=7, now=now,
                                       issues=issue_terms())
        pages_group = petition_group(petition_id=petition.pk, sector_id=sector.pk, days=7, now=now)
        assert routing_group == pages_group
    assert routing_group is None and pages_group is None  # nothing of the township in civil affairs
    agri = petition_group(petition_id=petition.pk, sector_id=w.sectors["agri"].pk, days=7, now=now,
                          issues=issue_terms())
    assert (agri.term, agri.township, agri.count) == ("玉米倒伏", w.town.name, 4)
