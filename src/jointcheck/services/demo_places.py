"""The demo district's areas, organisations, venues and checkpoints.

Five streets of 坊子区 (``fz.s01`` to ``fz.s05``), three to five communities each, two to four
grids per community; each community has one residential quarter, where its people live.
Organisations cover every organisation type and industry of the registry (the service
industries of R12 included); every venue category of SPEC §4 has at least one venue, each run
by an operator organisation and checked at one or more checkpoints. Counts that grow with a
district (restaurants, shops, pharmacies, staff) are scaled by the number of residents over
20,000; schools are sized by the children of their street (``demo_members``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import NamedTuple

from jointcheck.registry.areas import Area
from jointcheck.registry.organisations import Organisation
from jointcheck.registry.venues import Checkpoint, Venue
from jointcheck.services.demo_people import GridHome

DISTRICT = ("fz", "坊子区")
STREETS = (("fz.s01", "凤山街道", "凤山"), ("fz.s02", "黄旗堡街道", "黄旗堡"),
           ("fz.s03", "坊城街道", "坊城"), ("fz.s04", "九龙街道", "九龙"),
           ("fz.s05", "王家庄街道", "王家庄"))
COMMUNITY_NAMES = (
    "凤凰", "龙泉", "北海", "崇文", "坊安", "福寿", "裕园", "梨园", "前宁", "翰林", "东方", "红旗",
    "胜利", "光明", "幸福", "和平", "新华", "东苑", "西苑", "南苑", "北苑", "泰和", "安居", "仁和",
    "兴华", "丰收", "华安", "锦绣", "长安", "育才")
QUARTER_SUFFIXES = ("花园", "小区", "家园", "新村", "雅苑", "佳苑")
COMMUNITIES_PER_STREET = (3, 5)
GRIDS_PER_COMMUNITY = (2, 4)
BUILDINGS_PER_GRID = 12
DISHES = ("家常菜馆", "饺子馆", "火锅店", "面馆", "快餐店", "烧烤城", "海鲜酒楼", "包子铺")


class VenuePlan(NamedTuple):
    """Venues an organisation runs (``number`` of them, times the size factor if ``scaled``).

    ``each_street`` gives a district organisation a branch in every street.
    """

    category: str
    name: str
    each_street: bool = False
    number: int = 1
    scaled: bool = False


class OrgPlan(NamedTuple):
    """Organisations of one kind: one in the district, ``number`` per street, or per community."""

    key: str
    name: str
    type: str
    industry: str
    department: str
    staff: int
    profile: str
    venues: tuple[VenuePlan, ...] = ()
    scope: str = "street"
    home: int = 0
    number: int = 1
    scaled: bool = False


V = VenuePlan
GOV, SVC, GEN = "government", "service", "general"
DISTRICT_ORGS = (
    OrgPlan("gov", "坊子区人民政府", "government", "government", "潍坊市人民政府", 60, GOV,
            (V("government", "坊子区行政中心"), V("meeting", "坊子区行政中心第一会议室"))),
    OrgPlan("health-bureau", "坊子区卫生健康局", "government", "government", "坊子区人民政府", 30,
            GOV, (V("government", "坊子区卫生健康局"), V("meeting", "坊子区卫生健康局培训中心"))),
    OrgPlan("edu-bureau", "坊子区教育和体育局", "government", "government", "坊子区人民政府", 20,
            GOV, (V("government", "坊子区教育和体育局"),), home=1),
    OrgPlan("market-bureau", "坊子区市场监督管理局", "government", "government",
            "坊子区人民政府", 20, GOV, (V("government", "坊子区市场监督管理局"),), home=2),
    OrgPlan("civil-bureau", "坊子区民政局", "government", "government", "坊子区人民政府", 15, GOV,
            (V("government", "坊子区民政局"),), home=3),
    OrgPlan("detention", "坊子区看守所", "government", "government", "坊子区公安分局", 20, GOV,
            (V("detention", "坊子区看守所"),), home=4),
    OrgPlan("hospital", "坊子区人民医院", "medical", "medical", "坊子区卫生健康局", 120, SVC,
            (V("medical", "坊子区人民医院"),)),
    OrgPlan("bus", "坊子区公共交通有限公司", "enterprise", "transport", "坊子区交通运输局", 60, SVC,
            (V("public-transport", "坊子公交{n}路", number=3),
             V("transport-station", "坊子汽车站")), home=1),
    OrgPlan("tourism", "坊茨小镇文化旅游有限公司", "enterprise", "tourism", "坊子区文化和旅游局",
            20, SVC, (V("tourist-attraction", "坊茨小镇景区"),), home=2),
    OrgPlan("amusement", "凤山欢乐谷游乐有限公司", "enterprise", "crowded-places",
            "坊子区文化和旅游局", 8, SVC, (V("amusement", "凤山欢乐谷"),)),
    OrgPlan("welfare", "坊子区社会福利院", "public-institution", "other", "坊子区民政局", 15, GEN,
            (V("welfare-home", "坊子区社会福利院"),), home=3),
    OrgPlan("temple", "凤山寺管理委员会", "social-organisation", "other", "坊子区民族宗教事务局", 3,
            GEN, (V("religious", "凤山寺"),)),
    OrgPlan("sanitation", "坊子区环境卫生服务中心", "public-institution", "sanitation",
            "坊子区综合行政执法局", 30, SVC, home=1),
    OrgPlan("express", "坊子区顺达快递有限公司", "enterprise", "express-delivery",
            "坊子区邮政管理局", 15, SVC, home=2),
    OrgPlan("domestic", "坊子区安心家政服务有限公司", "enterprise", "domestic-service",
            "坊子区商务局", 12, SVC, home=3),
    OrgPlan("coldchain", "坊子区进口冷链食品仓储有限公司", "enterprise", "imported-goods",
            "坊子区市场监督管理局", 15, SVC, (V("factory", "坊子区进口冷链食品监管仓"),), home=4),
    OrgPlan("volunteers", "坊子区志愿者协会", "other", "other", "坊子区民政局", 3, GEN),
    OrgPlan("post", "中国邮政集团有限公司坊子区分公司", "enterprise", "express-delivery",
            "坊子区邮政管理局", 12, SVC, (V("post-office", "{s}邮政所", each_street=True),)),
    OrgPlan("bank", "坊子农村商业银行", "enterprise", "finance", "坊子区金融服务中心", 20, GEN,
            (V("financial", "坊子农商银行{s}支行", each_street=True),), home=1),
    OrgPlan("pharmacy", "康宁大药房连锁有限公司", "enterprise", "medical", "坊子区市场监督管理局",
            15, SVC, (V("pharmacy", "康宁大药房{s}{n}店", True, 1, True),), home=2),
    OrgPlan("convenience", "便民连锁超市有限公司", "enterprise", "retail", "坊子区商务局", 20, SVC,
            (V("convenience-store", "便民超市{s}{n}号店", True, 2, True),), home=3),
)
STREET_ORGS = (
    OrgPlan("office", "{s}街道办事处", "government", "government", "坊子区人民政府", 25, GOV,
            (V("government", "{s}街道办事处"), V("meeting", "{s}街道办事处会议室"))),
    OrgPlan("health", "{s}街道社区卫生服务中心", "medical", "medical", "坊子区卫生健康局", 15, SVC,
            (V("medical", "{s}街道社区卫生服务中心"),)),
    OrgPlan("property", "{s}物业管理有限公司", "enterprise", "other", "坊子区住房和城乡建设局", 20,
            GEN, (V("office", "{s}商务大厦"),)),
    OrgPlan("restaurant", "{s}{dish}", "enterprise", "catering", "坊子区市场监督管理局", 8, SVC,
            (V("restaurant", "{s}{dish}"),), number=2, scaled=True),
    OrgPlan("hotel", "{s}宾馆", "enterprise", "hotel", "坊子区文化和旅游局", 20, SVC,
            (V("hotel", "{s}宾馆"),)),
    OrgPlan("mall", "{s}购物广场有限公司", "enterprise", "retail", "坊子区商务局", 25, SVC,
            (V("mall-supermarket", "{s}购物广场"),)),
    OrgPlan("market", "{s}农贸市场管理有限公司", "enterprise", "crowded-places",
            "坊子区市场监督管理局", 10, SVC, (V("market", "{s}农贸市场"),)),
    OrgPlan("gym", "{s}全民健身中心", "enterprise", "crowded-places", "坊子区教育和体育局", 6, SVC,
            (V("gym", "{s}全民健身中心"),)),
    OrgPlan("cinema", "{s}影城", "enterprise", "crowded-places", "坊子区文化和旅游局", 10, SVC,
            (V("indoor-entertainment", "{s}影城"),)),
    OrgPlan("factory", "{s}机械制造有限公司", "enterprise", "manufacturing",
            "坊子区工业和信息化局", 80, GEN, (V("factory", "{s}机械制造有限公司厂区"),)),
    OrgPlan("builder", "{s}建筑工程有限公司", "enterprise", "construction",
            "坊子区住房和城乡建设局", 50, GEN, (V("construction-site", "{s}安置房项目工地"),)),
    OrgPlan("nursing", "{s}颐养院", "social-organisation", "domestic-service", "坊子区民政局", 15,
            SVC, (V("nursing-home", "{s}颐养院"),)),
)
COMMITTEE = OrgPlan("committee", "{c}社区居民委员会", "other", "other", "{street}办事处", 5, GOV,
                    (V("residential-quarter", "{quarter}"),), scope="community")
del V

CHECKPOINTS = {
    "medical": ("门诊入口", "急诊入口"), "residential-quarter": ("东门", "南门"),
    "transport-station": ("进站口",), "public-transport": ("前门上车口",),
    "mall-supermarket": ("一楼正门", "地下车库入口"), "university": ("东校门", "西校门"),
    "primary-school": ("校门",), "secondary-school": ("校门",), "kindergarten": ("园门",),
    "tourist-attraction": ("售检票口",), "factory": ("厂区大门",),
    "construction-site": ("工地大门",), "meeting": ("会场签到处",), "detention": ("来访登记处",),
}
DEFAULT_CHECKPOINT = ("正门",)


@dataclass(frozen=True, slots=True)
class Community:
    """A community, its street (by index) and its residential quarter."""

    code: str
    name: str
    street_index: int
    quarter: str


@dataclass
class Places:
    """What the places of the district come to, and the staff each organisation needs."""

    areas: list[Area] = field(default_factory=list)
    homes: list[GridHome] = field(default_factory=list)
    communities: list[Community] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    venues: list[Venue] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    staffing: list[tuple[str, tuple[str, ...], int]] = field(default_factory=list)
    """(organisation code, the posts it fills, its street index)"""


def scaled(count: int, factor: float, minimum: int = 1) -> int:
    """Return ``count`` times the size factor, rounded, at least ``minimum``."""
    return max(minimum, round(count * factor))


def staff_posts(profile: str, staff: int) -> tuple[str, ...]:
    """Return the posts of an organisation's ``staff`` people under a post profile."""
    lead = max(1, round(staff * (0.15 if profile == GOV else 0.05)))
    office = round(staff * {GOV: 0.75, SVC: 0.15, GEN: 0.25}[profile])
    logistics = round(staff * 0.1)
    rest = {GOV: "office", SVC: "front-line-service", GEN: "other"}[profile]
    posts = ["leadership"] * lead + ["office"] * office + ["logistics"] * logistics
    return tuple(posts[:staff] + [rest] * (staff - len(posts)))


