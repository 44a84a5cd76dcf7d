"""Venue categories: the stable slugs of SPEC §4 that venues carry and policy packs map to rules."""

from __future__ import annotations

VENUE_CATEGORIES: tuple[str, ...] = (
    "nursing-home", "welfare-home", "kindergarten", "primary-school", "secondary-school",
    "university", "medical", "pharmacy", "office", "government", "transport-station",
    "public-transport", "hotel", "restaurant", "mall-supermarket", "convenience-store", "market",
    "financial", "post-office", "tourist-attraction", "amusement", "indoor-entertainment", "gym",
    "religious", "residential-quarter", "factory", "construction-site", "detention", "meeting",
)

VENUE_CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "nursing-home": ("nursing home", "养老院"),
    "welfare-home": ("welfare home", "福利院"),
    "kindergarten": ("kindergarten", "幼儿园"),
    "primary-school": ("primary school", "小学"),
    "secondary-school": ("secondary school", "中学"),
    "university": ("university", "高等院校"),
    "medical": ("medical institution", "医疗机构"),
    "pharmacy": ("pharmacy", "药店"),
    "office": ("office", "办公场所"),
    "government": ("government office", "党政机关"),
    "transport-station": ("transport station", "交通场站"),
    "public-transport": ("public transport", "公共交通工具"),
    "hotel": ("hotel", "宾馆酒店"),
    "restaurant": ("restaurant", "餐饮场所"),
    "mall-supermarket": ("mall or supermarket", "商场超市"),
    "convenience-store": ("convenience store", "便利店"),
    "market": ("market", "农贸市场"),
    "financial": ("financial institution", "金融机构"),
    "post-office": ("post office", "邮政网点"),
    "tourist-attraction": ("tourist attraction", "旅游景区"),
    "amusement": ("amusement place", "游乐场所"),
    "indoor-entertainment": ("indoor entertainment", "室内文化娱乐场所"),
    "gym": ("gym", "健身场所"),
    "religious": ("religious venue", "宗教活动场所"),
    "residential-quarter": ("residential quarter", "居民小区"),
    "factory": ("factory", "工厂企业"),
    "construction-site": ("construction site", "建筑工地"),
    "detention": ("detention centre", "监管场所"),
    "meeting": ("meeting, reception or training", "会议、公务接待和培训"),
}


def is_venue_category(slug: str) -> bool:
    """Tell whether ``slug`` is one of the stable venue categories."""
    return slug in VENUE_CATEGORY_NAMES
