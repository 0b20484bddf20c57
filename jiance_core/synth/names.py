"""Synthetic Chinese personal names, vectorised.

Surnames are drawn from the ~100 most frequent surnames with weights close to their share of
the population (王 李 张 刘 陈 ... from public census summaries, in percent), plus a few
compound surnames. Given names are one or two characters from pools that differ by sex and by
generation (children born after 2005 vs. adults, e.g. teachers).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["GIVEN_CHARS", "SURNAMES", "SURNAME_WEIGHTS", "generate_names", "names_from_uniforms"]

# (surname, percent of the population) — approximate national shares.
_SURNAME_TABLE: tuple[tuple[str, float], ...] = (
    ("王", 7.12), ("李", 7.00), ("张", 6.74), ("刘", 5.38), ("陈", 4.53), ("杨", 3.08),
    ("赵", 2.29), ("黄", 2.23), ("周", 1.97), ("吴", 2.05), ("徐", 1.64), ("孙", 1.54),
    ("胡", 1.30), ("朱", 1.31), ("高", 1.09), ("林", 1.13), ("何", 1.18), ("郭", 1.22),
    ("马", 1.44), ("罗", 1.07), ("梁", 0.93), ("宋", 0.82), ("郑", 0.97), ("谢", 0.88),
    ("韩", 0.70), ("唐", 0.80), ("冯", 0.69), ("于", 0.52), ("董", 0.56), ("萧", 0.05),
    ("程", 0.46), ("曹", 0.67), ("袁", 0.54), ("邓", 0.68), ("许", 0.72), ("傅", 0.10),
    ("沈", 0.40), ("曾", 0.62), ("彭", 0.66), ("吕", 0.43), ("苏", 0.45), ("卢", 0.38),
    ("蒋", 0.51), ("蔡", 0.50), ("贾", 0.27), ("丁", 0.42), ("魏", 0.44), ("薛", 0.21),
    ("叶", 0.47), ("阎", 0.05), ("余", 0.49), ("潘", 0.53), ("杜", 0.48), ("戴", 0.12),
    ("夏", 0.27), ("钟", 0.35), ("汪", 0.32), ("田", 0.59), ("任", 0.41), ("姜", 0.37),
    ("范", 0.31), ("方", 0.25), ("石", 0.29), ("姚", 0.39), ("谭", 0.34), ("廖", 0.28),
    ("邹", 0.24), ("熊", 0.23), ("金", 0.30), ("陆", 0.33), ("郝", 0.15), ("孔", 0.12),
    ("白", 0.25), ("崔", 0.36), ("康", 0.10), ("毛", 0.15), ("邱", 0.22), ("秦", 0.23),
    ("江", 0.22), ("史", 0.18), ("顾", 0.16), ("侯", 0.19), ("邵", 0.14), ("孟", 0.24),
    ("龙", 0.18), ("万", 0.14), ("段", 0.20), ("雷", 0.19), ("钱", 0.14), ("汤", 0.11),
    ("尹", 0.21), ("黎", 0.17), ("易", 0.10), ("常", 0.10), ("武", 0.13), ("乔", 0.09),
    ("贺", 0.16), ("赖", 0.09), ("龚", 0.15), ("文", 0.09), ("付", 0.26), ("肖", 0.60),
    ("闫", 0.20), ("严", 0.13), ("覃", 0.13), ("莫", 0.12), ("向", 0.11), ("韦", 0.26),
    ("陶", 0.17), ("涂", 0.06), ("喻", 0.04),
    ("欧阳", 0.05), ("上官", 0.01), ("司马", 0.01), ("诸葛", 0.005), ("东方", 0.005),
)  # fmt: skip

SURNAMES: tuple[str, ...] = tuple(s for s, _ in _SURNAME_TABLE)
SURNAME_WEIGHTS: npt.NDArray[np.float64] = np.array([w for _, w in _SURNAME_TABLE])
SURNAME_WEIGHTS /= SURNAME_WEIGHTS.sum()

# Given-name characters: (sex, generation) -> pool. Characters may appear in several pools.
GIVEN_CHARS: dict[tuple[str, str], str] = {
    ("男", "child"): (
        "浩宇轩子俊杰涛博文明辰泽睿豪瑞航晨阳鹏然天一嘉奕铭皓宸逸宏伟磊鑫凯昊洋斌毅诚煜"
        "骏霖彬哲晟恒烨亮栋梓沐安健旭鸿泓佑锐峻梁思远承家乐言允川景琛昱卓铠"
    ),
    ("女", "child"): (
        "欣怡梓涵雨萱诗琪佳思妍可馨晨语若悦婷雅静雪琳梦瑶颖慧丽芳萌丹彤嘉一子欢芊清月"
        "蕊菲茜璐洁玥希依艺昕晴露钰乐舒微曼瑾淑楠宁恩晗沁羽紫薇芷橙安之"
    ),
    ("男", "adult"): (
        "伟军勇磊强杰涛明超斌辉刚健平波峰鹏华建国文俊东海志军林亮飞龙宇浩晓锋新春红兵"
        "学忠民永德庆振良成"
    ),
    ("女", "adult"): (
        "芳娟敏静丽艳秀英华慧红燕玲霞萍丹琳娜莉婷晶雪梅兰琴玉洁颖倩蓉凤桂芬云佳晓春红美青珍宁"
    ),
}
# Share of one-character given names by generation.
_SINGLE_SHARE = {"child": 0.12, "adult": 0.30}

_SURNAME_CUM = np.cumsum(SURNAME_WEIGHTS)
_SURNAME_SERIES = pl.Series("surname", SURNAMES)
# one series per generation: male pool, then female pool, then "" (no second character)
_GIVEN: dict[str, tuple[pl.Series, int, int]] = {}
for _gen in ("child", "adult"):
    _m, _f = GIVEN_CHARS[("男", _gen)], GIVEN_CHARS[("女", _gen)]
    _GIVEN[_gen] = (pl.Series("given", [*_m, *_f, ""]), len(_m), len(_f))


def names_from_uniforms(
    u: npt.NDArray[np.float64],
    male: npt.NDArray[np.bool_],
    generation: Literal["child", "adult"] = "child",
) -> pl.Series:
    """Names from an ``(n, 4)`` array of uniforms in [0, 1) (surname, two characters, length).

    Lets callers derive names from counter-based random numbers, so that one person's name does
    not depend on who else is generated. Returns a polars String series.
    """
    male = np.asarray(male, dtype=bool)
    n = male.shape[0]
    if u.shape != (n, 4):
        raise ValueError("u must have shape (n, 4)")
    surname_idx = np.minimum(
        np.searchsorted(_SURNAME_CUM, u[:, 0], side="right"), len(SURNAMES) - 1
    )
    pool, n_m, n_f = _GIVEN[generation]
    chars = [
        np.where(male, (u[:, c] * n_m).astype(np.int64), n_m + (u[:, c] * n_f).astype(np.int64))
        for c in (1, 2)
    ]
    single = u[:, 3] < _SINGLE_SHARE[generation]
    second = np.where(single, n_m + n_f, chars[1])
    df = pl.DataFrame(
        {
            "s": _SURNAME_SERIES.gather(surname_idx),
            "a": pool.gather(chars[0]),
            "b": pool.gather(second),
        }
    )
    return df.select(pl.concat_str("s", "a", "b").alias("name")).to_series()


def generate_names(
    rng: np.random.Generator,
    male: npt.NDArray[np.bool_],
    generation: Literal["child", "adult"] = "child",
) -> pl.Series:
    """One full name per element of ``male`` (True = 男), as a polars String series."""
    male = np.asarray(male, dtype=bool)
    return names_from_uniforms(rng.random((male.shape[0], 4)), male, generation)
