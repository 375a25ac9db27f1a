//! Points of interest: 14 layers by type (education, medical, government, shopping, …) with
//! Chinese names made the way real ones are (place + trade name + what it is, chain brand +
//! branch), unique over the whole district so geocoding can find each by name, and an address.

use std::collections::BTreeSet;

use geo_types::Geometry;
use gridgis_layers::{Feature, Value};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::names::{
    DISHES, FOOD_BRANDS, GOODS, MOUNTAINS, PLACE_STEMS, Place, SHOP_BRANDS, SURNAMES, TRADE_NAMES, d, mix, on,
};
use super::network::{HIGHWAY, Network, ROADS, RURAL, RoadClass, TRUNK, URBAN};
use super::world::{Spot, Unit, World};
use super::{CATEGORY_POIS, Layer, meta, place, stream, text};

/// What a name is made from: the place it stands in, and a random stream.
struct Ctx<'a> {
    rng: &'a mut ChaCha8Rng,
    /// Street name in town (`青春路`), village or community elsewhere (`桥梓村`).
    place: String,
    /// The village or community without its suffix (`桥梓`), a street as it is.
    short: String,
    /// Township name (`桥梓镇`).
    township: String,
    /// Township without its suffix (`桥梓`).
    township_short: String,
}

impl Ctx<'_> {
    fn pick(&mut self, pool: &[&'static str]) -> &'static str {
        pool.choose(self.rng).copied().unwrap_or("")
    }
    fn surname(&mut self) -> &'static str {
        self.pick(&SURNAMES)
    }
    fn trade(&mut self) -> &'static str {
        self.pick(&TRADE_NAMES)
    }
    fn one_of(&mut self, options: Vec<String>) -> String {
        let i = self.rng.random_range(0..options.len());
        options.into_iter().nth(i).unwrap_or_default()
    }
}

/// Where a kind of POI stands.
#[derive(Clone, Copy)]
enum At {
    /// Drawn by a [`Place`].
    P(Place),
    /// One at the centre of each unit of a kind (`village`, `community`).
    Units(&'static str),
    /// One at the seat of each township, in code order.
    Townships,
}

/// A kind of POI: its type, how many, where, and how it is named.
struct Kind {
    ty: &'static str,
    count: usize,
    at: At,
    name: fn(&mut Ctx<'_>) -> String,
}

const fn k(ty: &'static str, count: usize, at: At, name: fn(&mut Ctx<'_>) -> String) -> Kind {
    Kind { ty, count, at, name }
}

/// Names given in a list, used in order instead of a template.
struct Listed {
    ty: &'static str,
    at: At,
    names: &'static [&'static str],
}

/// District organs (区级机关) by their usual names.
const DISTRICT_ORGANS: [&str; 44] = [
    "中共北京市怀柔区委员会",
    "北京市怀柔区人民政府",
    "北京市怀柔区人大常委会",
    "政协北京市怀柔区委员会",
    "北京市怀柔区纪委监委",
    "怀柔区人民法院",
    "怀柔区人民检察院",
    "怀柔区发展和改革委员会",
    "怀柔区教育委员会",
    "怀柔区科学技术委员会",
    "怀柔区经济和信息化局",
    "怀柔区公安分局",
    "怀柔区民政局",
    "怀柔区司法局",
    "怀柔区财政局",
    "怀柔区人力资源和社会保障局",
    "怀柔区规划和自然资源分局",
    "怀柔区生态环境局",
    "怀柔区住房和城乡建设委员会",
    "怀柔区城市管理委员会",
    "怀柔区交通局",
    "怀柔区水务局",
    "怀柔区农业农村局",
    "怀柔区商务局",
    "怀柔区文化和旅游局",
    "怀柔区卫生健康委员会",
    "怀柔区退役军人事务局",
    "怀柔区应急管理局",
    "怀柔区审计局",
    "怀柔区人民政府国有资产监督管理委员会",
    "怀柔区市场监督管理局",
    "怀柔区体育局",
    "怀柔区统计局",
    "怀柔区园林绿化局",
    "怀柔区医疗保障局",
    "怀柔区政务服务管理局",
    "怀柔区城市管理综合行政执法局",
    "怀柔区信访办公室",
    "怀柔区税务局",
    "怀柔区消防救援支队",
    "怀柔区气象局",
    "怀柔区档案馆",
    "怀柔区融媒体中心",
    "怀柔区网格化服务管理中心",
];

