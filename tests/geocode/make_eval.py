#!/usr/bin/env python3
"""The labelled geocoding evaluation set: addresses of the gazetteer written the ways people
write them, each with the address it means.

Independent of the Rust code on purpose: the variations are made here from the exported
gazetteer (`gridgis export addresses`), the grids and the POI layers, with OpenCC for
traditional characters and pypinyin for homophone typos, so the matcher is judged by text it
never saw being made.

    make_eval.py GRIDGIS_BIN DATA_DIR OUT.csv [--per-kind N] [--seed S]

Writes CSV `id,kind,query,truth_level,truth_address,truth_name,truth_grid,truth_township,
truth_village`.
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict

KINDS = [
    "standard",       # the gazetteer's own text
    "width",          # full-width digits, letters and spaces
    "numerals",       # Chinese numerals: 三十二号, 十一号楼, 二单元, 一〇三室
    "spacing",        # spaces and punctuation between the parts
    "building_word",  # 号楼 / 栋 / 幢 / 座 used for one another
    "committee",      # 村委会, 村民委员会, 社区居委会, 居委会
    "township_word",  # 地区 → 镇, 满族乡 → 乡, 街道 → 街道办事处
    "prefix",         # 北京 for 北京市, missing province, city or district
    "no_admin",       # only the detail: no province, district or township
    "traditional",    # traditional characters (OpenCC s2t)
    "order",          # parts in an unusual order
    "typo",           # one wrong, missing, doubled or swapped character in a name
    "village_only",   # only a real village or community
    "poi",            # a POI by name
    "mixed",          # two or three of the above (not typo) at once
]

FULL = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
DIGITS = "〇一二三四五六七八九"


def run(bin_path, data, *args):
    subprocess.run([bin_path, "--data", data, *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def export(bin_path, data, what, tmp):
    out = os.path.join(tmp, f"{what}.csv")
    run(bin_path, data, "export", what, "--format", "csv", "--out", out)
    csv.field_size_limit(1 << 30)
    with open(out, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def positional(n):
    """Chinese numerals as written before 号/单元/号楼: 32 → 三十二, 105 → 一百零五."""
    if n < 10:
        return DIGITS[n] if n else "零"
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return DIGITS[n // 10] + "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = DIGITS[n // 100] + "百"
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + DIGITS[rest]
        return head + DIGITS[rest // 10] + "十" + (DIGITS[rest % 10] if rest % 10 else "")
    return "".join(DIGITS[int(d)] for d in str(n))


def digit_by_digit(s, zero="〇"):
    return "".join(zero if d == "0" else DIGITS[int(d)] for d in s)


def osa(a, b):
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


class Address:
    """One gazetteer address as its parts, in order, each (role, text)."""

    def __init__(self, row):
        self.row = row
        r = row
        parts = [("province", "北京市"), ("district", "怀柔区")]
        village, road = r["village"], r["road"]
        if r["township"] != "北京雁栖经济开发区":
            parts.append(("township", r["township"]))
        parts.append(("village", village))
        if road and road != village:
            parts.append(("road", road))
        if r["group"]:
            parts.append(("group", r["group"]))
        parts.append(("house", r["house_no"] + "号"))
        if r["compound"]:
            parts.append(("compound", r["compound"]))
            parts.append(("building", r["building"]))
        if r["unit"]:
            parts.append(("unit", r["unit"] + "单元"))
            parts.append(("room", r["room"] + "室"))
        self.parts = parts
        self.ok = "".join(t for _, t in parts) == r["address"]

    def has(self, role):
        return any(k == role for k, _ in self.parts)


def join(parts):
    return "".join(t for _, t in parts)


class Maker:
    def __init__(self, rows, villages, pois, seed):
        from opencc import OpenCC
        from pypinyin import lazy_pinyin
        self.rng = random.Random(seed)
        self.s2t = OpenCC("s2t").convert
        self.addresses = [a for a in (Address(r) for r in rows) if a.ok]
        self.by_level = defaultdict(list)
        for a in self.addresses:
            key = a.row["level"]
            if key == "house":
                key = "house_group" if a.row["group"] else "house_road"
            self.by_level[key].append(a)
        self.villages = villages
        self.pois = pois
        names = set()
        for a in self.addresses:
            names.update(a.row[k] for k in ("township", "village", "road", "compound") if a.row[k])
        names.update(v["name"] for v in villages)
        self.names = names
        self.names_of = defaultdict(set)
        for a in self.addresses:
            for k in ("township", "village", "road", "compound"):
                if a.row[k]:
                    self.names_of[k].add(a.row[k])
        pool = sorted({c for n in names for c in n if "\u4e00" <= c <= "\u9fff"})
        self.pool = pool
        self.homophones = defaultdict(list)
        for c in pool:
            self.homophones[lazy_pinyin(c)[0]].append(c)
        self.pinyin = {c: lazy_pinyin(c)[0] for c in pool}
        counts = defaultdict(int)
        for v in villages:
            counts[v["name"]] += 1
        self.unique_village = {v["name"] for v in villages if counts[v["name"]] == 1}
        self.pois_by_name = [
            p for p in pois
            if p["name"] not in names and not p["name"].endswith(("村委会", "居委会")) and "（" not in p["name"][-4:]
        ]

    def pick(self, level_weights=(("room", 5), ("building", 1), ("house_road", 3), ("house_group", 2)), want=None):
        levels = [l for l, _ in level_weights]
        weights = [w for _, w in level_weights]
        for _ in range(1000):
            level = self.rng.choices(levels, weights)[0]
            a = self.rng.choice(self.by_level[level])
            if want is None or want(a):
                return a
        raise RuntimeError("no address fits")

    # Each variation takes parts and returns parts (or None when it does not apply).
    def width(self, parts):
        return [(k, "".join(FULL.get(c, c) for c in t)) for k, t in parts]

    def numerals(self, parts):
        out = []
        for k, t in parts:
            if k == "house":
                t = positional(int(t[:-1])) + "号"
            elif k == "unit":
                t = positional(int(t[:-2])) + "单元"
            elif k == "room":
                t = digit_by_digit(t[:-1], self.rng.choice("〇零")) + "室"
            elif k == "group":
                t = positional(int(t[:-1])) + t[-1]
            elif k == "building" and t[0].isdigit():
                n = "".join(c for c in t if c.isdigit())
                t = positional(int(n)) + t[len(n):]
            out.append((k, t))
        return out

    def spacing(self, parts):
        seps = [" ", "  ", "，", ",", "、", " - ", "　"]
        out = []
        for i, (k, t) in enumerate(parts):
            if k == "building" and t.endswith("号楼") and self.rng.random() < 0.3:
                t = t[:-2] + "#楼"
            if k == "compound" and self.rng.random() < 0.3:
                t = "“" + t + "”"
            out.append((k, t))
            if i + 1 < len(parts) and self.rng.random() < 0.6:
                out.append(("sep", self.rng.choice(seps)))
        return out

    def building_word(self, parts):
        out, changed = [], False
        for k, t in parts:
            if k == "building":
                word = next((w for w in ["号楼", "栋", "幢", "座"] if t.endswith(w)), None)
                if word is None:  # already rewritten by another variation (traditional, width)
                    return None
                number = t[: -len(word)]
                if number.isascii() and number.isalpha():
                    t = number + self.rng.choice(["栋", "号楼"])
                else:
                    t = number + self.rng.choice([w for w in ["号楼", "栋", "幢", "座"] if w != word])
                changed = True
            out.append((k, t))
        return out if changed else None

    def committee(self, parts):
        out, changed = [], False
        for k, t in parts:
            if k == "village" and t.endswith("村") and len(t) > 1:
                t = t + self.rng.choice(["委会", "民委员会"])
                changed = True
            elif k == "village" and t.endswith("社区"):
                t = self.rng.choice([t + "居委会", t + "居民委员会", t[:-2] + "居委会"])
                changed = True
            out.append((k, t))
        return out if changed else None

    def township_word(self, parts):
        out, changed = [], False
        for k, t in parts:
            if k == "township":
                if t.endswith("地区"):
                    t, changed = t[:-2] + "镇", True
                elif t.endswith("满族乡"):
                    t, changed = t[:-3] + "乡", True
                elif t.endswith("街道"):
                    t, changed = t + "办事处", True
            out.append((k, t))
        return out if changed else None

    def prefix(self, parts):
        style = self.rng.randrange(5)
        rest = [(k, t) for k, t in parts if k not in ("province", "district")]
        return [
            [("province", "北京")] + [p for p in parts if p[0] != "province"],
            [p for p in parts if p[0] != "province"],
            rest,
            [("x", "北京怀柔")] + rest,
            [("x", "怀柔")] + rest,
        ][style]

    def no_admin(self, parts):
        # A village whose name two townships share keeps its township: without it the text
        # names two places.
        village = next((t for k, t in parts if k == "village"), None)
        drop = ("province", "district") if village not in self.unique_village else ("province", "district", "township")
        keep = [(k, t) for k, t in parts if k not in drop]
        if any(k == "compound" for k, _ in keep):
            # A compound's name is unique in the district: the detail alone names the flat.
            detail = [(k, t) for k, t in keep if k not in ("village", "road", "house")]
            return detail if self.rng.random() < 0.5 else keep
        return keep

    def traditional(self, parts):
        return [(k, self.s2t(t)) for k, t in parts]

    def order(self, parts):
        style = self.rng.randrange(3)
        roles = [k for k, _ in parts]
        if style == 0 and "compound" in roles:
            i = roles.index("compound")
            return parts[i:] + [("sep", " ")] + parts[:i]
        if style == 1 and "township" in roles:
            i, j = roles.index("township"), roles.index("village")
            swapped = list(parts)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            return swapped
        admin = [p for p in parts if p[0] in ("district", "township")]
        rest = [p for p in parts if p[0] not in ("province", "district", "township")]
        return rest + [("sep", "，")] + admin

    def typo(self, parts):
        roles = [k for k, _ in parts]
        key = "compound" if "compound" in roles else ("road" if "road" in roles else "village")
        candidates = [key] * 7 + [r for r in ("township", "village", "road") if r in roles and r != key] * 1
        role = self.rng.choice(candidates)
        i = roles.index(role)
        text = parts[i][1]
        for _ in range(50):
            t = self.slip(text)
            # A slip that lands as near another real name as the meant one (石片南街 → 石片哨街,
            # a letter from 石片东街 too) names neither: no reader could tell, so it is not a test.
            if t and t != text and not self.ambiguous(t, text, role):
                out = list(parts)
                out[i] = (role, t)
                return out
        return None

    def ambiguous(self, typed, meant, role):
        if typed in self.names:
            return True
        chars = set(typed)
        for n in self.names_of[role]:
            if n != meant and abs(len(n) - len(typed)) <= 1 and len(chars & set(n)) >= len(n) - 2 and osa(n, typed) <= 1:
                return True
        return False

    def slip(self, text):
        """One slip of the kind a phone keyboard makes: a homophone, a dropped, doubled or
        swapped character."""
        cjk = [i for i, c in enumerate(text) if c in self.pinyin]
        if not cjk:
            return None
        i = self.rng.choice(cjk)
        kind = self.rng.choices(["homophone", "drop", "double", "swap"], [5, 2, 1.5, 1.5])[0]
        if kind == "homophone":
            same = [c for c in self.homophones[self.pinyin[text[i]]] if c != text[i]]
            c = self.rng.choice(same) if same else self.rng.choice(self.pool)
            return text[:i] + c + text[i + 1:]
        if kind == "drop":
            return text[:i] + text[i + 1:] if len(text) > 3 else None
        if kind == "double":
            return text[:i + 1] + text[i] + text[i + 1:]
        if i + 1 < len(text):
            return text[:i] + text[i + 1] + text[i] + text[i + 2:]
        return None

    def address_case(self, kind):
        transforms = {
            "standard": lambda p: p,
            "width": self.width,
            "numerals": self.numerals,
            "spacing": self.spacing,
            "building_word": self.building_word,
            "committee": self.committee,
            "township_word": self.township_word,
            "prefix": self.prefix,
            "no_admin": self.no_admin,
            "traditional": self.traditional,
            "order": self.order,
            "typo": self.typo,
        }
        want = {
            "building_word": lambda a: a.has("building"),
            "committee": lambda a: a.row["village"].endswith(("村", "社区")),
            "township_word": lambda a: a.row["township"].endswith(("地区", "满族乡", "街道")),
        }.get(kind)
        for _ in range(1000):
            a = self.pick(want=want)
            if kind == "mixed":
                chosen = self.rng.sample(["width", "numerals", "spacing", "building_word", "committee",
                                          "township_word", "prefix", "traditional", "order"], self.rng.choice([2, 3]))
                parts = a.parts
                for name in chosen:
                    parts = transforms[name](parts) or parts
            else:
                parts = transforms[kind](a.parts)
            if parts is None:
                continue
            query = join(parts)
            r = a.row
            return query, r["level"], r["address"], "", r["grid_code"], r["township"], r["village"]
        raise RuntimeError(f"no case for {kind}")

    def village_case(self):
        v = self.rng.choice(self.villages)
        name, town = v["name"], v["township"]
        style = self.rng.randrange(6)
        if style == 0 and name in self.unique_village:
            query = name
        elif style == 1:
            query = town + name
        elif style == 2 and name.endswith("村"):
            query = town + name + "村委会"
        elif style == 3 and name.endswith("社区"):
            query = "怀柔区" + town + name + "居委会"
        else:
            query = "北京市怀柔区" + town + name
        return query, "village", "北京市怀柔区" + town + name, "", v["code"], town, name

    def poi_case(self):
        # A POI named as a place of the gazetteer (a compound, a road; a village's 村委会, which
        # is the village) is a query for that place, not for the POI; those are not POI tests.
        p = self.rng.choice(self.pois_by_name)
        name = p["name"]
        style = self.rng.randrange(5)
        if style == 0:
            query = "北京市怀柔区" + name
        elif style == 1:
            query = p["township"] + name
        elif style == 2:
            query = name.replace("（", "(").replace("）", ")")
        elif style == 3:
            query = name.replace("（", "").replace("）", "")
        else:
            query = name
        return query, "poi", p["address"], name, p["grid_code"], p["township"], ""

    def cases(self, per_kind):
        out = []
        for kind in KINDS:
            for _ in range(per_kind):
                if kind == "village_only":
                    case = self.village_case()
                elif kind == "poi":
                    case = self.poi_case()
                else:
                    case = self.address_case(kind)
                out.append((kind, *case))
        return out


def load(bin_path, data):
    with tempfile.TemporaryDirectory() as tmp:
        rows = export(bin_path, data, "addresses", tmp)
        grids = export(bin_path, data, "grids", tmp)
        townships = {g["code"]: g["name"] for g in export(bin_path, data, "townships", tmp)}
        layers = subprocess.run([bin_path, "--data", data, "layers", "--category", "兴趣点", "--json"],
                                check=True, capture_output=True, text=True).stdout
        import json
        pois = []
        for layer in json.loads(layers):
            pois.extend(export(bin_path, data, layer["id"], tmp))
    villages = [
        {"code": g["code"], "name": g["name"], "township": townships[g["township_code"]]}
        for g in grids
        if g["level"] == "1" and g["kind"] in ("village", "community")
    ]
    return rows, villages, pois


COLUMNS = ["id", "kind", "query", "truth_level", "truth_address", "truth_name", "truth_grid", "truth_township",
           "truth_village"]


def write_cases(path, cases):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for i, c in enumerate(cases):
            w.writerow([f"e{i:05d}", *c])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--per-kind", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2026)
    a = ap.parse_args()
    rows, villages, pois = load(a.bin, a.data)
    cases = Maker(rows, villages, pois, a.seed).cases(a.per_kind)
    write_cases(a.out, cases)
    print(f"make_eval: {len(cases)} cases, {a.per_kind} per kind, seed {a.seed} → {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
