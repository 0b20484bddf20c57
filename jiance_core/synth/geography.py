"""Reference geography for synthetic data: provinces, cities, Nanchang's county-level units.

Province names and codes are the real GB/T 2260 ones; prefecture-level city names are real, but
their codes are assigned in list order (``PP01``, ``PP02``, ...), which matches the real codes for
many provinces but not all. County-level units outside Nanchang and the four municipalities are
invented (names drawn from character pools). Nanchang's twelve county-level units are real; the
three non-administrative ones (湾里管理局 and the two development zones) get codes 360190-360192.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MUNICIPAL_DISTRICTS",
    "NANCHANG_CITY_CODE",
    "NANCHANG_UNITS",
    "PROVINCES",
    "CityRow",
    "NanchangUnit",
    "ProvinceRow",
    "city_full_name",
    "city_kind",
]


@dataclass(frozen=True, slots=True)
class ProvinceRow:
    code2: str
    name: str
    kind: str  # 省 / 自治区 / 直辖市
    population_m: float  # 2020 census, millions (drives the number of schools)
    n_counties: int  # county-level units to generate
    cities: tuple[str, ...]  # short or full city names; () for a municipality


def _c(names: str) -> tuple[str, ...]:
    return tuple(names.split())


PROVINCES: tuple[ProvinceRow, ...] = (
    ProvinceRow("11", "北京市", "直辖市", 21.9, 16, ()),
    ProvinceRow("12", "天津市", "直辖市", 13.9, 16, ()),
    ProvinceRow("13", "河北省", "省", 74.6, 167, _c("石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水")),
    ProvinceRow("14", "山西省", "省", 34.9, 117, _c("太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁")),
    ProvinceRow("15", "内蒙古自治区", "自治区", 24.0, 103, _c("呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安盟 锡林郭勒盟 阿拉善盟")),
    ProvinceRow("21", "辽宁省", "省", 42.6, 100, _c("沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛")),
    ProvinceRow("22", "吉林省", "省", 24.1, 60, _c("长春 吉林 四平 辽源 通化 白山 松原 白城 延边朝鲜族自治州")),
    ProvinceRow("23", "黑龙江省", "省", 31.9, 121, _c("哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭地区")),
    ProvinceRow("31", "上海市", "直辖市", 24.9, 16, ()),
    ProvinceRow("32", "江苏省", "省", 84.7, 95, _c("南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁")),
    ProvinceRow("33", "浙江省", "省", 64.6, 90, _c("杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水")),
    ProvinceRow("34", "安徽省", "省", 61.0, 104, _c("合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城")),
    ProvinceRow("35", "福建省", "省", 41.5, 84, _c("福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德")),
    ProvinceRow("36", "江西省", "省", 45.2, 100, _c("南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶")),
    ProvinceRow("37", "山东省", "省", 101.5, 136, _c("济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽")),
    ProvinceRow("41", "河南省", "省", 99.4, 157, _c("郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 济源")),
    ProvinceRow("42", "湖北省", "省", 57.8, 103, _c("武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施土家族苗族自治州")),
    ProvinceRow("43", "湖南省", "省", 66.4, 122, _c("长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西土家族苗族自治州")),
    ProvinceRow("44", "广东省", "省", 126.0, 122, _c("广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮")),
    ProvinceRow("45", "广西壮族自治区", "自治区", 50.1, 111, _c("南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左")),
    ProvinceRow("46", "海南省", "省", 10.1, 25, _c("海口 三亚 儋州 省直辖县级行政区划")),
    ProvinceRow("50", "重庆市", "直辖市", 32.1, 38, ()),
    ProvinceRow("51", "四川省", "省", 83.7, 183, _c("成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 阿坝藏族羌族自治州 甘孜藏族自治州 凉山彝族自治州")),
    ProvinceRow("52", "贵州省", "省", 38.6, 88, _c("贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南布依族苗族自治州 黔东南苗族侗族自治州 黔南布依族苗族自治州")),
    ProvinceRow("53", "云南省", "省", 47.2, 129, _c("昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄彝族自治州 红河哈尼族彝族自治州 文山壮族苗族自治州 西双版纳傣族自治州 大理白族自治州 德宏傣族景颇族自治州 怒江傈僳族自治州 迪庆藏族自治州")),
    ProvinceRow("54", "西藏自治区", "自治区", 3.6, 74, _c("拉萨 日喀则 昌都 林芝 山南 那曲 阿里地区")),
    ProvinceRow("61", "陕西省", "省", 39.5, 107, _c("西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛")),
    ProvinceRow("62", "甘肃省", "省", 25.0, 86, _c("兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏回族自治州 甘南藏族自治州")),
    ProvinceRow("63", "青海省", "省", 5.9, 44, _c("西宁 海东 海北藏族自治州 黄南藏族自治州 海南藏族自治州 果洛藏族自治州 玉树藏族自治州 海西蒙古族藏族自治州")),
    ProvinceRow("64", "宁夏回族自治区", "自治区", 7.2, 22, _c("银川 石嘴山 吴忠 固原 中卫")),
    ProvinceRow("65", "新疆维吾尔自治区", "自治区", 25.9, 107, _c("乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉回族自治州 博尔塔拉蒙古自治州 巴音郭楞蒙古自治州 阿克苏地区 克孜勒苏柯尔克孜自治州 喀什地区 和田地区 伊犁哈萨克自治州 塔城地区 阿勒泰地区")),
)  # fmt: skip

# Real district lists of the municipalities: province code -> (name, kind) in code order.
MUNICIPAL_DISTRICTS: dict[str, tuple[tuple[str, str], ...]] = {
    "11": tuple((n + "区", "区") for n in _c("东城 西城 朝阳 丰台 石景山 海淀 门头沟 房山 通州 顺义 昌平 大兴 怀柔 平谷 密云 延庆")),
    "12": tuple((n if n.endswith("区") else n + "区", "区") for n in _c("和平 河东 河西 南开 河北 红桥 东丽 西青 津南 北辰 武清 宝坻 滨海新区 宁河 静海 蓟州")),
    "31": tuple((n if n.endswith("区") else n + "区", "区") for n in _c("黄浦 徐汇 长宁 静安 普陀 虹口 杨浦 闵行 宝山 嘉定 浦东新区 金山 松江 青浦 奉贤 崇明")),
    "50": tuple((n + "区", "区") for n in _c("万州 涪陵 渝中 大渡口 江北 沙坪坝 九龙坡 南岸 北碚 綦江 大足 渝北 巴南 黔江 长寿 江津 合川 永川 南川 璧山 铜梁 潼南 荣昌 开州 梁平 武隆"))
    + tuple((n, "县") for n in _c("城口县 丰都县 垫江县 忠县 云阳县 奉节县 巫山县 巫溪县 石柱土家族自治县 秀山土家族苗族自治县 酉阳土家族苗族自治县 彭水苗族土家族自治县")),
}  # fmt: skip


def city_full_name(name: str) -> str:
    """``南昌`` -> ``南昌市``; prefectures, leagues and autonomous prefectures keep their name."""
    if name.endswith(("自治州", "地区", "盟", "区划")):
        return name
    return name + "市"


def city_kind(full_name: str) -> str:
    if full_name.endswith("自治州"):
        return "自治州"
    if full_name.endswith("地区"):
        return "地区"
    if full_name.endswith("盟"):
        return "盟"
    if full_name.endswith("区划"):
        return "省直辖"
    return "地级市"


@dataclass(frozen=True, slots=True)
class CityRow:
    code: str
    name: str
    kind: str
    province_code: str


@dataclass(frozen=True, slots=True)
class NanchangUnit:
    code: str
    name: str
    kind: str  # 区 / 县 / 管理局 / 开发区
    id_region: str  # region code a local birth certificate / ID would carry
    target_schools: int
    area_probs: tuple[float, float, float]  # 城区, 镇区, 乡村
    towns: tuple[str, ...]


NANCHANG_CITY_CODE = "360100"

NANCHANG_UNITS: tuple[NanchangUnit, ...] = (
    NanchangUnit("360102", "东湖区", "区", "360102", 70, (0.97, 0.03, 0.0), _c("扬农")),
    NanchangUnit("360103", "西湖区", "区", "360103", 75, (0.96, 0.04, 0.0), _c("桃花镇")),
    NanchangUnit("360104", "青云谱区", "区", "360104", 40, (0.90, 0.10, 0.0), _c("青云谱镇")),
    NanchangUnit("360111", "青山湖区", "区", "360111", 100, (0.60, 0.25, 0.15), _c("罗家镇 塘山镇 湖坊镇 京东镇 扬子洲镇")),
    NanchangUnit("360112", "新建区", "区", "360112", 200, (0.20, 0.30, 0.50), _c("长堎镇 望城镇 西山镇 石岗镇 松湖镇 樵舍镇 乐化镇 溪霞镇 象山镇 石埠镇 联圩镇 流湖镇 大塘坪乡 金桥乡 铁河乡 南矶乡 昌邑乡")),
    NanchangUnit("360113", "红谷滩区", "区", "360113", 60, (0.75, 0.15, 0.10), _c("生米镇 厚田乡")),
    NanchangUnit("360121", "南昌县", "县", "360121", 250, (0.10, 0.35, 0.55), _c("莲塘镇 向塘镇 三江镇 塘南镇 幽兰镇 蒋巷镇 武阳镇 冈上镇 广福镇 泾口乡 南新乡 八一乡 黄马乡 富山乡 东新乡")),
    NanchangUnit("360123", "安义县", "县", "360123", 70, (0.10, 0.35, 0.55), _c("龙津镇 鼎湖镇 万埠镇 长埠镇 东阳镇 石鼻镇 黄洲镇 乔乐乡 长均乡 新民乡")),
    NanchangUnit("360124", "进贤县", "县", "360124", 230, (0.08, 0.32, 0.60), _c("民和镇 李渡镇 温圳镇 文港镇 梅庄镇 张公镇 罗溪镇 架桥镇 前坊镇 三里乡 二塘乡 钟陵乡 池溪乡 南台乡 三阳集乡 七里乡 下埠集乡 衙前乡 白圩乡 长山晏乡")),
    NanchangUnit("360190", "湾里管理局", "管理局", "360105", 20, (0.30, 0.40, 0.30), _c("招贤镇 梅岭镇 太平镇 罗亭镇")),
    NanchangUnit("360191", "南昌高新技术产业开发区", "开发区", "360111", 45, (0.40, 0.30, 0.30), _c("昌东镇 麻丘镇")),
    NanchangUnit("360192", "南昌经济技术开发区", "开发区", "360112", 45, (0.45, 0.30, 0.25), _c("蛟桥镇 白水湖")),
)  # fmt: skip

# Place words used for urban school names in Nanchang (real street and landmark names).
NANCHANG_PLACE_WORDS: tuple[str, ...] = _c(
    "育新 豫章 阳明 站前 百花洲 滕王阁 八一 墩子塘 松柏 珠市 洪都 象湖 丁公路 红角洲 绿茵 沙井 "
    "三店 京东 湖坊 上海路 北京路 洪城 赣江 孺子 灌婴 章江 系马桩 铁路 铁街 肖公庙 彭家桥 "
    "羊子巷 邮政路 书院 广润门 青山 贤士 湖滨 凤凰 九龙湖 朝阳 桃花 南湖 昌北 艾溪湖"
)