/// Universities with campuses in the district.
const UNIVERSITIES: [&str; 3] = ["中国科学院大学雁栖湖校区", "北京电影学院怀柔校区", "航天工程大学"];
/// Railway stations.
const STATIONS: [&str; 3] = ["怀柔站", "怀柔北站", "怀柔南站"];
/// Coach and bus terminals.
const TERMINALS: [&str; 2] = ["怀柔长途汽车站", "怀柔公交总站"];

// Word pools names are drawn from: chains and institutions present in Beijing's suburbs, and
// the words shop signs use.
const BANKS: [&str; 10] = [
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "交通银行",
    "北京银行",
    "北京农商银行",
    "中国邮政储蓄银行",
    "招商银行",
    "中国民生银行",
];
const INSURERS: [&str; 6] = ["中国人寿", "中国平安", "中国人保财险", "太平洋保险", "泰康人寿", "新华保险"];
const BROKERS: [&str; 4] = ["中信建投证券", "国泰君安证券", "华泰证券", "银河证券"];
const PHARMACIES: [&str; 7] =
    ["金象大药房", "同仁堂药店", "嘉事堂药店", "永安堂大药房", "医保全新大药房", "老百姓大药房", "京丰大药房"];
const HOTEL_BRANDS: [&str; 7] =
    ["如家酒店", "汉庭酒店", "7天连锁酒店", "锦江之星", "格林豪泰酒店", "全季酒店", "速8酒店"];
const COURIERS: [&str; 8] =
    ["菜鸟驿站", "顺丰速运", "京东快递", "中通快递", "圆通速递", "韵达快递", "申通快递", "中国邮政EMS"];
const AGENCIES: [&str; 4] = ["链家", "我爱我家", "麦田房产", "中原地产"];
const CARRIER_SHOPS: [&str; 3] = ["中国移动", "中国联通", "中国电信"];
const TEA_BRANDS: [&str; 7] = ["瑞幸咖啡", "星巴克", "蜜雪冰城", "喜茶", "茶百道", "古茗", "库迪咖啡"];
const FUEL_BRANDS: [&str; 3] = ["中国石化", "中国石油", "壳牌"];
const CAR_BRANDS: [&str; 8] = ["大众", "丰田", "本田", "别克", "比亚迪", "吉利", "长城", "日产"];
const CHARGERS: [&str; 4] = ["特来电", "星星充电", "国家电网", "蔚来"];
const CINEMAS: [&str; 4] = ["万达影城", "中影国际影城", "博纳国际影城", "首都电影院"];
const FRUITS: [&str; 9] = ["板栗", "樱桃", "苹果", "梨", "杏", "核桃", "草莓", "葡萄", "桃"];
const TRAINING: [&str; 10] = ["教育", "培训学校", "艺术培训", "英语", "舞蹈", "书法", "美术", "编程", "围棋", "跆拳道"];
const REPAIRS: [&str; 6] = ["家电维修", "电动车维修", "手机维修", "汽车维修", "管道疏通", "开锁换锁"];
const ESTATES: [&str; 10] = ["家园", "花园", "小区", "苑", "嘉园", "名苑", "新村", "公寓", "府", "里"];
const SETTLEMENTS: [&str; 6] = ["庄", "台", "营", "沟", "峪", "坨"];
const AGENCY_WORDS: [&str; 16] = [
    "农业服务中心",
    "文化服务中心",
    "社区服务中心",
    "综合执法队",
    "市场监管所",
    "税务所",
    "财政所",
    "环卫中心",
    "供电所",
    "林业站",
    "水务站",
    "兽医站",
    "农机站",
    "经管站",
    "社会保障所",
    "综合治理中心",
];

