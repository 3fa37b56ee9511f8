"""How much to seed: `city` is Liaocheng-sized, `small` the same shape in miniature.

Every scale draws from the same seeded generators, so a smaller scale's places, studios and
departments are a subset of a larger one's (same codes, same names) and a larger run only tops up.
"""
from dataclasses import dataclass, field

SEED = 20231114  # the day the newspaper page tells of (11 月 14 日)


@dataclass(frozen=True)
class Scale:
    name: str
    # county code -> township names to include (None: all of them)
    counties: dict
    villages_per_township: int
    # industry studio codes to include (None: all 94)
    industry_studios: tuple | None
    representatives: dict  # level -> how many
    petitions: int
    seed: int = SEED
    duties: dict = field(default_factory=dict)


SMALL = Scale(
    name="small",
    counties={
        "371526": ("梁村镇", "鱼邱湖街道"),
        "371503": ("贾寨镇", "振兴街道"),
        "371525": ("辛集镇", "清泉街道"),
    },
    villages_per_township=3,
    industry_studios=("371500-finance", "371500-safety", "371526-agri", "371526-medical", "371503-agri",
                      "371525-safety"),
    representatives={"national": 1, "provincial": 4, "city": 25, "county": 60, "township": 110},
    petitions=500,
    duties={"proposals": 4, "topics": 3, "assignments": 3, "discussions": 3},
)

CITY = Scale(
    name="city",
    counties={code: None for code in ("371502", "371503", "371521", "371522", "371524", "371525", "371526",
                                      "371581")},
    villages_per_township=4,
    industry_studios=None,
    representatives={"national": 6, "provincial": 60, "city": 1500, "county": 4500, "township": 7934},
    petitions=50_000,
    duties={"proposals": 60, "topics": 8, "assignments": 14, "discussions": 6},
)

SCALES = {s.name: s for s in (SMALL, CITY)}
