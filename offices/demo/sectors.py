"""The ten sectors, the department responsible for each at city and county level, and which county
runs which industry studio (94 in all: 10 at city level, 84 across the counties)."""
from dataclasses import dataclass

from .places import CITY_CODE, CITY_NAME, COUNTIES, COUNTY_BY_CODE


@dataclass(frozen=True)
class SectorInfo:
    code: str
    name: str
    name_en: str
    description: str


SECTORS = (
    SectorInfo("chain", "产业链服务", "Industrial-chain service",
               "围绕重点产业链，帮助企业解决配套、用地、用电、物流和技改等问题。"),
    SectorInfo("govservice", "政务服务", "Government service",
               "企业开办、证照办理、不动产登记等政务服务事项的咨询、帮办和代办。"),
    SectorInfo("opinion", "社情民意", "Public opinion",
               "收集群众对公共服务和社会治理的意见建议，反映社情民意。"),
    SectorInfo("grassroots", "基层治理", "Grassroots governance",
               "道路路灯、供水供暖、物业、邻里纠纷等基层治理和民生事项。"),
    SectorInfo("agri", "农业技术", "Agricultural technology",
               "农作物病虫害、灾后救治、农机农资和种养殖技术服务。"),
    SectorInfo("finance", "金融服务", "Financial services",
               "强村贷、富民贷、创业担保贷款和农村金融服务。"),
    SectorInfo("medical", "医疗保障", "Medical security",
               "城乡居民医保参保缴费、异地就医、报销和慢特病待遇。"),
    SectorInfo("talent", "人才服务", "Talent services",
               "企业引才用工、人才政策兑现、技能培训和劳动权益。"),
    SectorInfo("safety", "公共安全（反诈）", "Public safety (anti-fraud)",
               "电信网络诈骗防范、治安防控和消防安全隐患。"),
    SectorInfo("civil", "民政与乡村振兴", "Civil affairs and rural revitalisation",
               "养老服务、社会救助、防返贫监测和美丽乡村建设。"),
)
SECTOR_CODES = tuple(s.code for s in SECTORS)

# The department responsible for a sector: {county} is the county's name, or 聊城市 at city level.
_DEPARTMENT = {
    "chain": "{r}工业和信息化局",
    "govservice": "{r}行政审批服务局",
    "opinion": "{r}信访局",
    "grassroots": "中共{r}委社会工作部",
    "agri": "{r}农业农村局",
    "finance": "{r}地方金融服务中心",
    "medical": "{r}医疗保障局",
    "talent": "{r}人力资源和社会保障局",
    "safety": "{r}公安局",
    "civil": "{r}民政局",
}
_CITY_DEPARTMENT = {"finance": "聊城市地方金融管理局"}


def department_name(region_code: str, sector: str) -> str:
    if region_code == CITY_CODE:
        return _CITY_DEPARTMENT.get(sector) or _DEPARTMENT[sector].format(r=CITY_NAME)
    county = COUNTY_BY_CODE[region_code]
    if sector == "safety" and county.kind == "district":  # districts have a branch of the city bureau
        return f"聊城市公安局{county.name[:-1]}分局"
    return _DEPARTMENT[sector].format(r=county.name)


def department_code(region_code: str, sector: str) -> str:
    return f"{region_code}-{sector}"


# Sectors a county has no studio for: loop 2 goes to the 12345 hotline there.
GAPS = {
    ("371503", "opinion"), ("371521", "talent"), ("371522", "finance"), ("371524", "govservice"),
    ("371524", "talent"), ("371525", "opinion"), ("371526", "talent"), ("371581", "civil"),
}
# A second, specialised studio of a sector in a county: (county, sector) -> its theme.
SPECIALISED = {
    ("371581", "chain"): "轴承产业链",
    ("371581", "talent"): "企业人才服务专员",
    ("371522", "agri"): "蔬菜产业",
    ("371525", "safety"): "全民反诈",
    ("371503", "chain"): "铝精深加工产业链",
    ("371526", "chain"): "外经贸企业服务",
    ("371524", "chain"): "阿胶产业链",
    ("371521", "chain"): "电线电缆产业链",
    ("371502", "govservice"): "企业开办帮办代办",
    ("371502", "medical"): "异地就医服务",
    ("371525", "agri"): "灵芝种植技术",
    ("371524", "agri"): "黑毛驴养殖技术",
}
# Sectors an industry studio also covers, besides its own.
ALSO_COVERS = {"agri": ("civil",), "finance": ("chain",), "talent": ("chain",), "medical": ("civil",),
               "safety": ("grassroots",), "civil": ("grassroots",), "opinion": ("grassroots",)}


@dataclass(frozen=True)
class StudioInfo:
    code: str
    name: str
    region_code: str
    sector: str
    level: str  # city · county


def industry_studios() -> list[StudioInfo]:
    """All 94 industry studios, in a stable order."""
    by_code = {s.code: s for s in SECTORS}
    studios = [StudioInfo(f"{CITY_CODE}-{s.code}", f"{CITY_NAME}{s.name}行业党代表工作室", CITY_CODE, s.code, "city")
               for s in SECTORS]
    for county in COUNTIES:
        for sector in SECTOR_CODES:
            if (county.code, sector) not in GAPS:
                studios.append(StudioInfo(f"{county.code}-{sector}",
                                          f"{county.name}{by_code[sector].name}行业党代表工作室",
                                          county.code, sector, "county"))
            theme = SPECIALISED.get((county.code, sector))
            if theme:
                studios.append(StudioInfo(f"{county.code}-{sector}-2", f"{county.name}{theme}党代表工作室",
                                          county.code, sector, "county"))
    return studios


def township_studio_name(township_name: str) -> str:
    return f"{township_name}“两代表一委员”为民工作室"


# What a township studio also covers, besides grassroots governance.
TOWNSHIP_ALSO_COVERS = {"town": ("civil", "agri"), "street": ("civil", "govservice")}
