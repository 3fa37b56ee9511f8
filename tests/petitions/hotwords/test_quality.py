"""The labelled corpus: planted rising topics top their scope and window; steady topics, names, phones and the
noise around a topic (filler, places, firms, other cities) never do."""
import re

import pytest
from django.utils import timezone

from petitions.hotwords.services import hotwords_refresh
from petitions.models import HotWord

from . import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked():
    now = timezone.now()
    world = corpus.build(now)
    result = hotwords_refresh(full=True, now=now)
    assert result["extracted"] == world.count
    return world


def _top(world, window, scope, limit=10):
    kind = scope[0]
    qs = HotWord.objects.filter(window=window, scope=kind, rank__lte=limit)
    if kind == "county":
        qs = qs.filter(region=world.counties[scope[1]])
    elif kind == "sector":
        qs = qs.filter(sector=world.sectors[scope[1]])
    return list(qs.order_by("rank").values_list("term", flat=True))


@pytest.mark.parametrize("planted", corpus.EXPECTED, ids=lambda p: f"{p.term}-{p.window}-{'-'.join(p.scopes)}")
def test_planted_rising_topic_is_in_the_top_ten_of_its_scope_and_window(ranked, planted):
    assert planted.term in _top(ranked, planted.window, planted.scopes)


@pytest.mark.parametrize("window", ["24h", "7d", "30d"])
def test_steady_background_topics_are_not_hot(ranked, window):
    scopes = [("city",)] + [("county", c) for c in ranked.counties] + [("sector", s) for s in ranked.sectors]
    for scope in scopes:
        top = _top(ranked, window, scope)
        assert not set(corpus.STEADY_TERMS) & set(top), (window, scope, top)


def test_names_phone_numbers_places_and_filler_never_become_hot_words(ranked):
    terms = set(HotWord.objects.values_list("term", flat=True))
    assert terms, "the corpus produces hot words"
    name_parts = {n for n in ranked.names} | {n[1:] for n in ranked.names}
    assert not terms & name_parts
    assert not any(re.search(r"[0-9A-Za-z]", t) for t in terms)
    assert not terms & {"梁村镇", "清泉街道", "辛集镇", "琉璃庙村", "希望", "一下", "请问", "怎么"}


@pytest.mark.parametrize("window", ["24h", "7d", "30d"])
def test_noise_rising_with_a_topic_stays_out_of_every_top_ten_while_the_topic_is_in(ranked, window):
    scopes = [("city",)] + [("county", c) for c in ranked.counties] + [("sector", s) for s in ranked.sectors]
    for scope in scopes:
        top = _top(ranked, window, scope)
        assert not set(corpus.NOISE) & set(top), (window, scope, top)
    for planted in corpus.EXPECTED:
        if planted.window == window:
            assert planted.term in _top(ranked, window, planted.scopes), planted


def test_a_hot_word_reports_its_count_rise_and_sectors(ranked):
    word = HotWord.objects.get(window="7d", scope="city", term="玉米倒伏")
    assert word.count == 14
    assert word.background_count == 1
    assert word.rise > 10
    assert word.sectors == [ranked.sectors["agri"].pk]