fn layers_spec() -> Vec<(&'static str, &'static str, Vec<Kind>, Vec<Listed>)> {
    let urban = d(1.8);
    let town = d(1.4);
    vec![
        (
            "hr_poi_education",
            "教育培训",
            vec![
                k("幼儿园", 220, At::P(d(1.3)), |c| {
                    let t = c.trade();
                    c.one_of(vec![
                        format!("怀柔区{}幼儿园", c.short),
                        format!("{t}幼儿园"),
                        format!("{}{t}幼儿园", c.short),
                    ])
                }),
                k("小学", 70, At::P(d(1.0)), |c| {
                    c.one_of(vec![format!("怀柔区{}小学", c.short), format!("{}中心小学", c.township_short)])
                }),
                k("中学", 28, At::P(d(1.2)), |c| {
                    c.one_of(vec![format!("怀柔区{}中学", c.short), format!("北京市{}中学", c.short)])
                }),
                k("培训机构", 629, At::P(urban), |c| {
                    let (t, w) = (c.trade(), c.pick(&TRAINING));
                    c.one_of(vec![format!("{t}{w}"), format!("{t}{w}（{}校区）", c.short)])
                }),
                k("职业学校", 10, At::P(d(1.2)), |c| format!("怀柔区{}职业技能培训学校", c.trade())),
            ],
            vec![Listed { ty: "高等院校", at: At::P(d(1.0)), names: &UNIVERSITIES }],
        ),
        (
            "hr_poi_medical",
            "医疗卫生",
            vec![
                k("医院", 18, At::P(d(1.6)), |c| {
                    let t = c.trade();
                    c.one_of(vec![format!("北京{t}医院"), format!("怀柔{t}中医医院"), format!("北京{t}康复医院")])
                }),
                k("社区卫生服务中心", 16, At::Townships, |c| format!("{}社区卫生服务中心", c.township)),
                k("社区卫生服务站", 60, At::P(d(2.0)), |c| format!("{}社区卫生服务站", c.short)),
                k("村卫生室", 250, At::P(Place::Villages), |c| format!("{}卫生室", c.place)),
                k("诊所", 420, At::P(town), |c| {
                    let (s, t) = (c.surname(), c.trade());
                    c.one_of(vec![format!("{}{s}氏诊所", c.short), format!("{t}诊所"), format!("{}{t}门诊部", c.short)])
                }),
                k("药店", 560, At::P(town), |c| {
                    let b = c.pick(&PHARMACIES);
                    let t = c.trade();
                    c.one_of(vec![format!("{b}（{}店）", c.short), format!("{}{t}大药房", c.short)])
                }),
                k("口腔诊所", 96, At::P(urban), |c| {
                    let (s, t) = (c.surname(), c.trade());
                    c.one_of(vec![format!("{t}口腔"), format!("{s}氏口腔诊所（{}）", c.short)])
                }),
            ],
            vec![],
        ),
        (
            "hr_poi_government",
            "政府机构",
            vec![
                k("街乡镇政府", 17, At::Townships, |c| {
                    if c.township.ends_with("街道") || c.township.ends_with("地区") {
                        format!("{}办事处", c.township)
                    } else if c.township.ends_with("开发区") {
                        format!("{}管理委员会", c.township)
                    } else {
                        format!("{}人民政府", c.township)
                    }
                }),
                k("村委会", 284, At::Units("village"), |c| format!("{}村委会", c.place)),
                k("居委会", 36, At::Units("community"), |c| format!("{}居委会", c.place)),
                k("派出所", 17, At::Townships, |c| format!("怀柔公安分局{}派出所", c.township_short)),
                k("司法所", 17, At::Townships, |c| format!("{}司法所", c.township_short)),
                k("党群服务中心", 321, At::P(Place::Villages), |c| format!("{}党群服务中心", c.place)),
                k("事业单位", 644, At::P(d(1.0)), |c| {
                    let w = c.pick(&AGENCY_WORDS);
                    c.one_of(vec![format!("{}{w}", c.township_short), format!("{}{w}", c.place)])
                }),
            ],
            vec![Listed { ty: "区级机关", at: At::P(d(3.0)), names: &DISTRICT_ORGANS }],
        ),
        (
            "hr_poi_shopping",
            "购物",
            vec![
                k("超市", 2_400, At::P(town), |c| {
                    let (b, t, s) = (c.pick(&SHOP_BRANDS), c.trade(), c.surname());
                    c.one_of(vec![
                        format!("{b}（{}店）", c.short),
                        format!("{}{t}超市", c.short),
                        format!("{s}记便民超市（{}）", c.short),
                        format!("{}便民超市", c.place),
                    ])
                }),
                k("便利店", 2_200, At::P(urban), |c| {
                    let (b, t) = (c.pick(&SHOP_BRANDS), c.trade());
                    c.one_of(vec![format!("{b}（{}店）", c.short), format!("{t}便利店（{}）", c.short)])
                }),
                k("专卖店", 5_200, At::P(town), shop_name),
                k("菜市场", 160, At::P(town), |c| {
                    c.one_of(vec![format!("{}菜市场", c.place), format!("{}农贸市场", c.short)])
                }),
                k("商场", 40, At::P(d(2.5)), |c| {
                    let t = c.trade();
                    c.one_of(vec![format!("{t}购物中心"), format!("怀柔{t}商场"), format!("{t}百货")])
                }),
                k("五金建材", 1_400, At::P(d(1.0)), |c| {
                    let (s, g) = (c.surname(), c.pick(&["五金", "建材", "水暖", "电料", "门窗", "瓷砖"]));
                    let t = c.trade();
                    c.one_of(vec![format!("{}{s}记{g}店", c.short), format!("{t}{g}商店"), format!("{}{g}城", c.short)])
                }),
                k("水果店", 1_200, At::P(town), |c| {
                    let (s, t) = (c.surname(), c.trade());
                    c.one_of(vec![format!("{}{s}记水果店", c.short), format!("{t}果业（{}店）", c.short)])
                }),
            ],
            vec![],
        ),
        (
            "hr_poi_food",
            "餐饮",
            vec![
                k("中餐厅", 5_600, At::P(town), restaurant_name),
                k("快餐", 1_800, At::P(urban), |c| {
                    let (b, s, dish) = (c.pick(&FOOD_BRANDS), c.surname(), c.pick(&DISHES));
                    c.one_of(vec![format!("{b}（怀柔{}店）", c.short), format!("{s}记{dish}快餐（{}）", c.short)])
                }),
                k("农家院", 2_100, At::P(d(0.2)), |c| {
                    let (s, t) = (c.surname(), c.trade());
                    c.one_of(vec![
                        format!("{}{s}家农家院", c.short),
                        format!("{}{t}农家乐", c.short),
                        format!("{}虹鳟鱼{s}家", c.short),
                        format!("{}{s}家山庄", c.short),
                    ])
                }),
                k("小吃", 1_200, At::P(urban), |c| {
                    let (s, dish) = (c.surname(), c.pick(&DISHES));
                    c.one_of(vec![format!("{s}记{dish}（{}）", c.short), format!("{}{s}家{dish}", c.short)])
                }),
                k("咖啡茶饮", 500, At::P(d(2.2)), |c| {
                    let (b, t) = (c.pick(&TEA_BRANDS), c.trade());
                    c.one_of(vec![format!("{b}（{}店）", c.short), format!("{t}茶社（{}）", c.short)])
                }),
            ],
            vec![],
        ),
        (
            "hr_poi_lodging",
            "住宿",
            vec![
                k("酒店", 380, At::P(d(1.6)), |c| {
                    let (b, t) = (c.pick(&HOTEL_BRANDS), c.trade());
                    c.one_of(vec![
                        format!("{b}（怀柔{}店）", c.short),
                        format!("{t}大酒店"),
                        format!("{t}宾馆（{}）", c.short),
                    ])
                }),
                k("宾馆旅馆", 620, At::P(d(1.0)), |c| {
                    let (s, t) = (c.surname(), c.trade());
                    c.one_of(vec![
                        format!("{}{t}宾馆", c.short),
                        format!("{t}旅馆（{}）", c.short),
                        format!("{}{s}家旅馆", c.short),
                    ])
                }),
                k("民宿", 2_450, At::P(d(0.1)), |c| {
                    let (s, t, stem) = (c.surname(), c.trade(), c.pick(&PLACE_STEMS));
                    let w = c.pick(&["山居", "小院", "山舍", "人家", "客栈", "山房"]);
                    c.one_of(vec![
                        format!("{}{t}民宿", c.short),
                        format!("{}{s}家小院", c.short),
                        format!("{stem}{w}（{}）", c.short),
                    ])
                }),
            ],
            vec![],
        ),
        (
            "hr_poi_life",
            "生活服务",
            vec![
                k("理发美容", 1_920, At::P(urban), |c| {
                    let (s, t) = (c.surname(), c.trade());
                    c.one_of(vec![
                        format!("{t}美发（{}店）", c.short),
                        format!("{}{s}记理发", c.short),
                        format!("{t}美容美发"),
                    ])
                }),
                k("洗衣", 420, At::P(urban), |c| {
                    let t = c.trade();
                    c.one_of(vec![format!("{t}洗衣（{}店）", c.short), format!("{}{t}干洗店", c.short)])
                }),
                k("快递驿站", 900, At::P(town), |c| {
                    let b = c.pick(&COURIERS);
                    c.one_of(vec![format!("{b}（{}）", c.place), format!("{b}（{}营业部）", c.short)])
                }),
                k("维修", 1_300, At::P(d(1.0)), |c| {
                    let (s, w) = (c.surname(), c.pick(&REPAIRS));
                    let t = c.trade();
                    c.one_of(vec![format!("{}{s}记{w}", c.short), format!("{t}{w}（{}）", c.short)])
                }),
                k("家政", 380, At::P(urban), |c| format!("{}家政（{}）", c.trade(), c.short)),
                k("彩票", 420, At::P(town), |c| {
                    let w = c.pick(&["福利彩票", "体育彩票"]);
                    format!("中国{w}{}投注站", c.place)
                }),
                k("通信营业厅", 260, At::P(town), |c| {
                    let b = c.pick(&CARRIER_SHOPS);
                    c.one_of(vec![format!("{b}（{}营业厅）", c.short), format!("{b}{}授权店", c.place)])
                }),
                k("房产中介", 380, At::P(urban), |c| {
                    let b = c.pick(&AGENCIES);
                    let t = c.trade();
                    c.one_of(vec![format!("{b}（{}店）", c.short), format!("{}{t}房产", c.short)])
                }),
                k("摄影冲印", 200, At::P(urban), |c| format!("{}摄影（{}）", c.trade(), c.short)),
                k("婚庆", 120, At::P(urban), |c| format!("{}婚庆（{}）", c.trade(), c.short)),
                k("洗浴足疗", 540, At::P(urban), |c| {
                    let t = c.trade();
                    c.one_of(vec![format!("{t}足道（{}店）", c.short), format!("{t}洗浴中心（{}）", c.short)])
                }),
                k("宠物", 300, At::P(urban), |c| format!("{}宠物（{}店）", c.trade(), c.short)),
                k("废品回收", 960, At::P(d(0.8)), |c| {
                    let s = c.surname();
                    format!("{}{s}记废品回收站", c.short)
                }),
            ],
            vec![],
        ),
        (
            "hr_poi_finance",
            "金融保险",
            vec![
                k("银行", 180, At::P(town), |c| format!("{}北京怀柔{}支行", c.pick(&BANKS), c.short)),
                k("ATM", 420, At::P(town), |c| format!("{}ATM（{}）", c.pick(&BANKS), c.place)),
                k("保险", 120, At::P(urban), |c| format!("{}怀柔{}营业部", c.pick(&INSURERS), c.short)),
                k("证券", 16, At::P(d(2.5)), |c| format!("{}北京怀柔{}证券营业部", c.pick(&BROKERS), c.short)),
                k("典当小贷", 24, At::P(urban), |c| format!("北京{}典当行", c.trade())),
            ],
            vec![],
        ),
        (
            "hr_poi_auto",
            "汽车服务",
            vec![
                k("加油站", 56, At::P(on(TRUNK | RURAL | HIGHWAY)), |c| {
                    format!("{}{}加油站", c.pick(&FUEL_BRANDS), c.short)
                }),
                k("汽车维修", 620, At::P(mix(ROADS, 0.6, 1.0)), |c| {
                    let (s, t) = (c.surname(), c.trade());
                    c.one_of(vec![format!("{t}汽修（{}）", c.short), format!("{}{s}记汽修", c.short)])
                }),
                k("洗车", 380, At::P(mix(URBAN | TRUNK, 0.6, 1.5)), |c| format!("{}洗车（{}）", c.trade(), c.short)),
                k("停车场", 420, At::P(town), |c| {
                    let t = c.trade();
                    c.one_of(vec![format!("{}停车场", c.place), format!("{t}停车场（{}）", c.short)])
                }),
                k("汽车销售", 64, At::P(on(TRUNK | URBAN)), |c| {
                    format!("北京{}{}4S店", c.trade(), c.pick(&CAR_BRANDS))
                }),
                k("充电站", 100, At::P(town), |c| format!("{}充电站（{}）", c.pick(&CHARGERS), c.place)),
            ],
            vec![],
        ),
        (
            "hr_poi_tourism",
            "旅游景点",
            vec![
                k("景点", 180, At::P(MOUNTAINS), |c| {
                    let stem = c.pick(&PLACE_STEMS);
                    let w = c.pick(&["峡谷", "山庄", "沟", "峪", "瀑布", "景区", "山", "潭"]);
                    c.one_of(vec![format!("{stem}{w}"), format!("{}{stem}{w}", c.short)])
                }),
                k("长城", 40, At::P(MOUNTAINS), |c| {
                    let stem = c.pick(&PLACE_STEMS);
                    c.one_of(vec![format!("{}长城", c.short), format!("{stem}楼长城"), format!("{stem}口长城")])
                }),
                k("寺庙", 40, At::P(d(0.3)), |c| {
                    let stem = c.pick(&PLACE_STEMS);
                    c.one_of(vec![format!("{stem}寺"), format!("{stem}庵"), format!("{}关帝庙", c.short)])
                }),
                k("采摘园", 120, At::P(d(0.3)), |c| {
                    let f = c.pick(&FRUITS);
                    format!("{}{f}采摘园", c.short)
                }),
            ],
            vec![],
        ),
        (
            "hr_poi_culture_sports",
            "文化体育",
            vec![
                k("文化活动室", 300, At::P(Place::Villages), |c| format!("{}文化活动室", c.place)),
                k("健身房", 180, At::P(urban), |c| format!("{}健身（{}店）", c.trade(), c.short)),
                k("体育场馆", 40, At::P(d(1.5)), |c| {
                    let t = c.trade();
                    c.one_of(vec![format!("{}体育馆", c.short), format!("怀柔{t}体育中心")])
                }),
                k("图书室", 30, At::P(d(1.0)), |c| format!("{}图书室", c.place)),
                k("电影院", 12, At::P(d(2.5)), |c| format!("{}（怀柔{}店）", c.pick(&CINEMAS), c.short)),
                k("娱乐场所", 420, At::P(urban), |c| {
                    let (s, t) = (c.surname(), c.trade());
                    c.one_of(vec![
                        format!("{t}网咖（{}）", c.short),
                        format!("{t}KTV（{}）", c.short),
                        format!("{}{s}记棋牌室", c.short),
                    ])
                }),
                k("广场", 198, At::P(d(1.0)), |c| {
                    c.one_of(vec![format!("{}文化广场", c.place), format!("{}休闲广场", c.short)])
                }),
            ],
            vec![],
        ),
        (
            "hr_poi_company",
            "公司企业",
            vec![
                k("科技企业", 1_800, At::P(d(1.3)), |c| {
                    company(c, &["科技", "信息技术", "生物技术", "新材料", "环保科技", "智能科技"])
                }),
                k("制造企业", 1_200, At::P(d(0.8)), |c| {
                    company(c, &["机械制造", "食品", "汽车配件", "印刷", "包装", "服装", "家具"])
                }),
                k("商贸企业", 1_900, At::P(d(1.2)), |c| {
                    company(c, &["商贸", "贸易", "物流", "餐饮管理", "文化传媒", "商务咨询"])
                }),
                k("建筑企业", 600, At::P(d(1.0)), |c| {
                    company(c, &["建筑工程", "装饰工程", "市政工程", "园林绿化工程"])
                }),
                k("农业企业", 740, At::P(d(0.3)), |c| {
                    company(c, &["农业发展", "种植", "养殖", "农产品", "旅游开发"])
                }),
            ],
            vec![],
        ),
        (
            "hr_poi_residential",
            "住宅小区",
            vec![
                k("住宅小区", 820, At::P(d(2.0)), |c| {
                    let (t, e) = (c.trade(), c.pick(&ESTATES));
                    c.one_of(vec![format!("{t}{e}"), format!("{}{t}{e}", c.short)])
                }),
                k("自然村", 300, At::P(Place::Villages), |c| {
                    let (stem, s) = (c.pick(&PLACE_STEMS), c.pick(&SETTLEMENTS));
                    format!("{}{stem}{s}", c.short)
                }),
            ],
            vec![],
        ),
        (
            "hr_poi_transport",
            "交通设施",
            vec![
                k("公交车站", 640, At::P(on(URBAN | TRUNK | RURAL)), |c| {
                    let dir = c.pick(&["东", "西", "南", "北"]);
                    c.one_of(vec![
                        format!("{}站", c.place),
                        format!("{}路口{dir}站", c.short),
                        format!("{}{dir}站", c.short),
                    ])
                }),
                k("公交场站", 12, At::P(d(1.2)), |c| format!("{}公交场站", c.short)),
                k("出租车停靠点", 40, At::P(on(URBAN)), |c| format!("{}出租车停靠点", c.place)),
                k("桥梁", 116, At::P(Place::Crossings), |c| {
                    let stem = c.pick(&PLACE_STEMS);
                    c.one_of(vec![format!("{}桥", c.short), format!("{stem}桥（{}）", c.short)])
                }),
            ],
            vec![
                Listed { ty: "火车站", at: At::P(d(1.5)), names: &STATIONS },
                Listed { ty: "客运站", at: At::P(d(2.5)), names: &TERMINALS },
            ],
        ),
    ]
}

