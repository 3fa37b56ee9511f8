"""The labelled fixture corpus of hot words: a few hundred realistic petitions, generated with a fixed seed.

Two counties (高唐县 with 梁村镇 and 鱼邱湖街道, 冠县 with 清泉街道 and 辛集镇) and four sectors.
- STEADY topics run evenly through the whole 120 days (window and background alike): they are always
  common, so they must not be hot.
- RISING topics are planted: each says which window and scopes it must top.
Every petition carries a citizen name and a phone number, and a third of them repeat both in the text:
none of these may ever become a hot word. The rising topics' petitions also carry the noise citizens write
around a matter (NOISE: filler and complaint, places, firms, other cities), which rises with them and must
stay out of every top.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from offices.models import Region
from petitions.codes import new_tracking_code
from petitions.models import Petition
from tests.factories import RegionFactory, SectorFactory, StudioFactory

SEED = 20260707
SPAN_DAYS = 120

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("秀英", "桂兰", "建国", "志强", "玉兰", "红梅", "海燕", "国庆", "淑珍", "春生", "德胜", "凤英", "立新", "文华")

# sector code -> ((topic term, templates), ...)
STEADY = {
    "governance": (
        ("路灯不亮", ("{town}{village}村口的路灯不亮已经一个多月了，晚上出门很不方便，老人孩子容易摔倒。",
                  "我们{village}主街上的路灯不亮，晚上黑乎乎的，希望安排人来修一修路灯。")),
        ("垃圾清运", ("{village}的垃圾清运不及时，垃圾桶满了好几天没人拉，天热味道很大。",
                  "小区门口的垃圾清运车好久没来了，垃圾堆在路边，希望恢复正常清运。")),
        ("物业费", ("小区物业费一年比一年高，服务却越来越差，电梯经常坏，请问物业费怎么定价的。",
                 "物业公司要求我们补交物业费，可是小区卫生没人管，业主意见很大。")),
    ),
    "medical": (
        ("医保报销", ("在县医院住院花了八千多，医保报销的比例怎么算，出院时报销得比别人少。",
                  "异地就医的医保报销需要备案吗，孩子在外地看病，医保报销流程不清楚。")),
        ("养老保险", ("想给家里老人补缴养老保险，不知道城乡居民养老保险一年交多少，去哪里办。",
                  "养老保险的待遇认证怎么在手机上做，老人不会用智能手机。")),
    ),
    "agri": (
        ("农机购置补贴", ("买了一台小麦收割机，农机购置补贴在哪里登记，需要什么材料。",
                     "农机购置补贴什么时候发放，去年买的拖拉机补贴还没到账。")),
        ("土地流转", ("合作社想流转土地种植大蒜，土地流转合同怎么签才规范。",
                  "村里土地流转的租金一直没给，承包户找不到人。")),
    ),
    "safety": (
        ("防诈骗", ("社区能不能多开展防诈骗宣传，老人容易上当受骗。",
                 "希望在村里多贴一些防诈骗的海报，让老年人知道怎么识别骗局。")),
    ),
}


@dataclass(frozen=True)
class Planted:
    term: str
    window: str
    scopes: tuple  # ("city",), ("county", "高唐县"), ("sector", "agri")


# (sector, county, township, term, templates, window, how many in the window, how many before)
RISING = (
    ("agri", "高唐县", "梁村镇", "玉米倒伏",
     ("反映一下，高唐{town}{village}{mu}亩玉米大风大雨后玉米倒伏严重，地里积水排不出去，请农技人员来看看怎么救。",
      "昨晚暴雨，{village}的玉米倒伏了一大片，根部泡在水里，想问玉米倒伏后还能不能扶起来，怎么办？",
      "我家{mu}亩玉米倒伏，积水半尺深，排水沟堵了，麻烦派抽水机排涝，希望尽快解决问题。"), "7d", 14, 1),
    ("safety", "冠县", "清泉街道", "刷单诈骗",
     ("我妈在手机上被人拉进群做刷单，对方说是青岛宏远贸易有限公司的，被骗了{money}元，刷单诈骗怎么报案能追回来。",
      "小区好几个人遇到刷单诈骗，宏远公司的人说先垫付后返利，结果钱转过去就联系不上了，真是受不了。",
      "孩子放假在家网上兼职刷单诈骗被骗{money}元，钱转到了济南一家公司，想问派出所能不能立案。"), "24h", 6, 0),
    ("governance", "冠县", "辛集镇", "暖气不热",
     ("我们冠县{town}{village}小区集中供暖后暖气不热，室内只有十二三度，打热力公司电话没人管。",
      "入冬以来家里暖气不热，暖气片上面热下面凉，老人孩子冻得受不了，物业推给热力公司。",
      "暖气不热已经半个月了，交了供暖费却达不到温度，亲戚在莘县也一样，希望督促供热公司整改。"), "30d", 18, 2),
)

# Which planted topic must be in which top 10.
EXPECTED = (
    Planted("玉米倒伏", "7d", ("city",)), Planted("玉米倒伏", "7d", ("county", "高唐县")),
    Planted("玉米倒伏", "7d", ("sector", "agri")), Planted("玉米倒伏", "30d", ("sector", "agri")),
    Planted("刷单诈骗", "24h", ("city",)), Planted("刷单诈骗", "24h", ("county", "冠县")),
    Planted("刷单诈骗", "7d", ("sector", "safety")),
    Planted("暖气不热", "30d", ("city",)), Planted("暖气不热", "30d", ("county", "冠县")),
    Planted("暖气不热", "30d", ("sector", "governance")),
)
STEADY_TERMS = tuple(term for topics in STEADY.values() for term, _t in topics)
# Words of the rising topics' petitions that rise with them and must never be hot words: filler and
# complaint, places (with and without their suffixes), firms' names and other cities. (供热 in 供热公司 is
# what the firm does, the heating itself: a term, hotwords_userdict.txt.)
NOISE = ("受不了", "冻得", "推给", "没人管", "反映", "一下", "怎么办", "麻烦", "希望", "解决", "问题",
         "冠县", "高唐", "莘县", "辛集镇", "梁村镇", "清泉街道", "宏远", "贸易", "有限公司", "公司", "热力",
         "热力公司", "青岛", "济南")

VILLAGES = ("琉璃庙村", "耿店村", "贾庄村", "前街村", "后屯村", "王楼村")


def _fill(rng: random.Random, template: str, town: str) -> str:
    return template.format(town=town, village=rng.choice(VILLAGES), mu=rng.choice((12, 30, 56, 120)),
                           money=rng.choice((3800, 12000, 26000)))


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(SURNAMES) + rng.choice(GIVEN), f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def build(now) -> SimpleNamespace:
    """Create the regions, sectors, studios and petitions; returns what the tests need by name."""
    rng = random.Random(SEED)
    city = RegionFactory(kind=Region.Kind.CITY, name="聊城市", code="371500")
    counties = {"高唐县": RegionFactory(parent=city, kind=Region.Kind.COUNTY, name="高唐县", code="371526"),
                "冠县": RegionFactory(parent=city, kind=Region.Kind.COUNTY, name="冠县", code="371525")}
    towns = {}
    for code, (county, town) in enumerate((("高唐县", "梁村镇"), ("高唐县", "鱼邱湖街道"),
                                           ("冠县", "清泉街道"), ("冠县", "辛集镇")), start=1):
        towns[town] = RegionFactory(parent=counties[county], kind=Region.Kind.TOWNSHIP, name=town,
                                    code=f"{counties[county].code}{code:03d}")
    sectors = {code: SectorFactory(code=code, name=name) for code, name in (
        ("agri", "农业技术"), ("medical", "医疗保障"), ("governance", "基层治理"), ("safety", "公共安全"))}
    studios = {(county, code): StudioFactory(region=region, sector=sector, code=f"{region.code}-{code}")
               for county, region in counties.items() for code, sector in sectors.items()}
    town_county = {t: r.parent.name for t, r in towns.items()}
    names, phones, petitions = set(), set(), []

    def add(sector_code, town, text, at):
        name, phone = _person(rng)
        names.add(name)
        phones.add(phone)
        if rng.random() < 0.34:
            text = f"{text}我叫{name}，电话{phone}。"
        studio = studios[(town_county[town], sector_code)]
        petitions.append(Petition(tracking_code=new_tracking_code(), studio=studio, current_studio=studio,
                                  sector=sectors[sector_code], category=sectors[sector_code], region=towns[town],
                                  text=text, citizen_name=name, citizen_phone=phone, submitted_at=at, updated_at=at))

    steady = [(code, term, templates) for code, topics in STEADY.items() for term, templates in topics]
    n_steady = 320
    for i in range(n_steady):  # evenly through the whole span, topics and towns in turn
        code, _term, templates = steady[i % len(steady)]
        town = list(towns)[(i // len(steady)) % len(towns)]
        at = now - timedelta(days=SPAN_DAYS) + timedelta(days=SPAN_DAYS) * (i + 0.5) / n_steady
        add(code, town, _fill(rng, templates[i % len(templates)], town), at)
    for code, _county, town, _term, templates, window, recent, before in RISING:
        span = {"24h": timedelta(hours=20), "7d": timedelta(days=6), "30d": timedelta(days=28)}[window]
        for i in range(recent):
            add(code, town, _fill(rng, templates[i % len(templates)], town), now - span * (i + 0.5) / recent)
        for i in range(before):
            add(code, town, _fill(rng, templates[i % len(templates)], town), now - timedelta(days=40 + 25 * i))
    Petition.objects.bulk_create(petitions, batch_size=500)
    return SimpleNamespace(city=city, counties=counties, towns=towns, sectors=sectors, studios=studios,
                           names=names, phones=phones, count=len(petitions))
