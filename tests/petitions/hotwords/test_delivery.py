"""Incremental refresh, notifications, curation applied on the next refresh, and the beat task on a real worker."""
from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.models import Notification
from petitions.codes import new_tracking_code
from petitions.hotwords.services import hotword_petition_add, hotwords_refresh
from petitions.models import HotWord, HotWordTerm, Petition, PetitionWord

pytestmark = pytest.mark.django_db

WATER = ("{n}号楼已经连续停水三天了，自来水公司说是管道爆裂，一直没人来修，做饭洗衣都成问题。",
         "我们鱼邱湖街道这边停水好几天，也没有提前通知，老人只能去外面买水喝。",
         "停水到现在还没恢复供水，打了好几次电话，希望督促尽快抢修管道。")


def _new_problem(world, n=10, town="鱼邱湖街道", sector="governance", texts=WATER):
    studio = world.studios[(world.towns[town].parent.name, sector)]
    now = timezone.now()
    return Petition.objects.bulk_create([
        Petition(tracking_code=new_tracking_code(), studio=studio, current_studio=studio, region=world.towns[town],
                 sector=world.sectors[sector], text=texts[i % len(texts)].format(n=i + 1), citizen_name="赵立新",
                 citizen_phone="13900001111", submitted_at=now - timedelta(minutes=5 * i)) for i in range(n)])


def _city_top(window="7d", limit=10):
    return list(HotWord.objects.filter(window=window, scope="city", rank__lte=limit)
                .order_by("rank").values_list("term", flat=True))


def test_ten_petitions_about_a_new_problem_in_one_township_become_a_hot_word_on_the_next_refresh(world):
    assert "停水" not in _city_top()
    _new_problem(world)
    result = hotwords_refresh()
    assert result == {"full": False, "extracted": 10, "hot_words": result["hot_words"], "notified": result["notified"]}
    assert "停水" in _city_top()
    assert "停水" in _city_top("24h")
    sector_top = HotWord.objects.filter(window="7d", scope="sector", sector=world.sectors["governance"], rank__lte=10)
    assert "停水" in sector_top.values_list("term", flat=True)


def test_a_term_new_to_a_sectors_top_notifies_its_representatives_and_the_township_studio_once(world):
    _new_problem(world)
    hotwords_refresh()
    notified = set(Notification.objects.filter(text__contains="停水").values_list("user__username", flat=True))
    assert {"gov_rep", "yqh_staff"} <= notified
    assert "agri_rep" not in notified
    note = Notification.objects.filter(user=world.gov_rep.user, text__contains="停水").get()
    assert note.url.startswith("/dashboard/hot-words/") and f"sector={world.sectors['governance'].pk}" in note.url
    # In each language, the sector by its name in that language.
    sector = world.sectors["governance"]
    assert sector.name in note.texts["zh-hans"] and "停水" in note.texts["zh-hans"]
    assert note.texts["en"].startswith(f"New hot word in {sector.name_en or sector.name}: “停水”")
    before = Notification.objects.count()
    hotwords_refresh()  # nothing new: nobody is told twice
    assert Notification.objects.count() == before


def test_the_first_refresh_notifies_nobody(db):
    from . import corpus

    corpus.build(timezone.now())
    assert hotwords_refresh()["notified"] == 0
    assert Notification.objects.count() == 0


def test_one_new_petition_is_counted_at_once_in_constant_queries(world, django_assert_max_num_queries):
    before = HotWord.objects.get(window="7d", scope="city", term="玉米倒伏").count
    [petition] = _new_problem(world, n=1, town="梁村镇", sector="agri", texts=("村里的玉米倒伏了，地里全是积水。",))
    with django_assert_max_num_queries(9):
        terms = hotword_petition_add(petition_id=petition.pk)
    assert "玉米倒伏" in terms
    assert HotWord.objects.get(window="7d", scope="city", term="玉米倒伏").count == before + 1
    assert hotword_petition_add(petition_id=petition.pk) == terms  # twice is harmless
    assert HotWord.objects.get(window="7d", scope="city", term="玉米倒伏").count == before + 1


def test_blocked_terms_are_flagged_and_merged_synonyms_counted_as_one(world):
    HotWordTerm.objects.create(term="玉米倒伏", action=HotWordTerm.Action.BLOCK)
    HotWordTerm.objects.create(term="暖气不热", action=HotWordTerm.Action.MERGE, canonical="供暖不足")
    result = hotwords_refresh()
    assert result["full"] is True  # a curation change re-extracts everything
    assert HotWord.objects.get(window="7d", scope="city", term="玉米倒伏").blocked
    assert not HotWord.objects.filter(term="暖气不热").exists()
    assert HotWord.objects.get(window="30d", scope="city", term="供暖不足").count == 18


def test_a_term_staff_add_to_the_dictionary_is_kept_whole_from_the_next_refresh(world):
    texts = ("梁村大集上摊位占道经营，车辆过不去。", "梁村大集每逢集日堵得水泄不通。", "梁村大集的垃圾没人打扫。")
    _new_problem(world, n=6, town="梁村镇", sector="governance", texts=texts)
    hotwords_refresh()
    assert not PetitionWord.objects.filter(term="梁村大集").exists()
    HotWordTerm.objects.create(term="梁村大集", action=HotWordTerm.Action.ADD)
    hotwords_refresh()
    assert PetitionWord.objects.filter(term="梁村大集").count() == 6
    assert "梁村大集" in _city_top()


def test_old_words_leave_the_horizon_on_an_incremental_refresh(world):
    oldest = PetitionWord.objects.order_by("at").first()
    hotwords_refresh(now=oldest.at + timedelta(days=121))
    assert not PetitionWord.objects.filter(pk=oldest.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_refreshes_on_a_real_worker(transactional_db, celery_worker_process):
    from petitions.tasks import hotwords_refresh_task
    from tests.conftest import wait_for

    from . import corpus

    corpus.build(timezone.now())
    hotwords_refresh_task.delay()
    assert wait_for(lambda: HotWord.objects.filter(term="玉米倒伏", window="7d", scope="city").exists(), timeout=60)