/// `北京红螺科技有限公司` and its variants.
fn company(c: &mut Ctx<'_>, words: &[&'static str]) -> String {
    let (t, t2, w) = (c.trade(), c.trade(), c.pick(words));
    c.one_of(vec![
        format!("北京{t}{w}有限公司"),
        format!("北京{t}{t2}{w}有限公司"),
        format!("北京{t}{w}有限责任公司"),
        format!("北京怀柔{t}{w}有限公司"),
    ])
}

fn shop_name(c: &mut Ctx<'_>) -> String {
    let (s, t, g) = (c.surname(), c.trade(), c.pick(&GOODS));
    c.one_of(vec![
        format!("{}{s}记{g}店", c.short),
        format!("{t}{g}（{}店）", c.short),
        format!("{}{g}商店", c.place),
        format!("{}{s}{t}{g}经营部", c.short),
    ])
}

fn restaurant_name(c: &mut Ctx<'_>) -> String {
    let (s, t, dish) = (c.surname(), c.trade(), c.pick(&DISHES));
    let w = c.pick(&["馆", "饭店", "餐馆", "酒家", "食府", "菜馆"]);
    c.one_of(vec![
        format!("{s}家{dish}（{}店）", c.short),
        format!("{}{dish}{w}", c.short),
        format!("{t}{dish}{w}",),
        format!("{}{s}记{dish}", c.place),
    ])
}