def make_layout(rng: random.Random, places: Places) -> None:
    """Add the district, its streets, communities and grids, and the grids' homes."""
    places.areas.append(Area.of(*DISTRICT))
    names = list(COMMUNITY_NAMES)
    rng.shuffle(names)
    for street_index, (street, street_name, _) in enumerate(STREETS):
        places.areas.append(Area.of(street, street_name))
        for c in range(1, rng.randint(*COMMUNITIES_PER_STREET) + 1):
            name, code = names.pop(), f"{street}.c{c:02d}"
            quarter = name + rng.choice(QUARTER_SUFFIXES)
            places.areas.append(Area.of(code, f"{name}社区"))
            places.communities.append(Community(code, name, street_index, quarter))
            for g in range(1, rng.randint(*GRIDS_PER_COMMUNITY) + 1):
                grid = f"{code}.g{g:02d}"
                places.areas.append(Area.of(grid, f"{name}社区第{g}网格"))
                first = (g - 1) * BUILDINGS_PER_GRID + 1
                places.homes.append(GridHome(
                    grid, street_index, f"山东省潍坊市坊子区{street_name}{name}社区{quarter}",
                    range(first, first + BUILDINGS_PER_GRID)))


class Namer:
    """Venue codes (``s01-restaurant-02``) and checkpoint codes, numbered per street."""

    def __init__(self, places: Places) -> None:
        self.places = places
        self.numbers: dict[tuple[int, str], int] = {}

    def venue(self, category: str, name: str, street_index: int, operator: str) -> None:
        """Add a venue of ``operator`` in a street, with its checkpoints."""
        key = (street_index, category)
        number = self.numbers[key] = self.numbers.get(key, 0) + 1
        street = STREETS[street_index][0]
        code = f"{street.split('.')[1]}-{category}-{number:02d}"
        self.places.venues.append(Venue(code, name, category, street, operator))
        for entrance, label in enumerate(CHECKPOINTS.get(category, DEFAULT_CHECKPOINT), 1):
            self.places.checkpoints.append(Checkpoint(f"{code}-{entrance}", code, label))


