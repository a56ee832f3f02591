"""Japanese place and stop names for the demo city.

Names come from places along the Hitachi coast; a city larger than one segment
reuses them with a ward number, e.g. ``諏訪（3）``. :class:`StopNamer` keeps
every stop name of a feed unique.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Station towns, south to north, and their readings for route names.
TOWN_NAMES: tuple[str, ...] = ("大みか", "常陸多賀", "日立", "小木津", "十王")

#: Neighbourhoods used for ordinary stops and estates.
AREA_NAMES: tuple[str, ...] = (
    "久慈町", "茂宮", "石名坂", "南高野", "水木", "大沼", "河原子", "国分",
    "金沢", "東金沢", "鮎川", "助川", "宮田", "平和台", "神峰", "会瀬",
    "成沢", "諏訪", "滑川", "高鈴", "東滑川", "折笠", "田尻", "川尻",
    "伊師", "友部", "黒坂", "山部", "高原", "中里", "入四間", "東河内",
    "森山", "みかの原", "弁天町", "千石町", "旭町", "本宮", "若葉町", "城南",
)

#: Suffixes of stops on the flat coast and near stations.
LOWLAND_SUFFIXES: tuple[str, ...] = (
    "入口", "一丁目", "二丁目", "三丁目", "郵便局前", "公民館前", "小学校前",
    "中央", "病院前", "市民会館前", "商店街", "北", "南", "交番前", "海岸",
)

#: Suffixes of stops in the hills.
HILL_SUFFIXES: tuple[str, ...] = (
    "台", "ヶ丘", "団地", "坂上", "坂下", "ニュータウン", "台団地", "中学校前",
    "集会所前", "上", "下", "公園前", "霊園前", "北口",
)

#: Last resort when every suffix of an area is taken.
DIRECTION_SUFFIXES: tuple[str, ...] = ("東", "西", "北", "南", "中", "上", "下")


def ward_name(base: str, segment: int) -> str:
    """Return ``base`` for the first segment and ``base（n）`` for segment ``n - 1``."""
    return base if segment == 0 else f"{base}（{segment + 1}）"


@dataclass(slots=True)
class StopNamer:
    """Hand out unique stop names built from an area name and a suffix.

    Parameters
    ----------
    rng
        The generator that picks suffixes (the caller's, for determinism).
    """

    rng: np.random.Generator
    used: set[str] = field(default_factory=set)

    def reserve(self, name: str) -> str:
        """Mark ``name`` as used (or, if taken, a numbered variant) and return it."""
        candidate = name
        n = 2
        while candidate in self.used:
            candidate = f"{name}{n}"
            n += 1
        self.used.add(candidate)
        return candidate

    def name(self, area: str, *, hill: bool) -> str:
        """Return a fresh name for a stop in ``area``, hill-style when ``hill``."""
        suffixes = HILL_SUFFIXES if hill else LOWLAND_SUFFIXES
        order = self.rng.permutation(len(suffixes))
        for k in order:
            candidate = area + suffixes[int(k)]
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        for d in DIRECTION_SUFFIXES:
            candidate = f"{area}{suffixes[int(order[0])]}{d}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        return self.reserve(area + suffixes[int(order[0])])