/// The seat of each township: its unit with the highest density at its anchor.
fn township_seats(world: &World) -> Vec<&Unit> {
    let mut seats: std::collections::BTreeMap<&str, &Unit> = std::collections::BTreeMap::new();
    for u in &world.units {
        let dens = |u: &Unit| super::super::geography::density(u.anchor);
        let e = seats.entry(u.code.get(..9).unwrap_or("")).or_insert(u);
        if dens(u) > dens(e) {
            *e = u;
        }
    }
    seats.into_values().collect()
}

/// The spots of a kind.
fn spots_for(world: &World, net: &Network, at: At, n: usize, rng: &mut ChaCha8Rng) -> Vec<Spot> {
    match at {
        At::P(p) => place::spots(world, net, p, n, rng),
        At::Units(kind) => {
            world.units.iter().filter(|u| u.kind == kind).take(n).map(|u| world.near_anchor(u, 60.0, rng)).collect()
        }
        At::Townships => township_seats(world).into_iter().take(n).map(|u| world.near_anchor(u, 150.0, rng)).collect(),
    }
}

/// `(place, short, on_street)` for a spot: the street in town (when `streets`), the village
/// or community elsewhere.
fn place_of(world: &World, net: &Network, spot: &Spot, streets: bool) -> (String, String, bool) {
    let unit = world.unit(spot.leaf);
    if streets
        && unit.kind != "village"
        && let Some(road) = net
            .road_near(spot.at, 150.0, world.scale)
            .filter(|r| matches!(r.class, RoadClass::Urban | RoadClass::National | RoadClass::Provincial))
    {
        return (road.name.clone(), road.name.clone(), true);
    }
    let short = unit.place.trim_end_matches('村').trim_end_matches("社区").to_string();
    (unit.place.clone(), short, false)
}

