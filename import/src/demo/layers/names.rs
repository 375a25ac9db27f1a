//! The catalog's words: component subclasses (GB/T 30428.2), the city's themes, and the word
//! pools names are made from.

use super::network::{HIGHWAY, RIVER, ROADS, RURAL, TRUNK, URBAN};

/// How a family's points are spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Place {
    /// Drawn ∝ density^alpha: > 1 in town, 0 uniform, < 0 in the mountains.
    Density(f64),
    /// A `share` along the lines of `mask` ([`ROADS`], [`RIVER`]…), the rest ∝ density^`alpha`.
    Along {
        /// Which lines.
        mask: u8,
        /// Share of the points placed along them.
        share: f64,
        /// Density exponent for the rest.
        alpha: f64,
    },
    /// Near the centres of villages and communities, one per unit while units last.
    Villages,
    /// Where roads cross rivers (bridges).
    Crossings,
}

/// Points ∝ density^alpha.
pub const fn d(alpha: f64) -> Place {
    Place::Density(alpha)
}

/// All points along `mask`.
pub const fn on(mask: u8) -> Place {
    Place::Along { mask, share: 1.0, alpha: 1.0 }
}

/// `share` along `mask`, the rest ∝ density^alpha.
pub const fn mix(mask: u8, share: f64, alpha: f64) -> Place {
    Place::Along { mask, share, alpha }
}

/// In the mountains.
pub const MOUNTAINS: Place = Place::Density(-1.5);

/// Who owns a component.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dept {
    /// One department.
    Fixed(&'static str),
    /// One of the three carriers, by draw.
    Telecom,
    /// The committee of the village or community it stands in.
    Committee,
}

/// The telecom carriers' district branches.
pub const CARRIERS: [&str; 3] = ["中国电信怀柔分公司", "中国联通怀柔分公司", "中国移动怀柔分公司"];

/// A component subclass the district has.
#[derive(Clone, Copy, Debug)]
pub struct Subclass {
    /// Big class code (01–06).
    pub class: u8,
    /// Subclass code within the class.
    pub sub: u8,
    /// ASCII name for the layer id.
    pub slug: &'static str,
    /// 小类名称.
    pub name: &'static str,
    /// How many the district has.
    pub count: usize,
    /// Owner.
    pub dept: Dept,
    /// Where they stand.
    pub place: Place,
}

/// The big classes of GB/T 30428.2-2013 the district's components fall in; the issue's "其他"
/// is the standard's 其他设施 (06).
pub const CLASSES: [(u8, &str); 5] =
    [(1, "公用设施"), (2, "道路交通"), (3, "市容环境"), (4, "园林绿化"), (6, "其他设施")];

/// The big class name of code `class`.
pub fn class_name(class: u8) -> &'static str {
    CLASSES.iter().find(|c| c.0 == class).map_or("其他设施", |c| c.1)
}

const fn sc(
    class: u8,
    sub: u8,
    slug: &'static str,
    name: &'static str,
    count: usize,
    dept: Dept,
    place: Place,
) -> Subclass {
    Subclass { class, sub, slug, name, count, dept, place }
}

use Dept::{Committee, Fixed, Telecom};

/// The district's component subclasses, in code order. Names as GB/T 30428.2-2013 gives the
/// subclasses, numbered in the standard's order within each class (only those the district
/// has). Counts are the demo's: manhole covers and street lamps many, 古树名木 a few hundred,
/// totalling [`super::COMPONENT_TOTAL`] (a unit test checks the sum).
pub const SUBCLASSES: [Subclass; 60] = [
    sc(1, 1, "shangshui_jinggai", "上水井盖", 7_900, Fixed("怀柔区自来水公司"), mix(URBAN | RURAL, 0.5, 1.5)),
    sc(1, 2, "wushui_jinggai", "污水井盖", 10_200, Fixed("北京市排水集团"), mix(URBAN | RURAL, 0.5, 1.6)),
    sc(1, 3, "yushui_jinggai", "雨水井盖", 8_300, Fixed("区水务局"), mix(URBAN | TRUNK, 0.6, 1.6)),
    sc(1, 4, "yushui_bizi", "雨水箅子", 10_900, Fixed("区水务局"), mix(URBAN | TRUNK, 0.8, 1.6)),
    sc(1, 5, "dianli_jinggai", "电力井盖", 5_400, Fixed("国网北京怀柔供电公司"), mix(ROADS, 0.5, 1.4)),
    sc(1, 6, "ludeng_jinggai", "路灯井盖", 1_700, Fixed("区城管委"), mix(URBAN | TRUNK, 0.9, 1.6)),
    sc(1, 7, "tongxin_jinggai", "通信井盖", 6_200, Telecom, mix(ROADS, 0.6, 1.5)),
    sc(1, 8, "dianshi_jinggai", "电视井盖", 1_030, Fixed("北京歌华有线怀柔分公司"), mix(URBAN, 0.5, 1.6)),
    sc(1, 9, "reli_jinggai", "热力井盖", 1_900, Fixed("怀柔区供热公司"), mix(URBAN, 0.3, 2.0)),
    sc(1, 10, "ranqi_jinggai", "燃气井盖", 2_900, Fixed("北京市燃气集团怀柔分公司"), mix(URBAN, 0.4, 1.8)),
    sc(1, 11, "gongan_jinggai", "公安井盖", 420, Fixed("怀柔公安分局"), mix(URBAN | TRUNK, 0.7, 1.8)),
    sc(1, 12, "wuzhu_jinggai", "无主井盖", 310, Fixed("区城管委"), mix(ROADS, 0.3, 1.2)),
    sc(1, 13, "xiaofangshuan", "消防栓", 2_300, Fixed("怀柔区消防救援支队"), mix(URBAN | RURAL, 0.6, 1.4)),
    sc(1, 14, "ludeng", "路灯", 13_173, Fixed("区城管委"), mix(ROADS, 0.95, 1.2)),
    sc(1, 15, "bianyaqi", "变压器（箱）", 1_380, Fixed("国网北京怀柔供电公司"), mix(ROADS, 0.3, 1.0)),
    sc(1, 16, "tongxin_jiaojiexiang", "通信交接箱", 1_400, Telecom, mix(ROADS, 0.5, 1.3)),
    sc(1, 17, "dianli_sheshi", "电力设施", 890, Fixed("国网北京怀柔供电公司"), mix(ROADS, 0.4, 1.0)),
    sc(1, 18, "gaoyaxian_tieta", "高压线铁塔", 1_460, Fixed("国网北京怀柔供电公司"), d(0.3)),
    sc(1, 19, "youtong", "邮筒", 96, Fixed("中国邮政怀柔区分公司"), mix(URBAN, 0.5, 1.5)),
    sc(1, 20, "baokanting", "报刊亭", 48, Fixed("中国邮政怀柔区分公司"), mix(URBAN, 0.8, 2.0)),
    sc(1, 21, "minyong_shuijing", "民用水井", 280, Committee, d(0.2)),
    sc(1, 22, "zhian_gangting", "治安岗亭", 34, Fixed("怀柔公安分局"), mix(URBAN, 0.8, 1.8)),
    sc(2, 1, "tingchechang", "停车场", 412, Fixed("区交通局"), mix(URBAN | TRUNK, 0.3, 1.4)),
    sc(2, 2, "gongjiao_zhanting", "公交站亭", 760, Fixed("北京公交集团"), on(URBAN | TRUNK | RURAL)),
    sc(2, 3, "guojie_tianqiao", "过街天桥", 12, Fixed("区交通局"), on(URBAN | TRUNK)),
    sc(2, 4, "dixia_tongdao", "地下通道", 5, Fixed("区交通局"), on(URBAN)),
    sc(2, 5, "gaojia_lijiaoqiao", "高架立交桥", 18, Fixed("区交通局"), on(HIGHWAY | TRUNK)),
    sc(2, 6, "kuahe_qiao", "跨河桥", 180, Fixed("区交通局"), Place::Crossings),
    sc(2, 7, "jiaotong_biaozhipai", "交通标志牌", 5_100, Fixed("区交通局"), on(ROADS)),
    sc(2, 8, "jiaotong_xinhaodeng", "交通信号灯", 920, Fixed("怀柔交通支队"), on(URBAN | TRUNK)),
    sc(2, 9, "gelilan", "隔离栏", 1_700, Fixed("区交通局"), on(URBAN | TRUNK | HIGHWAY)),
    sc(2, 10, "lumingpai", "路名牌", 1_500, Fixed("区城管委"), on(URBAN | RURAL)),
    sc(2, 11, "jiaotong_gangting", "交通岗亭", 28, Fixed("怀柔交通支队"), on(URBAN)),
    sc(2, 12, "gonggong_zixingche", "公共自行车服务点", 320, Fixed("区交通局"), mix(URBAN, 0.7, 2.0)),
    sc(2, 13, "daolu_xianshiping", "道路信息显示屏", 44, Fixed("区交通局"), on(HIGHWAY | TRUNK)),
    sc(2, 14, "fangzhuangdun", "防撞墩", 1_150, Fixed("区交通局"), on(ROADS)),
    sc(3, 1, "gonggong_cesuo", "公共厕所", 1_180, Fixed("区城管委"), mix(ROADS, 0.2, 0.8)),
    sc(3, 2, "gongce_zhishipai", "公厕指示牌", 460, Fixed("区城管委"), mix(ROADS, 0.7, 1.2)),
    sc(3, 3, "lajijian", "垃圾间（楼）", 640, Fixed("区城管委"), mix(ROADS, 0.2, 1.2)),
    sc(3, 4, "lajixiang", "垃圾箱", 3_400, Fixed("区城管委"), mix(ROADS, 0.5, 1.0)),
    sc(3, 5, "guopixiang", "果皮箱", 4_300, Fixed("区城管委"), mix(URBAN | TRUNK, 0.9, 1.5)),
    sc(3, 6, "guanggao_paibian", "广告牌匾", 4_400, Fixed("区城管委"), mix(URBAN | TRUNK, 0.8, 1.8)),
    sc(3, 7, "dengxiang_nihongdeng", "灯箱霓虹灯", 860, Fixed("区城管委"), mix(URBAN, 0.8, 2.2)),
    sc(3, 8, "huanwei_gongjufang", "环卫工具房", 150, Fixed("区城管委"), mix(ROADS, 0.3, 1.0)),
    sc(3, 9, "zaisheng_ziyuan", "再生资源回收站", 95, Fixed("区商务局"), mix(ROADS, 0.2, 1.2)),
    sc(4, 1, "gushu_mingmu", "古树名木", 436, Fixed("区园林绿化局"), d(0.2)),
    sc(4, 2, "xingdaoshu", "行道树", 4_800, Fixed("区园林绿化局"), on(URBAN | TRUNK)),
    sc(4, 3, "hushu_sheshi", "护树设施", 1_180, Fixed("区园林绿化局"), on(URBAN)),
    sc(4, 4, "huatan", "花坛", 520, Fixed("区园林绿化局"), mix(URBAN, 0.6, 2.0)),
    sc(4, 5, "lvdi", "绿地", 880, Fixed("区园林绿化局"), mix(URBAN, 0.3, 1.5)),
    sc(4, 6, "diaosu", "雕塑", 68, Fixed("区园林绿化局"), mix(URBAN, 0.4, 2.0)),
    sc(4, 7, "jietou_zuoyi", "街头座椅", 1_260, Fixed("区园林绿化局"), mix(URBAN, 0.7, 1.8)),
    sc(4, 8, "lvdi_hulan", "绿地护栏", 740, Fixed("区园林绿化局"), mix(URBAN, 0.8, 1.6)),
    sc(4, 9, "penquan", "喷泉", 16, Fixed("区园林绿化局"), d(2.5)),
    sc(6, 1, "xuanchuanlan", "宣传栏", 1_240, Committee, mix(ROADS, 0.2, 0.8)),
    sc(6, 2, "jianshen_sheshi", "健身设施", 1_520, Fixed("区体育局"), mix(ROADS, 0.1, 0.8)),
    sc(6, 3, "shuiyu_hulan", "水域护栏", 360, Fixed("区水务局"), on(RIVER)),
    sc(6, 4, "zhongda_weixianyuan", "重大危险源", 38, Fixed("区应急管理局"), d(0.8)),
    sc(6, 5, "gongdi", "工地", 64, Fixed("区住房城乡建设委"), d(1.5)),
    sc(6, 6, "dimingpai", "地名牌", 640, Fixed("区民政局"), mix(ROADS, 0.5, 0.8)),
];

