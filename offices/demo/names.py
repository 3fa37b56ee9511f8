"""Invented people: names from common surnames and given-name characters, phone numbers, work units.

Nobody here is real. The people the newspaper names are public figures and are never drawn.
"""
import hashlib

# Weighted roughly by how common they are in Shandong.
SURNAMES = ("王" * 12 + "李" * 10 + "张" * 10 + "刘" * 8 + "陈" * 4 + "杨" * 4 + "赵" * 4 + "孙" * 4 + "徐" * 3
            + "马" * 3 + "高" * 3 + "朱" * 3 + "郭" * 3 + "胡" * 2 + "于" * 2 + "董" * 2 + "宋" * 2 + "韩" * 2
            + "侯" * 2 + "魏" * 2 + "崔" * 2 + "杜" * 2 + "孟" * 2 + "曹" * 2 + "田" * 2 + "许" * 2
            + "周吴郑冯梁谢唐袁蒋薛范石姚谭程任贾邵邱秦史顾常武乔贺尹路庞颜岳葛毕翟商时聂")
MALE = "伟强磊军勇涛明超刚平辉鹏华飞斌波宁健凯峰东林晨亮浩志国庆建德海永胜成金振兴文广宏立新杰"
FEMALE = "芳娜敏静丽艳娟霞燕玲丹萍红梅莉兰琳雪婷慧颖倩洁彤佳欣月晶秀凤英云春蕾"
# Names printed on the newspaper page: real people, never to be generated.
REAL_PEOPLE = {"杜立芝", "步同良", "卢风劲", "陈波", "何靖雯", "王相如", "李长峰", "杨俊刚", "徐木然", "陈玉桥",
               "胡正寰", "胡磊", "孙亚飞", "邵颖", "薛良诚", "程源", "张金岗", "解斌", "杜银时", "王元华",
               "祖丙虎", "杜真真", "李凯", "刘亚琦", "张帆", "孟庆峰"}


def person_name(rng, gender: str) -> str:
    chars = MALE if gender == "m" else FEMALE
    while True:
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
        name = rng.choice(SURNAMES) + given
        if name not in REAL_PEOPLE and name[1:] != name[0] * 2:
            return name


# 1[3-9] and nine digits; an affine bijection of the index, so every index has its own number.
_PHONE_SPACE = 7 * 10**9
_PHONE_STEP = 2_654_435_761  # coprime to 2, 5 and 7


def phone_for(index: int, salt: int = 0) -> str:
    value = (index * _PHONE_STEP + 1_234_567_890 + salt * 977_000_003) % _PHONE_SPACE
    return f"1{3 + value // 10**9}{value % 10**9:09d}"


def hashed_choice(key: str, options):
    """A stable choice by key, independent of any random stream."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return options[int.from_bytes(digest, "big") % len(options)]


# Work units and posts. A representative of a sector usually works in it; {short} is the county's
# name without 县/区/市 (高唐, 茌平), as banks and branches use it.
SECTOR_UNITS = {
    "agri": ("{county}农业技术推广中心农艺师", "{town}农技站站长", "{town}{coop}专业合作社理事长", "{town}{village}种植大户",
             "{county}畜牧兽医服务中心兽医"),
    "finance": ("中国农业银行{short}支行客户经理", "{short}农商银行{town}支行行长", "中国建设银行{short}支行行长",
                "中国工商银行{short}支行副行长", "中国银行{short}支行客户经理"),
    "medical": ("{county}人民医院主任医师", "{town}卫生院院长", "{town}{village}村医", "{county}中医医院护士长"),
    "safety": ("{town}派出所所长", "{town}派出所民警", "{county}反诈中心民警", "{town}{village}警务助理"),
    "civil": ("{town}敬老院院长", "{town}{village}妇联主席", "{county}社会福利中心主任", "{town}{village}党支部书记"),
    "grassroots": ("{town}{village}党支部书记", "{town}{village}网格员", "{town}{village}村委会主任", "{town}党委委员"),
    "govservice": ("{county}政务服务中心窗口负责人", "{town}便民服务中心主任", "{county}不动产登记中心科长"),
    "chain": ("{county}{company}总经理", "{county}{company}车间主任", "{county}{company}技术部经理"),
    "talent": ("{county}{company}人力资源部经理", "{county}公共就业和人才服务中心主任", "{county}职业教育中心教师"),
    "opinion": ("{county}第一中学教师", "{town}中心小学校长", "{town}{village}村委会主任", "{town}{village}退役军人"),
}
CITY_UNITS = ("聊城大学教授", "聊城市人民医院主任医师", "聊城市{company}总经理", "中国农业银行聊城分行高级客户经理",
              "聊城市第一中学教师", "聊城市中医医院副院长")
DEPARTMENT_POSTS = {"national": ("局长", "副局长"), "provincial": ("局长", "副局长"), "city": ("副局长", "科长", "主任"),
                    "county": ("股长", "科员", "副局长")}


def work_unit(rng, level: str, sector: str, department: str, place: dict) -> str:
    """A plausible post for a representative of this level and sector; place has county, short, town, village."""
    if level in DEPARTMENT_POSTS and rng.random() < 0.3:
        return f"{department}{rng.choice(DEPARTMENT_POSTS[level])}"
    if not place.get("town"):
        return rng.choice(CITY_UNITS).format(company=company(rng))
    return rng.choice(SECTOR_UNITS[sector]).format(company=company(rng), coop=rng.choice(COOPS), **place)


_FIRM_WORD = ("鑫源", "华达", "恒泰", "瑞丰", "金泰", "宏远", "盛隆", "鲁冠", "聚祥", "天合", "永盛", "博润", "运通",
              "昌盛", "德信", "嘉禾")
_FIRM_TRADE = ("纺织", "轴承", "铜业", "食品", "农业科技", "机械", "化工", "新材料", "电缆", "生物科技", "物流", "木业",
               "阿胶", "汽车配件")


def company(rng) -> str:
    """An invented firm: 鑫源轴承有限公司."""
    return f"{rng.choice(_FIRM_WORD)}{rng.choice(_FIRM_TRADE)}有限公司"


COOPS = ("蔬菜种植", "粮食种植", "肉牛养殖", "果蔬", "食用菌", "农机", "鸭梨", "黑毛驴养殖", "桑黄种植")
