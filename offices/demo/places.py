"""Liaocheng: the city, its eight county-level divisions and their townships and streets.

Township codes follow the statistical pattern: county code + 001.. for streets (街道), 101.. for
towns (镇), 201.. for townships (乡). Village codes add three digits: 001.. for communities under a
street, 201.. for villages under a town. Village names are invented (seeded per township, so every
scale draws the same names for the same code), except the three villages the newspaper names.
"""
import random
from dataclasses import dataclass

CITY_CODE, CITY_NAME = "371500", "聊城市"
CITY_CENTRE = (36.457, 115.985)


@dataclass(frozen=True)
class County:
    code: str
    name: str
    kind: str  # district (区) · county (县) · city (县级市)
    centre: tuple
    townships: tuple


COUNTIES = (
    County("371502", "东昌府区", "district", (36.434, 115.988), (
        "古楼街道", "柳园街道", "新区街道", "湖西街道", "道口铺街道", "阎寺街道", "北城街道", "李海务街道",
        "凤凰街道", "蒋官屯街道", "东城街道",
        "沙镇镇", "堂邑镇", "梁水镇镇", "斗虎屯镇", "郑家镇", "张炉集镇", "侯营镇", "于集镇", "朱老庄镇",
        "许营镇", "顾官屯镇", "广平镇")),
    County("371503", "茌平区", "district", (36.580, 116.255), (
        "振兴街道", "信发街道", "温陈街道",
        "贾寨镇", "乐平铺镇", "冯官屯镇", "菜屯镇", "博平镇", "杜郎口镇", "韩屯镇", "胡屯镇", "肖家庄镇",
        "洪官屯镇",
        "杨官屯乡")),
    County("371521", "阳谷县", "county", (36.114, 115.791), (
        "博济桥街道", "侨润街道", "狮子楼街道",
        "阿城镇", "七级镇", "安乐镇", "定水镇", "石佛镇", "李台镇", "寿张镇", "十五里园镇", "张秋镇",
        "郭屯镇", "阎楼镇", "西湖镇", "高庙王镇", "金斗营镇",
        "大布乡")),
    County("371522", "莘县", "county", (36.234, 115.671), (
        "莘州街道", "燕塔街道", "莘亭街道", "东鲁街道",
        "张鲁回族镇", "朝城镇", "观城镇", "古城镇", "大张家镇", "古云镇", "十八里铺镇", "燕店镇", "董杜庄镇",
        "王奉镇", "樱桃园镇", "河店镇", "妹冢镇", "魏庄镇", "张寨镇", "大王寨镇", "徐庄镇",
        "王庄集乡", "柿子园乡", "俎店乡")),
    County("371524", "东阿县", "county", (36.335, 116.248), (
        "铜城街道", "新城街道",
        "刘集镇", "牛角店镇", "大桥镇", "高集镇", "姜楼镇", "姚寨镇", "鱼山镇", "陈集镇")),
    County("371525", "冠县", "county", (36.484, 115.442), (
        "清泉街道", "崇文街道", "烟庄街道",
        "辛集镇", "贾镇", "桑阿镇", "柳林镇", "清水镇", "东古城镇", "北馆陶镇", "店子镇", "定远寨镇",
        "梁堂镇", "范寨镇", "甘官屯镇",
        "兰沃乡", "斜店乡", "万善乡")),
    County("371526", "高唐县", "county", (36.866, 116.231), (
        "鱼邱湖街道", "汇鑫街道", "人和街道",
        "梁村镇", "尹集镇", "清平镇", "固河镇", "三十里铺镇", "琉璃寺镇", "赵寨子镇", "姜店镇", "杨屯镇")),
    County("371581", "临清市", "city", (36.838, 115.705), (
        "青年路街道", "新华路街道", "先锋路街道", "大辛庄街道",
        "松林镇", "老赵庄镇", "康庄镇", "魏湾镇", "刘垓子镇", "八岔路镇", "潘庄镇", "烟店镇", "唐园镇",
        "金郝庄镇", "戴湾镇", "尚店镇")),
)
COUNTY_BY_CODE = {c.code: c for c in COUNTIES}

# The villages the newspaper names, first under their township.
NAMED_VILLAGES = {("371526", "梁村镇"): "琉璃庙村", ("371503", "贾寨镇"): "耿店村", ("371525", "辛集镇"): "贾庄村"}


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    kind: str  # township · village
    county: str  # county code
    is_street: bool = False


def township_code(county: County, name: str) -> str:
    """The township's 9-digit code: its position among the county's streets, towns or townships."""
    suffix = "街道" if name.endswith("街道") else ("乡" if name.endswith("乡") else "镇")
    base = {"街道": 0, "镇": 100, "乡": 200}[suffix]
    same_kind = [n for n in county.townships if (n.endswith("街道") if suffix == "街道" else
                                                  n.endswith("乡") if suffix == "乡" else
                                                  n.endswith("镇"))]
    return f"{county.code}{base + same_kind.index(name) + 1:03d}"


def townships(county: County, only=None) -> list[Place]:
    names = county.townships if only is None else [n for n in county.townships if n in only]
    return [Place(township_code(county, n), n, "township", county.code, n.endswith("街道")) for n in names]


_COMMUNITY = ("东关", "西关", "南关", "北关", "花园", "建设", "文化", "滨河", "育新", "南湖", "振华", "新华",
              "光明", "幸福", "和平", "青年", "兴华", "金城", "运河", "东湖", "柳泉", "龙山", "凤凰", "古楼")
_SURNAME = "王李张刘陈杨赵孙周吴徐朱马胡郭何高罗郑梁宋谢韩唐冯于董曹袁许蒋魏薛范石姚谭邹程田任崔贾侯邵孟"
_SUFFIX = ("庄", "集", "屯", "楼", "营", "寨", "店", "堂", "洼", "官屯", "家庄", "庙", "桥", "园", "固", "口")
_PREFIX = ("前", "后", "东", "西", "南", "北", "大", "小", "", "", "", "")


def villages(township: Place, count: int, seed: int) -> list[Place]:
    """The first `count` villages (communities under a street) of a township, the same on every scale."""
    rng = random.Random(f"{seed}:villages:{township.code}")
    named = NAMED_VILLAGES.get((township.county, township.name))
    names, seen = [], set()
    if named:
        names.append(named)
        seen.add(named)
    while len(names) < count:
        if township.is_street:
            name = f"{rng.choice(_COMMUNITY)}社区"
        else:
            name = f"{rng.choice(_PREFIX)}{rng.choice(_SURNAME)}{rng.choice(_SUFFIX)}村"
        if name not in seen:
            seen.add(name)
            names.append(name)
    first = 1 if township.is_street else 201
    return [Place(f"{township.code}{first + i:03d}", n, "village", township.county, township.is_street)
            for i, n in enumerate(names[:count])]