/// The 60 commonest surnames, most common first.
pub const SURNAMES: [&str; 60] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪",
    "田", "任", "姜",
];

/// Two-character trade names of the kind Beijing firms register (place words and wishes).
pub const TRADE_NAMES: [&str; 64] = [
    "怀柔", "雁栖", "红螺", "京北", "燕山", "长城", "慕田", "龙山", "汤河", "白河", "琉璃", "宝山", "栗乡", "科城",
    "中科", "华宇", "鑫源", "恒通", "博远", "瑞丰", "金泰", "兴隆", "嘉诚", "永信", "德润", "东方", "天成", "富民",
    "万家", "佳和", "合众", "华美", "新星", "盛世", "华联", "同仁", "泰康", "百福", "吉祥", "如意", "安康", "宏达",
    "腾飞", "远航", "青春", "湖光", "宜居", "和美", "四季", "丰收", "京韵", "乐园", "龙腾", "祥云", "百川", "诚信",
    "致远", "晨光", "绿源", "蓝天", "山水", "金色", "银河", "启明",
];

/// What shops sell (the shop's name ends with it).
pub const GOODS: [&str; 40] = [
    "五金",
    "建材",
    "日杂",
    "粮油",
    "烟酒",
    "水果",
    "蔬菜",
    "副食",
    "服装",
    "鞋帽",
    "童装",
    "家电",
    "手机",
    "电脑",
    "眼镜",
    "钟表",
    "文具",
    "图书",
    "花卉",
    "茶叶",
    "酒水",
    "肉类",
    "水产",
    "调料",
    "灯具",
    "卫浴",
    "家具",
    "布艺",
    "床上用品",
    "化妆品",
    "母婴",
    "体育用品",
    "渔具",
    "土特产",
    "板栗",
    "干果",
    "农资",
    "种子",
    "饲料",
    "陶瓷",
];

/// Dishes and cuisines restaurants are named after.
pub const DISHES: [&str; 40] = [
    "虹鳟鱼",
    "烤鸭",
    "涮肉",
    "饺子",
    "包子",
    "炸酱面",
    "拉面",
    "刀削面",
    "麻辣烫",
    "火锅",
    "烧烤",
    "烤鱼",
    "家常菜",
    "川菜",
    "湘菜",
    "粤菜",
    "东北菜",
    "西北菜",
    "鲁菜",
    "农家菜",
    "铁锅炖",
    "卤煮",
    "炒肝",
    "馄饨",
    "米线",
    "砂锅",
    "羊蝎子",
    "驴肉火烧",
    "煎饼",
    "粥铺",
    "快餐",
    "小吃",
    "酱骨头",
    "柴鸡",
    "栗子鸡",
    "豆腐宴",
    "山野菜",
    "烤全羊",
    "水饺",
    "面馆",
];

/// Chain brands seen in Beijing's suburbs: supermarkets and convenience stores.
pub const SHOP_BRANDS: [&str; 12] = [
    "京客隆超市",
    "物美超市",
    "超市发",
    "华联超市",
    "便利蜂",
    "好邻居便利店",
    "7-ELEVEN",
    "全家便利店",
    "美廉美超市",
    "首航超市",
    "永辉超市",
    "多点便利店",
];

/// Restaurant chains.
pub const FOOD_BRANDS: [&str; 14] = [
    "庆丰包子铺",
    "肯德基",
    "麦当劳",
    "西贝莜面村",
    "真功夫",
    "吉野家",
    "永和大王",
    "华莱士",
    "杨国福麻辣烫",
    "张亮麻辣烫",
    "嘉和一品",
    "南城香",
    "老家肉饼",
    "眉州东坡",
];

/// A city theme: one layer of the city's catalog.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    /// ASCII id after `bj_`.
    pub slug: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Catalog category.
    pub category: &'static str,
    /// The bureau that publishes it.
    pub dept: &'static str,
    /// Features in the district.
    pub count: usize,
    /// Geometry and placement.
    pub shape: Shape,
    /// What each feature is called after its place: `应急避难场所` → `富乐社区应急避难场所`.
    pub item: &'static str,
}

/// Geometry and placement of a city theme.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// Points.
    Points(Place),
    /// Small polygons (parcels) inside leaf grids, drawn ∝ density^alpha; sides in metres.
    Parcels(f64, (f64, f64)),
    /// Line pieces along `mask`, of a length in metres.
    Lines(u8, (f64, f64)),
    /// Irregular areas (blobs) of a radius in metres, centred ∝ density^alpha.
    Areas(f64, (f64, f64)),
}

/// Categories of the catalog.
pub mod cat {
    /// 应急.
    pub const YJ: &str = "应急";
    /// 公共服务.
    pub const GG: &str = "公共服务";
    /// 安全生产.
    pub const AQ: &str = "安全生产";
    /// 市政设施.
    pub const SZ: &str = "市政设施";
    /// 交通.
    pub const JT: &str = "交通";
    /// 水系.
    pub const SX: &str = "水系";
    /// 园林绿化.
    pub const YL: &str = "园林绿化";
    /// 建筑.
    pub const JZ: &str = "建筑";
    /// 规划.
    pub const GH: &str = "规划";
    /// 国土资源.
    pub const GT: &str = "国土资源";
    /// 生态环境.
    pub const ST: &str = "生态环境";
    /// 农业农村.
    pub const NY: &str = "农业农村";
    /// 文化旅游.
    pub const WL: &str = "文化旅游";
    /// 社会治理.
    pub const ZL: &str = "社会治理";
    /// 市场监管.
    pub const SC: &str = "市场监管";
    /// 经济发展.
    pub const JJ: &str = "经济发展";
    /// 地名.
    pub const DM: &str = "地名";
}