def _add_org(places: Places, namer: Namer, plan: OrgPlan, code: str, street_index: int,
             words: dict[str, str], factor: float) -> None:
    street, street_name, short = STREETS[street_index]
    words = words | {"s": short, "street": street_name}
    places.organisations.append(Organisation(
        code, plan.name.format(**words), plan.type, plan.industry,
        plan.department.format(**words), street))
    posts = staff_posts(plan.profile, scaled(plan.staff, factor, 2))
    places.staffing.append((code, posts, street_index))
    for venue in plan.venues:
        streets = range(len(STREETS)) if venue.each_street else (street_index,)
        for where in streets:
            count = scaled(venue.number, factor) if venue.scaled else venue.number
            for n in range(1, count + 1):
                name = venue.name.format(**words | {"s": STREETS[where][2], "n": str(n)})
                namer.venue(venue.category, name, where, code)


def make_organisations(places: Places, factor: float) -> Namer:
    """Add the organisations (schools apart) and the venues they run."""
    namer = Namer(places)
    for plan in DISTRICT_ORGS:
        _add_org(places, namer, plan, f"fz-{plan.key}", plan.home, {}, factor)
    for street_index, (street, _, _) in enumerate(STREETS):
        tag = street.split(".")[1]
        for plan in STREET_ORGS:
            count = scaled(plan.number, factor) if plan.scaled else plan.number
            for n in range(1, count + 1):
                code = f"{tag}-{plan.key}" + (f"-{n:02d}" if count > 1 else "")
                words = {"dish": DISHES[(n - 1 + street_index) % len(DISHES)]}
                if n > len(DISHES):
                    words["dish"] = f"{n}号{words['dish']}"
                _add_org(places, namer, plan, code, street_index, words, factor)
    for community in places.communities:
        code = f"{community.code.split('.', 1)[1].replace('.', '-')}-{COMMITTEE.key}"
        _add_org(places, namer, COMMITTEE, code, community.street_index,
                 {"c": community.name, "quarter": community.quarter}, factor)
    return namer