/// The 14 POI layers.
pub fn layers(world: &World, net: &Network, seed: u64) -> Vec<Layer> {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for (id, name, kinds, listed) in layers_spec() {
        let mut rng = stream(seed, "pois", id);
        let mut features = Vec::new();
        let mut push = |spot: &Spot, ty: &str, poi_name: String, rng: &mut ChaCha8Rng, via_road: bool, place: &str| {
            let unit = world.unit(spot.leaf);
            let number = rng.random_range(1..=260);
            let address = if via_road {
                format!("北京市怀柔区{place}{number}号")
            } else if unit.kind == "village" {
                format!("北京市怀柔区{}{}{number}号", unit.township, unit.place)
            } else {
                format!("北京市怀柔区{}{}", unit.township, unit.place)
            };
            features.push(Feature {
                geometry: Geometry::Point(spot.at.into()),
                properties: vec![
                    ("name".into(), Value::String(poi_name)),
                    ("type".into(), text(ty)),
                    ("category".into(), text(name)),
                    ("address".into(), text(&address)),
                    ("grid_code".into(), text(world.code(spot.leaf))),
                    ("township".into(), text(&unit.township)),
                ],
            });
        };
        for l in &listed {
            let spots = spots_for(world, net, l.at, l.names.len(), &mut rng);
            for (spot, n) in spots.iter().zip(l.names) {
                let (place, _, via_road) = place_of(world, net, spot, true);
                taken.insert(n.to_string());
                push(spot, l.ty, n.to_string(), &mut rng, via_road, &place);
            }
        }
        for kind in &kinds {
            let spots = spots_for(world, net, kind.at, kind.count, &mut rng);
            let streets = matches!(kind.at, At::P(p) if p != Place::Villages);
            for spot in &spots {
                let (place, short, via_road) = place_of(world, net, spot, streets);
                let unit = world.unit(spot.leaf);
                let township = unit.township.clone();
                let township_short = super::network::short_township(&township);
                let mut ctx = Ctx { rng: &mut rng, place: place.clone(), short, township, township_short };
                let mut chosen = None;
                for _ in 0..24 {
                    let candidate = (kind.name)(&mut ctx);
                    if !taken.contains(&candidate) {
                        chosen = Some(candidate);
                        break;
                    }
                }
                let poi_name = chosen.unwrap_or_else(|| {
                    let base = (kind.name)(&mut ctx);
                    (2..).map(|n| format!("{base}（{n}）")).find(|c| !taken.contains(c)).unwrap_or(base)
                });
                taken.insert(poi_name.clone());
                push(spot, kind.ty, poi_name, &mut rng, via_road, &place);
            }
        }
        out.push(Layer { meta: meta(id, name, CATEGORY_POIS), features });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poi_counts_total_the_report() {
        let total: usize = layers_spec()
            .iter()
            .map(|(_, _, k, l)| {
                k.iter().map(|k| k.count).sum::<usize>() + l.iter().map(|l| l.names.len()).sum::<usize>()
            })
            .sum();
        assert_eq!(total, super::super::POI_TOTAL);
    }
}