const fn t(
    slug: &'static str,
    name: &'static str,
    category: &'static str,
    dept: &'static str,
    count: usize,
    shape: Shape,
    item: &'static str,
) -> Theme {
    Theme { slug, name, category, dept, count, shape, item }
}

const fn p(place: Place) -> Shape {
    Shape::Points(place)
}

use Shape::{Areas, Lines, Parcels};
use cat::*;

/// The city's single-theme layers.
pub const THEMES: &[Theme] = &[
    // 应急
    t("yj_shelter_1", "Ⅰ类应急避难场所", YJ, "市应急管理局", 4, p(d(1.0)), "应急避难场所"),
    t("yj_shelter_2", "Ⅱ类应急避难场所", YJ, "市应急管理局", 12, p(d(1.0)), "应急避难场所"),
    t("yj_shelter_3", "Ⅲ类应急避难场所", YJ, "市应急管理局", 46, p(d(1.0)), "应急避难场所"),
    t("yj_supply_depot", "应急物资储备库", YJ, "市应急管理局", 9, p(d(1.0)), "应急物资储备库"),
    t("yj_fire_station", "消防救援站", YJ, "市消防救援总队", 11, p(d(1.0)), "消防救援站"),
    t("yj_micro_fire", "微型消防站", YJ, "市消防救援总队", 310, p(d(1.0)), "微型消防站"),
    t("yj_flood_supply", "防汛物资储备点", YJ, "市水务局", 64, p(d(0.5)), "防汛物资储备点"),
    t("yj_waterlogging", "道路积水点", YJ, "市水务局", 38, p(on(URBAN | TRUNK)), "积水点"),
    t("yj_underpass", "下凹式立交桥", YJ, "市水务局", 6, p(on(TRUNK | HIGHWAY)), "下凹桥"),
    t("yj_geo_collapse", "地质灾害隐患点（崩塌）", YJ, "市规划自然资源委", 142, p(MOUNTAINS), "崩塌隐患点"),
    t("yj_geo_landslide", "地质灾害隐患点（滑坡）", YJ, "市规划自然资源委", 38, p(MOUNTAINS), "滑坡隐患点"),
    t("yj_geo_debris", "地质灾害隐患点（泥石流）", YJ, "市规划自然资源委", 96, p(MOUNTAINS), "泥石流隐患沟"),
    t("yj_geo_subsidence", "地质灾害隐患点（地面塌陷）", YJ, "市规划自然资源委", 12, p(MOUNTAINS), "地面塌陷隐患点"),
    t("yj_flash_flood", "山洪灾害危险区", YJ, "市水务局", 120, Areas(-1.5, (150.0, 400.0)), "山洪危险区"),
    t("yj_flood_transfer", "山区防汛转移安置点", YJ, "市应急管理局", 180, p(Place::Villages), "转移安置点"),
    t("yj_lookout", "森林防火瞭望塔", YJ, "市园林绿化局", 54, p(MOUNTAINS), "瞭望塔"),
    t("yj_forest_team", "森林消防队驻地", YJ, "市园林绿化局", 18, p(MOUNTAINS), "森林消防队"),
    t("yj_heli_water", "航空护林取水点", YJ, "市园林绿化局", 9, p(on(RIVER)), "航空取水点"),
    t("yj_water_dock", "消防天然水源取水点", YJ, "市消防救援总队", 22, p(on(RIVER)), "消防取水点"),
    t("yj_civil_defense", "人防工程", YJ, "市人防办", 86, p(d(1.5)), "人防工程"),
    t("yj_siren", "防空警报器", YJ, "市人防办", 74, p(d(1.2)), "防空警报器"),
    t("yj_quake_station", "地震监测台站", YJ, "市地震局", 5, p(d(0.5)), "地震监测站"),
    t("yj_shelter_sign", "应急避难场所指示牌", YJ, "市应急管理局", 260, p(mix(ROADS, 0.8, 1.2)), "避难场所指示牌"),
    t("yj_rescue_team", "社会应急救援队伍", YJ, "市应急管理局", 14, p(d(1.0)), "应急救援队"),
    t("yj_risky_reservoir", "病险水库", YJ, "市水务局", 4, p(on(RIVER)), "病险水库"),
    t("yj_dike_risk", "险工险段", YJ, "市水务局", 36, p(on(RIVER)), "险工险段"),
    t("yj_broadcast", "应急广播终端", YJ, "市应急管理局", 420, p(d(0.5)), "应急广播"),
    t("yj_aed", "AED设备点位", YJ, "市卫生健康委", 160, p(d(1.8)), "AED点位"),
    t("yj_flood_storage", "蓄滞洪区", YJ, "市水务局", 3, Areas(0.5, (500.0, 900.0)), "蓄滞洪区"),
    // 公共服务
    t("gg_kindergarten", "幼儿园", GG, "市教委", 180, p(d(1.3)), "幼儿园"),
    t("gg_kindergarten_inclusive", "普惠性幼儿园", GG, "市教委", 120, p(d(1.3)), "普惠幼儿园"),
    t("gg_primary_school", "小学", GG, "市教委", 72, p(d(1.0)), "小学"),
    t("gg_middle_school", "中学", GG, "市教委", 26, p(d(1.2)), "中学"),
    t("gg_childcare", "托育机构", GG, "市卫生健康委", 48, p(d(1.6)), "托育园"),
    t("gg_vocational", "职业学校", GG, "市教委", 4, p(d(1.2)), "职业学校"),
    t("gg_hospital_2", "二级医院", GG, "市卫生健康委", 6, p(d(1.5)), "医院"),
    t("gg_hospital_1", "一级医院", GG, "市卫生健康委", 14, p(d(1.2)), "卫生院"),
    t("gg_chc", "社区卫生服务中心", GG, "市卫生健康委", 16, p(d(1.0)), "社区卫生服务中心"),
    t("gg_chs", "社区卫生服务站", GG, "市卫生健康委", 64, p(d(1.4)), "社区卫生服务站"),
    t("gg_village_clinic", "村卫生室", GG, "市卫生健康委", 248, p(Place::Villages), "卫生室"),
    t("gg_fever_clinic", "发热门诊", GG, "市卫生健康委", 6, p(d(1.5)), "发热门诊"),
    t("gg_vaccination", "预防接种门诊", GG, "市卫生健康委", 22, p(d(1.2)), "预防接种门诊"),
    t("gg_pharmacy_24h", "24小时药店", GG, "市药监局", 18, p(d(2.0)), "24小时药店"),
    t("gg_elderly_home", "养老机构", GG, "市民政局", 26, p(d(0.8)), "养老院"),
    t("gg_elderly_center", "街乡镇养老照料中心", GG, "市民政局", 19, p(d(1.0)), "养老照料中心"),
    t("gg_elderly_post", "社区养老服务驿站", GG, "市民政局", 68, p(d(1.5)), "养老服务驿站"),
    t("gg_elderly_canteen", "老年餐桌", GG, "市民政局", 96, p(d(1.2)), "老年餐桌"),
    t("gg_disabled_home", "残疾人温馨家园", GG, "市残联", 17, p(d(1.0)), "温馨家园"),
    t("gg_cemetery", "公益性公墓", GG, "市民政局", 14, p(MOUNTAINS), "公益性公墓"),
    t("gg_street_service", "街乡镇便民服务中心", GG, "市政务服务局", 17, p(d(1.0)), "便民服务中心"),
    t("gg_village_service", "村（社区）便民服务站", GG, "市政务服务局", 280, p(Place::Villages), "便民服务站"),
    t("gg_law_firm", "律师事务所", GG, "市司法局", 24, p(d(2.0)), "律师事务所"),
    t("gg_legal_aid", "法律援助工作站", GG, "市司法局", 18, p(d(1.0)), "法律援助工作站"),
    t("gg_mediation", "人民调解委员会", GG, "市司法局", 280, p(Place::Villages), "人民调解委员会"),
    t("gg_employment", "就业服务站", GG, "市人力社保局", 21, p(d(1.0)), "就业服务站"),
    t("gg_library_branch", "公共图书馆分馆", GG, "市文化和旅游局", 36, p(d(1.0)), "图书分馆"),
    t("gg_cultural_station", "综合文化中心", GG, "市文化和旅游局", 17, p(d(1.0)), "综合文化中心"),
    t("gg_village_culture", "村（社区）综合文化室", GG, "市文化和旅游局", 270, p(Place::Villages), "综合文化室"),
    t("gg_museum", "博物馆", GG, "市文物局", 8, p(d(1.0)), "博物馆"),
    t("gg_stadium", "体育场馆", GG, "市体育局", 9, p(d(1.5)), "体育馆"),
    t("gg_fitness_path", "全民健身路径", GG, "市体育局", 420, p(d(1.0)), "健身路径"),
    t("gg_fitness_center", "全民健身中心", GG, "市体育局", 6, p(d(1.5)), "全民健身中心"),
    t("gg_football", "社会足球场地", GG, "市体育局", 34, p(d(1.2)), "足球场"),
    t("gg_basketball", "篮球场", GG, "市体育局", 180, p(d(1.0)), "篮球场"),
    t("gg_swimming", "游泳场所", GG, "市体育局", 12, p(d(1.8)), "游泳馆"),
    t("gg_post_office", "邮政营业网点", GG, "市邮政管理局", 24, p(d(1.2)), "邮政所"),
    t("gg_express", "快递末端综合服务站", GG, "市邮政管理局", 210, p(d(1.4)), "快递服务站"),
    t("gg_wifi", "公共WiFi热点", GG, "市经济和信息化局", 340, p(d(1.8)), "WiFi热点"),
    t("gg_toilet_rated", "星级公共厕所", GG, "市城市管理委", 120, p(mix(ROADS, 0.5, 1.2)), "星级公厕"),
    t("gg_water_supply", "农村集中供水站", GG, "市水务局", 190, p(Place::Villages), "供水站"),
    t("gg_canteen", "社区食堂", GG, "市民政局", 42, p(d(1.8)), "社区食堂"),
    t("gg_childrens_home", "儿童之家", GG, "市妇儿工委", 150, p(Place::Villages), "儿童之家"),
    t("gg_youth_center", "青少年活动中心", GG, "团市委", 3, p(d(1.5)), "青少年活动中心"),
    t("gg_bath", "公共浴室", GG, "市商务局", 11, p(d(1.5)), "公共浴室"),
    // 安全生产
    t("aq_hazchem_producer", "危险化学品生产企业", AQ, "市应急管理局", 6, p(d(0.8)), "化工厂"),
    t("aq_hazchem_store", "危险化学品经营企业（带储存）", AQ, "市应急管理局", 9, p(d(0.8)), "化工仓库"),
    t("aq_hazchem_dealer", "危险化学品经营企业（不带储存）", AQ, "市应急管理局", 42, p(d(1.2)), "化工经营部"),
    t("aq_hazchem_user", "危险化学品使用单位", AQ, "市应急管理局", 38, p(d(1.0)), "危化品使用单位"),
    t("aq_fireworks_retail", "烟花爆竹零售网点", AQ, "市应急管理局", 64, p(d(1.0)), "烟花爆竹零售点"),
    t("aq_mine", "非煤矿山", AQ, "市应急管理局", 5, p(MOUNTAINS), "采石场"),
    t("aq_tailings", "尾矿库", AQ, "市应急管理局", 3, p(MOUNTAINS), "尾矿库"),
    t("aq_gas_station", "加油站", AQ, "市商务局", 52, p(on(TRUNK | RURAL | HIGHWAY)), "加油站"),
    t("aq_cng", "加气站", AQ, "市城市管理委", 6, p(on(TRUNK)), "加气站"),
    t("aq_lpg_depot", "液化石油气储配站", AQ, "市城市管理委", 4, p(d(0.5)), "液化气储配站"),
    t("aq_dust", "粉尘涉爆企业", AQ, "市应急管理局", 18, p(d(0.8)), "粉尘涉爆企业"),
    t("aq_ammonia", "涉氨制冷企业", AQ, "市应急管理局", 12, p(d(0.8)), "冷库"),
    t("aq_confined", "有限空间作业单位", AQ, "市应急管理局", 140, p(d(1.2)), "有限空间作业点"),
    t("aq_construction", "在建工程项目", AQ, "市住房城乡建设委", 86, p(d(1.5)), "建设工程"),
    t("aq_crane", "建筑起重机械", AQ, "市住房城乡建设委", 210, p(d(1.8)), "塔式起重机"),
    t("aq_deep_pit", "深基坑工程", AQ, "市住房城乡建设委", 24, p(d(2.0)), "深基坑"),
    t("aq_warehouse", "物流仓储企业", AQ, "市商务局", 58, p(d(0.8)), "物流仓库"),
    t("aq_cold_chain", "冷链食品仓储", AQ, "市商务局", 22, p(d(1.0)), "冷链仓库"),
    t("aq_boiler", "锅炉使用单位", AQ, "市市场监管局", 64, p(d(1.2)), "锅炉房"),
    t("aq_elevator", "电梯使用单位", AQ, "市市场监管局", 380, p(d(2.2)), "电梯使用单位"),
    t("aq_pressure_vessel", "压力容器使用单位", AQ, "市市场监管局", 96, p(d(1.0)), "压力容器使用单位"),
    t("aq_crowded", "人员密集场所", AQ, "市消防救援总队", 260, p(d(1.8)), "人员密集场所"),
    t("aq_small_places", "九小场所", AQ, "市消防救援总队", 620, p(d(1.5)), "九小场所"),
    t("aq_multi_use", "多合一场所", AQ, "市消防救援总队", 140, p(d(1.2)), "多合一场所"),
    t("aq_group_rental", "群租房隐患点", AQ, "市住房城乡建设委", 46, p(d(2.0)), "群租房隐患点"),
    t("aq_ebike_charging", "电动自行车集中充电设施", AQ, "市消防救援总队", 280, p(d(1.6)), "电动自行车充电棚"),
    t("aq_gas_pipe_risk", "燃气管线隐患点", AQ, "市城市管理委", 32, p(on(URBAN)), "燃气隐患点"),
    t("aq_road_risk", "道路交通安全隐患点", AQ, "市公安局公安交通管理局", 48, p(on(ROADS)), "交通隐患点"),
    t("aq_school_zone", "学校安全区", AQ, "市公安局", 74, Areas(1.2, (80.0, 160.0)), "学校安全区"),
    // 市政设施
    t("sz_water_plant", "水厂", SZ, "市水务局", 6, p(d(0.8)), "水厂"),
    t("sz_booster", "供水加压站", SZ, "市水务局", 38, p(d(1.5)), "供水加压站"),
    t("sz_sewage_plant", "再生水厂", SZ, "市水务局", 3, p(mix(RIVER, 1.0, 1.0)), "再生水厂"),
    t("sz_village_sewage", "村庄污水处理站", SZ, "市水务局", 168, p(Place::Villages), "污水处理站"),
    t("sz_rain_pump", "雨水泵站", SZ, "市水务局", 9, p(d(2.0)), "雨水泵站"),
    t("sz_sewage_pump", "污水泵站", SZ, "市水务局", 12, p(d(1.5)), "污水泵站"),
    t("sz_substation_220", "220千伏变电站", SZ, "国网北京市电力公司", 3, p(d(0.8)), "220千伏变电站"),
    t("sz_substation_110", "110千伏变电站", SZ, "国网北京市电力公司", 14, p(d(1.0)), "110千伏变电站"),
    t("sz_substation_35", "35千伏变电站", SZ, "国网北京市电力公司", 22, p(d(0.6)), "35千伏变电站"),
    t("sz_gas_regulator", "燃气调压站", SZ, "北京市燃气集团", 46, p(d(1.8)), "调压站"),
    t("sz_gas_main", "燃气高压管线", SZ, "北京市燃气集团", 18, Lines(TRUNK | URBAN, (800.0, 3000.0)), "燃气高压管线"),
    t("sz_heat_source", "热源厂", SZ, "市城市管理委", 4, p(d(1.5)), "热源厂"),
    t("sz_heat_exchange", "换热站", SZ, "市城市管理委", 210, p(d(2.2)), "换热站"),
    t("sz_base_station", "通信基站", SZ, "市通信管理局", 680, p(d(0.8)), "通信基站"),
    t("sz_5g", "5G基站", SZ, "市通信管理局", 420, p(d(1.5)), "5G基站"),
    t("sz_transfer", "垃圾转运站", SZ, "市城市管理委", 12, p(d(1.0)), "垃圾转运站"),
    t("sz_waste_plant", "垃圾处理设施", SZ, "市城市管理委", 2, p(d(0.3)), "垃圾综合处理厂"),
    t("sz_kitchen_waste", "餐厨垃圾处理站", SZ, "市城市管理委", 3, p(d(1.0)), "餐厨垃圾处理站"),
    t("sz_construction_waste", "建筑垃圾消纳场", SZ, "市城市管理委", 4, p(d(0.2)), "建筑垃圾消纳场"),
    t("sz_recycling_center", "再生资源分拣中心", SZ, "市商务局", 5, p(d(0.8)), "再生资源分拣中心"),
    t("sz_lamp_box", "路灯配电箱", SZ, "市城市管理委", 290, p(on(URBAN | TRUNK)), "路灯配电箱"),
    t("sz_cable_burial", "架空线入地工程", SZ, "市城市管理委", 36, Lines(URBAN, (300.0, 1200.0)), "架空线入地工程"),
    t("sz_manhole_sensor", "井盖监测终端", SZ, "市城市管理委", 180, p(on(URBAN)), "井盖监测终端"),
    t("sz_water_main", "供水主干管线", SZ, "市水务局", 24, Lines(URBAN | TRUNK, (600.0, 2500.0)), "供水干线"),
    t("sz_storm_main", "雨水主干管线", SZ, "市水务局", 22, Lines(URBAN, (500.0, 2000.0)), "雨水干线"),
    t("sz_sewer_main", "污水主干管线", SZ, "市水务局", 20, Lines(URBAN, (500.0, 2000.0)), "污水干线"),
    t("sz_ev_charger", "充电桩", SZ, "市城市管理委", 640, p(d(1.5)), "充电桩"),
    t("sz_parking", "公共停车场", SZ, "市交通委", 120, p(d(1.6)), "公共停车场"),
    t("sz_street_parking", "道路停车泊位", SZ, "市交通委", 380, p(on(URBAN)), "停车泊位"),
    // 交通
    t("jt_rail_station", "铁路车站", JT, "中国铁路北京局集团", 3, p(d(1.5)), "火车站"),
    t("jt_bus_hub", "公交场站", JT, "北京公交集团", 14, p(d(1.2)), "公交场站"),
    t("jt_long_bus", "长途客运站", JT, "市交通委", 2, p(d(2.0)), "长途汽车站"),
    t("jt_taxi", "出租车停靠站", JT, "市交通委", 36, p(on(URBAN)), "出租车停靠站"),
    t("jt_toll", "高速公路收费站", JT, "首发集团", 6, p(on(HIGHWAY)), "收费站"),
    t("jt_exit", "高速公路出入口", JT, "首发集团", 9, p(on(HIGHWAY)), "出入口"),
    t("jt_bridge", "公路大中桥", JT, "市交通委", 62, p(on(TRUNK | RURAL)), "大桥"),
    t("jt_tunnel", "公路隧道", JT, "市交通委", 14, p(on(TRUNK | RURAL)), "隧道"),
    t("jt_checkpoint", "进京检查站", JT, "市公安局", 5, p(on(TRUNK | HIGHWAY)), "检查站"),
    t("jt_overload", "治超站", JT, "市交通委", 3, p(on(TRUNK)), "治超站"),
    t("jt_school_bus", "校车停靠站", JT, "市教委", 140, p(on(RURAL)), "校车停靠站"),
    t("jt_bike_lane", "自行车专用道", JT, "市交通委", 12, Lines(URBAN, (500.0, 2000.0)), "自行车道"),
    t("jt_speed_camera", "测速点位", JT, "市公安局公安交通管理局", 86, p(on(TRUNK | HIGHWAY)), "测速点"),
    t("jt_e_police", "电子警察", JT, "市公安局公安交通管理局", 140, p(on(URBAN)), "电子警察"),
    t("jt_signal_junction", "信号灯控路口", JT, "市公安局公安交通管理局", 120, p(on(URBAN)), "信号灯路口"),
    t("jt_accident", "交通事故多发点段", JT, "市公安局公安交通管理局", 28, p(on(ROADS)), "事故多发点"),
    t("jt_maintenance", "公路养护站", JT, "市交通委", 11, p(on(TRUNK | RURAL)), "公路养护站"),
    t("jt_driving_school", "驾驶员培训机构", JT, "市交通委", 6, p(d(0.8)), "驾校"),
    t("jt_inspection", "机动车检测场", JT, "市交通委", 3, p(d(1.0)), "机动车检测场"),
    t("jt_park_ride", "P+R停车场", JT, "市交通委", 4, p(on(TRUNK)), "P+R停车场"),
    t("jt_rural_stop", "农村客运招呼站", JT, "市交通委", 260, p(on(RURAL)), "招呼站"),
    t("jt_mountain_road", "山区险路险段", JT, "市交通委", 64, Lines(RURAL, (200.0, 900.0)), "险路险段"),
    t("jt_logistics_park", "物流园区", JT, "市商务局", 3, Areas(0.8, (200.0, 400.0)), "物流园区"),
    // 水系
    t("sx_reservoir_small", "小型水库", SX, "市水务局", 16, p(on(RIVER)), "水库"),
    t("sx_check_dam", "塘坝", SX, "市水务局", 48, p(on(RIVER)), "塘坝"),
    t("sx_sluice", "水闸", SX, "市水务局", 36, p(on(RIVER)), "水闸"),
    t("sx_rubber_dam", "橡胶坝", SX, "市水务局", 14, p(on(RIVER)), "橡胶坝"),
    t("sx_hydrology", "水文站", SX, "市水务局", 8, p(on(RIVER)), "水文站"),
    t("sx_rain_gauge", "雨量站", SX, "市水务局", 96, p(MOUNTAINS), "雨量站"),
    t("sx_gw_well", "地下水监测井", SX, "市水务局", 140, p(d(0.5)), "地下水监测井"),
    t("sx_source_well", "水源井", SX, "市水务局", 64, p(d(0.3)), "水源井"),
    t("sx_source_protect", "饮用水水源保护区", SX, "市生态环境局", 22, Areas(-0.5, (300.0, 800.0)), "水源保护区"),
    t("sx_outfall", "入河排口", SX, "市水务局", 260, p(on(RIVER)), "入河排口"),
    t("sx_quality_section", "水质监测断面", SX, "市生态环境局", 34, p(on(RIVER)), "监测断面"),
    t("sx_spring", "泉眼", SX, "市水务局", 28, p(MOUNTAINS), "泉"),
    t("sx_canal", "灌溉渠道", SX, "市水务局", 24, Lines(RIVER, (500.0, 2000.0)), "灌溉渠"),
    t("sx_ag_well", "农用机井", SX, "市水务局", 420, p(d(0.5)), "农用机井"),
    t("sx_levee", "堤防", SX, "市水务局", 30, Lines(RIVER, (600.0, 3000.0)), "堤防"),
    t("sx_clean_watershed", "清洁小流域", SX, "市水务局", 38, Areas(-1.0, (600.0, 1500.0)), "清洁小流域"),
    t("sx_torrent", "山洪沟道", SX, "市水务局", 60, Lines(RIVER, (800.0, 3000.0)), "山洪沟道"),
    t("sx_water_saving", "节水型单位", SX, "市水务局", 140, p(d(1.5)), "节水型单位"),
    // 园林绿化
    t("yl_ancient_tree_1", "一级古树", YL, "市园林绿化局", 58, p(d(0.2)), "一级古树"),
    t("yl_ancient_tree_2", "二级古树", YL, "市园林绿化局", 310, p(d(0.2)), "二级古树"),
    t("yl_famous_tree", "名木", YL, "市园林绿化局", 12, p(d(1.0)), "名木"),
    t("yl_pocket_park", "口袋公园", YL, "市园林绿化局", 46, p(d(2.0)), "口袋公园"),
    t("yl_plain_forest", "平原造林地块", YL, "市园林绿化局", 180, Parcels(0.6, (60.0, 240.0)), "平原造林地块"),
    t("yl_forest_farm", "国有林场", YL, "市园林绿化局", 3, p(MOUNTAINS), "国有林场"),
    t("yl_nature_reserve", "自然保护区", YL, "市园林绿化局", 2, Areas(-2.0, (1500.0, 3000.0)), "自然保护区"),
    t("yl_forest_park", "森林公园", YL, "市园林绿化局", 3, Areas(-1.0, (800.0, 1600.0)), "森林公园"),
    t("yl_wetland", "湿地公园", YL, "市园林绿化局", 4, Areas(0.5, (250.0, 600.0)), "湿地公园"),
    t("yl_nursery", "苗圃", YL, "市园林绿化局", 46, Parcels(0.5, (60.0, 200.0)), "苗圃"),
    t("yl_greenway", "绿道", YL, "市园林绿化局", 24, Lines(RURAL | URBAN | RIVER, (1000.0, 4000.0)), "绿道"),
    t("yl_pest_trap", "林业有害生物监测点", YL, "市园林绿化局", 260, p(MOUNTAINS), "有害生物监测点"),
    t("yl_green_roof", "屋顶绿化", YL, "市园林绿化局", 38, p(d(2.2)), "屋顶绿化"),
    t("yl_community_garden", "社区花园", YL, "市园林绿化局", 28, p(d(2.0)), "社区花园"),
    t("yl_ranger_station", "护林站", YL, "市园林绿化局", 64, p(MOUNTAINS), "护林站"),
    // 建筑
    t("jz_historic", "历史建筑", JZ, "市规划自然资源委", 18, p(d(0.8)), "历史建筑"),
    t("jz_high_rise", "高层建筑", JZ, "市住房城乡建设委", 340, p(d(2.2)), "高层住宅"),
    t("jz_public", "大型公共建筑", JZ, "市住房城乡建设委", 46, p(d(1.8)), "公共建筑"),
    t("jz_affordable", "保障性住房项目", JZ, "市住房城乡建设委", 24, p(d(1.5)), "保障房项目"),
    t("jz_shantytown", "棚户区改造项目", JZ, "市住房城乡建设委", 12, Areas(1.5, (100.0, 250.0)), "棚户区改造"),
    t("jz_dilapidated", "危房", JZ, "市住房城乡建设委", 96, p(d(0.3)), "危房"),
    t("jz_rural_risk", "农村住房安全隐患点", JZ, "市住房城乡建设委", 140, p(d(0.2)), "农房隐患点"),
    t("jz_fire_key", "消防安全重点建筑", JZ, "市消防救援总队", 80, p(d(1.6)), "消防重点建筑"),
    t("jz_underground", "地下空间", JZ, "市人防办", 120, p(d(2.0)), "地下空间"),
    t("jz_dormitory", "集体宿舍", JZ, "市住房城乡建设委", 30, p(d(1.0)), "集体宿舍"),
    // 规划
    t("gh_new_town", "怀柔新城规划范围", GH, "市规划自然资源委", 1, Areas(4.0, (2500.0, 3000.0)), "怀柔新城"),
    t("gh_key_project", "重点建设项目", GH, "市发展改革委", 68, p(d(1.2)), "重点项目"),
    t("gh_public_facility", "公共服务设施规划点位", GH, "市规划自然资源委", 140, p(d(1.5)), "规划公共服务设施"),
    t("gh_municipal", "市政设施规划点位", GH, "市规划自然资源委", 96, p(d(1.2)), "规划市政设施"),
    t("gh_road_plan", "规划道路", GH, "市规划自然资源委", 40, Lines(URBAN | RURAL, (400.0, 2000.0)), "规划道路"),
    t("gh_green_plan", "规划绿地", GH, "市规划自然资源委", 60, Parcels(1.5, (50.0, 180.0)), "规划绿地"),
    t("gh_industry_park", "产业园区", GH, "市经济和信息化局", 9, Areas(1.0, (300.0, 700.0)), "产业园"),
    t("gh_science_facility", "大科学装置", GH, "市科委中关村管委会", 6, p(d(1.0)), "科学装置"),
    t("gh_village_class", "村庄分类", GH, "市规划自然资源委", 284, p(Place::Villages), "村庄"),
    // 国土资源
    t("gt_control_point", "测量控制点", GT, "市规划自然资源委", 320, p(d(0.3)), "控制点"),
    t("gt_benchmark", "水准点", GT, "市规划自然资源委", 140, p(mix(ROADS, 0.8, 0.5)), "水准点"),
    t("gt_mining_right", "采矿权", GT, "市规划自然资源委", 3, Areas(-1.5, (200.0, 500.0)), "采矿权"),
    t("gt_exploration", "探矿权", GT, "市规划自然资源委", 2, Areas(-1.5, (400.0, 900.0)), "探矿权"),
    t("gt_reclaim", "土地复垦项目", GT, "市规划自然资源委", 28, Parcels(0.0, (80.0, 250.0)), "土地复垦项目"),
    t("gt_soil_quality", "耕地质量监测点", GT, "市农业农村局", 46, p(d(0.3)), "耕地质量监测点"),
    t("gt_land_price", "基准地价监测点", GT, "市规划自然资源委", 60, p(d(1.5)), "地价监测点"),
    t("gt_idle_land", "闲置土地", GT, "市规划自然资源委", 14, Parcels(1.0, (60.0, 200.0)), "闲置地块"),
    // 生态环境
    t("st_air_city", "空气质量监测站", ST, "市生态环境局", 5, p(d(1.2)), "空气质量监测站"),
    t("st_air_micro", "空气质量微站", ST, "市生态环境局", 96, p(d(1.0)), "空气质量微站"),
    t("st_noise", "噪声监测点", ST, "市生态环境局", 24, p(d(2.0)), "噪声监测点"),
    t("st_polluter_water", "重点排污单位（水）", ST, "市生态环境局", 18, p(d(0.8)), "重点排污单位"),
    t("st_polluter_air", "重点排污单位（大气）", ST, "市生态环境局", 12, p(d(0.8)), "重点排污单位"),
    t("st_soil_key", "土壤污染重点监管单位", ST, "市生态环境局", 6, p(d(0.8)), "土壤重点监管单位"),
    t("st_hazwaste", "危险废物经营单位", ST, "市生态环境局", 3, p(d(0.5)), "危废处置中心"),
    t("st_medical_waste", "医疗废物暂存点", ST, "市生态环境局", 64, p(d(1.3)), "医废暂存点"),
    t("st_radiation", "辐射安全许可单位", ST, "市生态环境局", 22, p(d(1.5)), "辐射安全许可单位"),
    t("st_vocs", "VOCs重点企业", ST, "市生态环境局", 16, p(d(0.8)), "VOCs重点企业"),
    t("st_dust_monitor", "扬尘监测点", ST, "市生态环境局", 110, p(d(1.5)), "扬尘监测点"),
    t("st_fume", "餐饮油烟在线监测", ST, "市生态环境局", 60, p(d(2.0)), "油烟监测点"),
    t("st_soil_monitor", "土壤环境监测点", ST, "市生态环境局", 40, p(d(0.3)), "土壤监测点"),
    t("st_biodiversity", "生物多样性观测样地", ST, "市生态环境局", 18, p(MOUNTAINS), "观测样地"),
    t("st_clean_heating", "煤改清洁能源村", ST, "市发展改革委", 240, p(Place::Villages), "煤改清洁能源村"),
    t("st_carbon_sink", "碳汇林地块", ST, "市园林绿化局", 40, Parcels(-0.5, (100.0, 300.0)), "碳汇林"),
    // 农业农村
    t("ny_cooperative", "农民专业合作社", NY, "市农业农村局", 260, p(d(0.3)), "专业合作社"),
    t("ny_family_farm", "家庭农场", NY, "市农业农村局", 48, p(d(0.3)), "家庭农场"),
    t("ny_leisure", "休闲农业园区", NY, "市农业农村局", 36, p(d(0.5)), "休闲农业园"),
    t("ny_chestnut", "板栗基地", NY, "市农业农村局", 64, Parcels(-0.5, (80.0, 260.0)), "板栗基地"),
    t("ny_trout", "虹鳟鱼养殖场", NY, "市农业农村局", 42, p(on(RIVER)), "虹鳟鱼养殖场"),
    t("ny_folk_village", "民俗旅游村", NY, "市文化和旅游局", 62, p(Place::Villages), "民俗旅游村"),
    t("ny_folk_house", "民俗旅游接待户", NY, "市文化和旅游局", 480, p(d(0.2)), "民俗户"),
    t("ny_livestock", "规模化养殖场", NY, "市农业农村局", 28, p(d(0.2)), "养殖场"),
    t("ny_slaughter", "定点屠宰场", NY, "市农业农村局", 2, p(d(0.5)), "屠宰场"),
    t("ny_vet", "动物防疫站", NY, "市农业农村局", 17, p(d(0.8)), "动物防疫站"),
    t("ny_machinery", "农机服务站", NY, "市农业农村局", 18, p(d(0.5)), "农机服务站"),
    t("ny_irrigation", "灌区", NY, "市水务局", 4, Areas(0.5, (600.0, 1200.0)), "灌区"),
    t(
        "ny_collective_land",
        "集体经营性建设用地",
        NY,
        "市规划自然资源委",
        36,
        Parcels(0.5, (60.0, 200.0)),
        "集体经营性建设用地",
    ),
    t("ny_greenhouse", "设施农业大棚", NY, "市农业农村局", 140, Parcels(0.5, (30.0, 90.0)), "设施大棚"),
    t("ny_seed", "种子企业", NY, "市农业农村局", 6, p(d(0.5)), "种业公司"),
    t("ny_produce_market", "农产品批发市场", NY, "市商务局", 3, p(d(1.2)), "农产品批发市场"),
    t("ny_crop_plot", "农作物监测样点", NY, "市农业农村局", 60, p(d(0.5)), "监测样点"),
    // 文化旅游
    t("wl_heritage_national", "全国重点文物保护单位", WL, "市文物局", 3, p(MOUNTAINS), "长城"),
    t("wl_heritage_district", "区级文物保护单位", WL, "市文物局", 64, p(d(0.3)), "古建筑"),
    t("wl_heritage_unlisted", "不可移动文物", WL, "市文物局", 180, p(d(0.2)), "文物点"),
    t("wl_great_wall_tower", "长城敌台", WL, "市文物局", 96, p(MOUNTAINS), "敌台"),
    t("wl_temple", "宗教活动场所", WL, "市民族宗教委", 22, p(d(0.3)), "寺"),
    t("wl_a_scenic", "A级旅游景区", WL, "市文化和旅游局", 18, p(MOUNTAINS), "景区"),
    t("wl_star_hotel", "星级饭店", WL, "市文化和旅游局", 14, p(d(1.2)), "大酒店"),
    t("wl_homestay", "乡村民宿", WL, "市文化和旅游局", 240, p(d(0.2)), "民宿"),
    t("wl_travel_agency", "旅行社", WL, "市文化和旅游局", 12, p(d(2.0)), "旅行社"),
    t("wl_cinema", "电影院", WL, "市电影局", 8, p(d(2.0)), "影城"),
    t("wl_film_base", "影视拍摄基地", WL, "市广电局", 4, p(d(0.8)), "影视基地"),
    t("wl_internet_cafe", "互联网上网服务营业场所", WL, "市文化和旅游局", 38, p(d(2.0)), "网吧"),
    t("wl_ktv", "歌舞娱乐场所", WL, "市文化和旅游局", 26, p(d(2.0)), "KTV"),
    t("wl_bookstore", "实体书店", WL, "市委宣传部", 22, p(d(2.0)), "书店"),
    t("wl_intangible", "非物质文化遗产保护单位", WL, "市文化和旅游局", 18, p(d(0.5)), "非遗传习所"),
    t("wl_red_tourism", "红色旅游景点", WL, "市文化和旅游局", 9, p(d(0.5)), "革命纪念地"),
    t("wl_campsite", "露营地", WL, "市文化和旅游局", 16, p(MOUNTAINS), "露营地"),
    t("wl_ski", "滑雪场", WL, "市体育局", 2, p(MOUNTAINS), "滑雪场"),
    t("wl_hiking", "登山步道", WL, "市体育局", 22, Lines(RURAL | RIVER, (1500.0, 5000.0)), "登山步道"),
    // 社会治理
    t("zl_police_station", "派出所", ZL, "市公安局", 19, p(d(1.0)), "派出所"),
    t("zl_police_post", "警务工作站", ZL, "市公安局", 120, p(d(1.2)), "警务工作站"),
    t("zl_petition", "信访接待点", ZL, "市信访办", 18, p(d(1.0)), "信访接待点"),
    t("zl_key_area", "社会治安重点地区", ZL, "市委政法委", 12, Areas(1.5, (200.0, 500.0)), "治安重点地区"),
    t("zl_mediation_center", "矛盾纠纷多元调解中心", ZL, "市委政法委", 17, p(d(1.0)), "矛盾纠纷调解中心"),
    t("zl_volunteer", "志愿服务站", ZL, "市委社会工委市民政局", 280, p(d(1.0)), "志愿服务站"),
    t("zl_party_center", "党群服务中心", ZL, "市委组织部", 284, p(Place::Villages), "党群服务中心"),
    t("zl_veteran", "退役军人服务站", ZL, "市退役军人局", 280, p(Place::Villages), "退役军人服务站"),
    t("zl_women_home", "妇女之家", ZL, "市妇联", 270, p(Place::Villages), "妇女之家"),
    t("zl_rental", "出租房屋聚集点", ZL, "市公安局", 120, p(d(1.8)), "出租房屋聚集点"),
    t("zl_migrant", "流动人口服务站", ZL, "市公安局", 40, p(d(1.5)), "流动人口服务站"),
    t("zl_property", "物业服务项目", ZL, "市住房城乡建设委", 210, p(d(2.0)), "物业服务中心"),
    t("zl_owners", "业主委员会", ZL, "市住房城乡建设委", 140, p(d(2.0)), "业主委员会"),
    // 市场监管
    t("sc_food_license", "食品经营许可主体", SC, "市市场监管局", 640, p(d(1.5)), "食品经营户"),
    t("sc_food_factory", "食品生产企业", SC, "市市场监管局", 40, p(d(0.8)), "食品厂"),
    t("sc_bright_kitchen", "明厨亮灶餐饮单位", SC, "市市场监管局", 380, p(d(1.6)), "明厨亮灶餐馆"),
    t("sc_school_canteen", "学校食堂", SC, "市市场监管局", 160, p(d(1.1)), "学校食堂"),
    t("sc_drug_retail", "药品零售企业", SC, "市药监局", 120, p(d(1.6)), "药店"),
    t("sc_device", "医疗器械经营企业", SC, "市药监局", 86, p(d(1.6)), "医疗器械店"),
    t("sc_market", "农贸市场", SC, "市市场监管局", 14, p(d(1.2)), "农贸市场"),
    t("sc_quick_test", "商超食品快检点", SC, "市市场监管局", 36, p(d(1.8)), "食品快检室"),
    t("sc_gas_cylinder", "瓶装液化气供应站点", SC, "市城市管理委", 18, p(d(0.8)), "液化气供应站"),
    t("sc_price", "价格监测点", SC, "市发展改革委", 24, p(d(1.8)), "价格监测点"),
    // 经济发展
    t("jj_above_scale", "规模以上工业企业", JJ, "市统计局", 120, p(d(0.8)), "工业企业"),
    t("jj_hi_tech", "高新技术企业", JJ, "市科委中关村管委会", 240, p(d(1.2)), "高新技术企业"),
    t("jj_specialized", "专精特新企业", JJ, "市经济和信息化局", 60, p(d(1.0)), "专精特新企业"),
    t("jj_headquarters", "总部企业", JJ, "市商务局", 18, p(d(1.5)), "总部企业"),
    t("jj_incubator", "科技企业孵化器", JJ, "市科委中关村管委会", 6, p(d(1.5)), "孵化器"),
    t("jj_mall", "商业综合体", JJ, "市商务局", 6, p(d(2.5)), "购物中心"),
    t("jj_convenience", "便民商业网点", JJ, "市商务局", 460, p(d(1.5)), "便民网点"),
    t("jj_fresh_market", "菜市场", JJ, "市商务局", 28, p(d(1.5)), "菜市场"),
    t("jj_breakfast", "连锁早餐店", JJ, "市商务局", 86, p(d(2.0)), "早餐店"),
    t("jj_veg_shop", "社区菜店", JJ, "市商务局", 140, p(d(1.8)), "社区菜店"),
];

/// Recurring themes published once a year: slug, name, category, bureau, first year, shape,
/// item, features per year. Each year is a layer `{year}年度{name}`.
#[allow(clippy::type_complexity)]
pub const ANNUAL: &[(&str, &str, &str, &str, u32, Shape, &str, usize)] = &[
    (
        "illegal_demolished",
        "违法建设拆除图斑",
        GT,
        "市规划自然资源委",
        2017,
        Parcels(0.8, (20.0, 80.0)),
        "拆违图斑",
        90,
    ),
    ("old_compound", "老旧小区综合整治项目", JZ, "市住房城乡建设委", 2018, p(d(2.2)), "老旧小区", 14),
    ("plain_afforestation", "平原造林地块", YL, "市园林绿化局", 2018, Parcels(0.4, (80.0, 240.0)), "造林地块", 40),
    ("back_street", "背街小巷环境整治提升", SZ, "市城市管理委", 2018, Lines(URBAN, (200.0, 700.0)), "背街小巷", 30),
    ("road_repair", "道路大中修工程", JT, "市交通委", 2018, Lines(RURAL | TRUNK, (500.0, 2500.0)), "大中修工程", 16),
    ("green_leaving", "留白增绿地块", YL, "市园林绿化局", 2018, Parcels(1.0, (40.0, 160.0)), "留白增绿地块", 20),
    ("waterlogging", "积水点治理", SX, "市水务局", 2018, p(on(URBAN | TRUNK)), "积水点", 12),
    ("geo_hazard", "地质灾害隐患点", YJ, "市规划自然资源委", 2018, p(MOUNTAINS), "地质灾害隐患点", 60),
    ("beautiful_village", "美丽乡村建设村庄", NY, "市农业农村局", 2018, p(Place::Villages), "美丽乡村", 30),
    ("land_supply", "土地供应地块", GT, "市规划自然资源委", 2018, Parcels(1.2, (80.0, 260.0)), "供地地块", 18),
    ("planning_permit", "建设工程规划许可", GH, "市规划自然资源委", 2018, Parcels(1.5, (40.0, 150.0)), "规划许可", 36),
    ("facility_ag", "设施农业用地备案", GT, "市规划自然资源委", 2019, Parcels(0.3, (30.0, 100.0)), "设施农业用地", 24),
    ("garbage_demo", "垃圾分类示范小区", SZ, "市城市管理委", 2020, p(d(2.0)), "垃圾分类示范小区", 20),
    ("accessible", "无障碍环境建设点位", GG, "市残联", 2020, p(d(1.8)), "无障碍设施", 30),
    ("river_issues", "河湖“清四乱”问题点位", SX, "市水务局", 2019, p(on(RIVER)), "清四乱点位", 26),
    ("fire_risk_area", "森林火险重点区域", YJ, "市园林绿化局", 2019, Areas(-1.5, (400.0, 1200.0)), "森林火险重点区", 8),
    ("key_project", "市重点工程项目", GH, "市发展改革委", 2016, p(d(1.2)), "重点工程", 10),
    ("rural_toilet", "农村户厕改造村庄", NY, "市农业农村局", 2018, p(Place::Villages), "户厕改造村", 24),
    ("tree_planting", "义务植树基地", YL, "市园林绿化局", 2018, Parcels(0.0, (60.0, 200.0)), "义务植树基地", 6),
    ("village_sewage", "农村污水治理村庄", SX, "市水务局", 2018, p(Place::Villages), "污水治理村", 20),
    ("safety_inspection", "安全生产执法检查企业", AQ, "市应急管理局", 2019, p(d(1.0)), "执法检查企业", 40),
    ("dust_sites", "施工工地扬尘监管名录", ST, "市生态环境局", 2019, p(d(1.6)), "施工工地", 24),
];

/// The years the annual themes are published up to (inclusive).
pub const LAST_YEAR: u32 = 2025;

/// Land-use classes of the third national land survey (三调) present in the district: code and
/// name (《第三次全国国土调查工作分类》).
pub const LAND_CLASSES: [(&str, &str); 38] = [
    ("0101", "水田"),
    ("0102", "水浇地"),
    ("0103", "旱地"),
    ("0201", "果园"),
    ("0204", "其他园地"),
    ("0301", "乔木林地"),
    ("0302", "竹林地"),
    ("0305", "灌木林地"),
    ("0307", "其他林地"),
    ("0401", "天然牧草地"),
    ("0403", "人工牧草地"),
    ("0404", "其他草地"),
    ("05H1", "商业服务业设施用地"),
    ("0508", "物流仓储用地"),
    ("0601", "工业用地"),
    ("0602", "采矿用地"),
    ("0701", "城镇住宅用地"),
    ("0702", "农村宅基地"),
    ("08H1", "机关团体新闻出版用地"),
    ("08H2", "科教文卫用地"),
    ("0809", "公用设施用地"),
    ("0810", "公园与绿地"),
    ("09", "特殊用地"),
    ("1001", "铁路用地"),
    ("1003", "公路用地"),
    ("1004", "城镇村道路用地"),
    ("1005", "交通服务场站用地"),
    ("1006", "农村道路"),
    ("1101", "河流水面"),
    ("1103", "水库水面"),
    ("1104", "坑塘水面"),
    ("1106", "内陆滩涂"),
    ("1107", "沟渠"),
    ("1109", "水工建筑用地"),
    ("1201", "空闲地"),
    ("1202", "设施农用地"),
    ("1206", "裸土地"),
    ("1207", "裸岩石砾地"),
];

/// The four layers of each township's plan (《乡镇国土空间规划（2020年—2035年）》).
pub const TOWNSHIP_PLAN: [(&str, &str); 4] =
    [("fq", "规划分区"), ("yd", "用地布局"), ("ggfw", "公共服务设施规划"), ("dl", "道路规划")];

/// Zones of a township plan, by how dense the grid is.
pub const PLAN_ZONES: [&str; 4] = ["生态保护区", "生态控制区", "农业农村发展区", "城镇发展区"];

/// Land uses of village plans.
pub const VILLAGE_USES: [&str; 10] = [
    "宅基地",
    "村庄公共服务设施用地",
    "村庄产业用地",
    "村庄基础设施用地",
    "村道用地",
    "耕地",
    "园地",
    "林地",
    "设施农用地",
    "村庄公园绿地",
];

/// Standard place-name classes (GB/T 18521) and the endings such names take.
pub const PLACE_NAME_CLASSES: [(&str, &str, &[&str]); 26] = [
    ("shanfeng", "山峰", &["山", "顶", "尖", "峰", "砬子", "坨"]),
    ("shankou", "山口", &["口", "岭口", "垭口"]),
    ("shanling", "山岭", &["岭", "梁", "背"]),
    ("gougu", "沟谷", &["沟", "峪", "谷", "川"]),
    ("quan", "泉", &["泉", "泉眼"]),
    ("pubu", "瀑布", &["瀑布", "潭"]),
    ("dong", "山洞", &["洞", "仙人洞"]),
    ("zirancun", "自然村", &["庄", "台", "营", "铺", "店", "沟", "峪", "坨", "甸子"]),
    ("pianqu", "片区", &["片区", "地区"]),
    ("xiaoqu", "居民区", &["小区", "家园", "花园", "苑", "里"]),
    ("louyu", "楼宇", &["大厦", "中心", "大楼"]),
    ("jiexiang", "街巷", &["胡同", "巷", "条"]),
    ("qiaoliang", "桥梁", &["桥", "大桥"]),
    ("suidao", "隧道", &["隧道"]),
    ("guangchang", "广场", &["广场"]),
    ("shuiku", "水库", &["水库"]),
    ("shuizha", "水闸", &["闸"]),
    ("di", "堤坝", &["坝", "堤"]),
    ("dianzhan", "电站", &["电站"]),
    ("gongyuan", "公园", &["公园"]),
    ("siyuan", "寺庙", &["寺", "庙", "庵", "观"]),
    ("guji", "古迹", &["古城", "遗址", "城堡"]),
    ("guankou", "长城关口", &["关", "口"]),
    ("jinianbei", "纪念地", &["纪念碑", "纪念馆"]),
    ("dongtai", "长城敌楼", &["楼", "敌楼"]),
    ("lindi", "林区", &["林场", "林区"]),
];

/// First parts of place names in the Yanshan mountains.
pub const PLACE_STEMS: [&str; 72] = [
    "黄", "石", "红", "大", "小", "东", "西", "南", "北", "前", "后", "上", "下", "碾子", "杨树", "柳树", "枣树",
    "榆树", "松树", "椴树", "栗子", "核桃", "龙", "虎", "鹰", "凤凰", "马", "牛", "羊", "狼", "鹿", "青", "白", "黑",
    "金", "银", "铁", "铜", "三道", "二道", "头道", "老", "新", "孤", "双", "九", "八", "七", "五", "四", "望", "笔架",
    "莲花", "帽", "鞍子", "磨", "瓦", "窑", "庙", "寺", "城", "长", "宽", "平", "高", "桃", "杏", "梨", "苇", "沙",
    "水", "云",
];

/// The sections of the national industry classification (GB/T 4754-2017) present in the
/// district: letter and name.
pub const INDUSTRIES: [(&str, &str, &str); 19] = [
    ("a", "农、林、牧、渔业", "农业发展"),
    ("b", "采矿业", "矿业"),
    ("c", "制造业", "制造"),
    ("d", "电力、热力、燃气及水生产和供应业", "能源"),
    ("e", "建筑业", "建筑工程"),
    ("f", "批发和零售业", "商贸"),
    ("g", "交通运输、仓储和邮政业", "物流"),
    ("h", "住宿和餐饮业", "餐饮管理"),
    ("i", "信息传输、软件和信息技术服务业", "科技"),
    ("j", "金融业", "投资"),
    ("k", "房地产业", "房地产开发"),
    ("l", "租赁和商务服务业", "商务服务"),
    ("m", "科学研究和技术服务业", "科技发展"),
    ("n", "水利、环境和公共设施管理业", "环境工程"),
    ("o", "居民服务、修理和其他服务业", "家政服务"),
    ("p", "教育", "教育咨询"),
    ("q", "卫生和社会工作", "健康管理"),
    ("r", "文化、体育和娱乐业", "文化传媒"),
    ("s", "公共管理、社会保障和社会组织", "社会服务"),
];

/// Kinds of municipal heritage sites, for the batches of 市级文物保护单位.
pub const HERITAGE_KINDS: [&str; 10] =
    ["长城敌台", "古寺", "古塔", "关帝庙", "娘娘庙", "古民居", "烽火台", "石桥", "碑刻", "古遗址"];

/// Batches of municipal heritage sites Beijing has announced.
pub const HERITAGE_BATCHES: usize = 9;

/// Long bus lines through the district (北京公交集团), besides the district's own H lines.
pub const TRUNK_BUS_LINES: [&str; 12] =
    ["916快", "916", "936", "936支", "867", "869", "870", "875", "876", "883", "886", "887"];

/// The district's own bus lines, H1 to H{n}.
pub const H_LINES: usize = 61;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_total_the_report() {
        assert_eq!(SUBCLASSES.iter().map(|s| s.count).sum::<usize>(), super::super::COMPONENT_TOTAL);
        let mut codes: Vec<(u8, u8)> = SUBCLASSES.iter().map(|s| (s.class, s.sub)).collect();
        codes.dedup();
        assert_eq!(codes.len(), SUBCLASSES.len(), "codes in order and unique");
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn slugs_are_unique() {
        let mut slugs: Vec<&str> = THEMES.iter().map(|t| t.slug).collect();
        slugs.extend(ANNUAL.iter().map(|a| a.0));
        let n = slugs.len();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), n);
    }
}
