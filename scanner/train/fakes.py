"""Value generators for the synthetic PII corpus (see ``scanner.train.generator``).

Every function takes an explicit ``random.Random`` and never touches global random state. Faker is only
used through module-level instances that are re-seeded from the caller's ``rng`` right before each call
(``_fk``), so output depends only on the caller's rng, whatever order generators are interleaved in.

Checksums are real where the format has one: cards pass Luhn, IBANs pass ISO 7064 mod-97, ABA routing
numbers pass their 3-7-1 check, SSNs use valid area/group/serial ranges, NHS numbers pass mod-11,
Spanish DNI letters, Canadian SINs (Luhn) and Brazilian CPF check digits are computed.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import random
import re
import string
import unicodedata

import phonenumbers
from faker import Faker

Rng = random.Random

# --------------------------------------------------------------------------------------------------
# Faker access
# --------------------------------------------------------------------------------------------------

_FAKERS: dict[str, Faker] = {}


def _fk(locale: str, rng: Rng) -> Faker:
    f = _FAKERS.get(locale)
    if f is None:
        f = _FAKERS[locale] = Faker(locale)
    f.seed_instance(rng.getrandbits(32))
    return f


def ascii_fold(s: str) -> str:
    s = s.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L")
    s = s.replace("æ", "ae").replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", ascii_fold(s).lower())


# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------

def _names(locale: str) -> tuple[list[str], list[str]]:
    p = importlib.import_module(f"faker.providers.person.{locale}").Provider
    if locale in ("ja_JP", "zh_CN"):
        return list(p.first_romanized_names), list(p.last_romanized_names)
    first = list(getattr(p, "first_names_male", ())) + list(getattr(p, "first_names_female", ()))
    if not first:
        first = list(p.first_names)
    return first, list(p.last_names)


_FAKER_NAME_LOCALES = {
    "en_US": 20, "en_GB": 8, "de_DE": 5, "fr_FR": 5, "es_ES": 4, "it_IT": 4, "nl_NL": 3, "pt_BR": 4,
    "pl_PL": 3, "sv_SE": 2, "ja_JP": 3, "zh_CN": 4, "en_IN": 5, "tr_TR": 2, "vi_VN": 2, "es_MX": 3,
    "da_DK": 1, "fi_FI": 1, "cs_CZ": 1, "ro_RO": 1, "id_ID": 1, "en_IE": 1, "no_NO": 1,
}
NAME_POOLS: dict[str, tuple[list[str], list[str]]] = {loc: _names(loc) for loc in _FAKER_NAME_LOCALES}
NAME_POOLS["ar"] = (
    "Mohammed Ahmed Omar Yusuf Khalid Hassan Ali Tariq Karim Samir Rami Ziad Bilal Hamza Fatima Aisha Layla "
    "Nour Mariam Yasmin Huda Salma Rania Dina Leila Amira Zainab Hiba Rana".split(),
    "Al-Farsi Haddad Khalil Nasser Mansour Saleh El-Amin Barakat Aziz Rahman Hamdan Qureshi Abdullah "
    "Al-Sayed Darwish Farouk Haddadin Jaber Karam Mahmoud Najjar Said Suleiman Tahan Zaki".split(),
)
NAME_POOLS["africa"] = (
    "Chinedu Ngozi Chidi Amara Kwame Ama Kofi Abena Thandiwe Sipho Oluwaseun Folake Tendai Wanjiru Kamau "
    "Abebe Tigist Emeka Adaeze Yaw Nkechi Babajide Zanele Musa".split(),
    "Okafor Adeyemi Nkosi Mensah Abebe Kamau Okonkwo Eze Boateng Asante Dlamini Mwangi Otieno Balogun "
    "Osei Ndlovu Onyango Achebe Bekele Diallo Traore Keita Ogunleye".split(),
)
NAME_POOLS["ko"] = (
    "Min-jun Seo-yeon Ji-ho Ha-eun Do-yun Ji-woo Hyun-woo Soo-ah Jae-won Yuna Eun-ji Sung-min".split(),
    "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin".split(),
)
_JA = importlib.import_module("faker.providers.person.ja_JP").Provider
FAKER_JOBS = importlib.import_module("faker.providers.job.en_US").Provider.jobs  # 639 occupations
_ZH = importlib.import_module("faker.providers.person.zh_CN").Provider
NATIVE_SCRIPT = {
    "ja_JP": (list(_JA.first_names), list(_JA.last_names)),
    "zh_CN": (list(_ZH.first_names), list(_ZH.last_names)[:120]),
}
NAME_LOCALES = list(_FAKER_NAME_LOCALES) + ["ar", "africa", "ko"]
NAME_WEIGHTS = list(_FAKER_NAME_LOCALES.values()) + [4, 3, 2]

# Given names / surnames that are also ordinary English words: the model must learn them from context.
COMMON_WORD_FIRST = (
    "Rose Grant Hunter Bill Will May Frank Mark Joy Hope Summer Faith Dawn Iris Jack Art Chase Sky Ray Pat "
    "Sandy Amber Crystal Ruby Daisy Holly Ivy Grace Rich Drew Gene Sunny Autumn June April Penny Brook".split()
)
COMMON_WORD_LAST = (
    "Young Brown Black King Page White Green Baker Cook Miller Hunter Grant Rose Bishop Short Long Little "
    "Street Church Hill Wood Field Bell Fox Price Love Bird Banks Cash Sharp Strong Gold Stone Winter "
    "Day May Frost Lake Marsh Mason Parker Turner Walker Hope Glass Booth Swift Rich Cross Wise".split()
)

TITLES_M = ["Mr.", "Mr", "Dr.", "Dr", "Prof.", "Sir"]
TITLES_F = ["Ms.", "Mrs.", "Ms", "Miss", "Dr.", "Dr", "Prof."]
TITLES_ANY = ["Dr.", "Mx.", "Prof.", "Herr", "Frau", "Mme", "M.", "Sra.", "Sr.", "Dott."]


class Persona:
    """One fictional person; attributes are generated lazily and cached so a document stays consistent."""

    def __init__(self, rng: Rng):
        self.rng = rng
        self.locale = rng.choices(NAME_LOCALES, NAME_WEIGHTS)[0]
        firsts, lasts = NAME_POOLS[self.locale]
        self.native = self.locale in NATIVE_SCRIPT and rng.random() < 0.2
        if self.native:
            firsts, lasts = NATIVE_SCRIPT[self.locale]
        self.first = rng.choice(firsts)
        self.last = rng.choice(lasts)
        if not self.native:
            if rng.random() < 0.1:
                self.first = rng.choice(COMMON_WORD_FIRST)
            if rng.random() < 0.1:
                self.last = rng.choice(COMMON_WORD_LAST)
        self.female = rng.random() < 0.5
        self.middle = rng.choice(string.ascii_uppercase) if rng.random() < 0.12 else ""
        self._cache: dict[str, object] = {}

    def _c(self, key, fn):
        v = self._cache.get(key)
        if v is None:
            v = self._cache[key] = fn()
        return v

    @property
    def full(self) -> str:
        if self.native:
            return self.last + self.first if self.locale == "zh_CN" else f"{self.last} {self.first}"
        return f"{self.first} {self.middle + '. ' if self.middle else ''}{self.last}"

    @property
    def title(self) -> str:
        return self._c("title", lambda: self.rng.choice(TITLES_F if self.female else TITLES_M))

    @property
    def ascii_first(self) -> str:
        return slug(self.first) or self._c("rf", lambda: slug(self.rng.choice(NAME_POOLS["zh_CN"][0])))

    @property
    def ascii_last(self) -> str:
        return slug(self.last) or self._c("rl", lambda: slug(self.rng.choice(NAME_POOLS["zh_CN"][1])))

    @property
    def username(self) -> str:
        def mk():
            r = self.rng
            f, l = self.ascii_first, self.ascii_last
            return r.choice([
                f"{f[0]}{l}{r.randint(1, 99)}", f"{f}_{l[0]}", f"{f}.{l}", f"{f}{r.randint(70, 2005)}",
                f"{l}{f[0]}", f"{f}-{l}", f"{f[:3]}{l[:3]}", f"{f}{l}", f"the_{f}", f"{f}_{l}{r.randint(1, 9)}",
                f"{l}.{f[0]}", f"{f[0]}{l}",
            ])
        return self._c("user", mk)

    def email(self, domain: str | None = None) -> str:
        r = self.rng
        f, l = self.ascii_first, self.ascii_last
        local = r.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}{l[0]}", f"{f}_{l}", f"{f}{r.randint(1, 999)}",
                          f"{l}.{f}", f"{f}.{l}{r.randint(1, 99)}", f"{f}", self.username.replace("-", ".")])
        if domain is None:
            domain = r.choice(FREEMAIL)
        return f"{local}@{domain}"

    @property
    def dob(self) -> dt.date:
        return self._c("dob", lambda: rand_date(self.rng, 1938, 2006))

    @property
    def age(self) -> int:
        return self._c("age", lambda: max(1, 2024 - self.dob.year - self.rng.randint(0, 1)))


FREEMAIL = ["gmail.com"] * 6 + ["yahoo.com", "outlook.com", "hotmail.com", "proton.me", "icloud.com", "gmx.de",
                                "web.de", "orange.fr", "libero.it", "wp.pl", "yahoo.co.uk", "hotmail.fr",
                                "aol.com", "mail.com", "btinternet.com", "t-online.de", "uol.com.br", "qq.com"]


# --------------------------------------------------------------------------------------------------
# Organizations and places
# --------------------------------------------------------------------------------------------------

ORG_PREFIX = (
    "Northwind Bluefin Acme Silverline Redwood Pinecrest Harborview Summit Vertex Crescent Ironbridge Brightwater "
    "Oakridge Stonegate Clearpath Evergreen Cedarline Granite Lumen Nimbus Orion Polaris Quantix Sterling Trident "
    "Keystone Meridian Atlas Falcon Copperleaf Riverbend Westbrook Eastgate Highland Maplewood Beacon Cobalt Helix "
    "Juniper Kestrel Lakeshore Mosaic Novalink Paragon Sapphire Tidewater Willowbrook Zenith Aurora Bayside "
    "Driftwood".split()
    + ["Blue Harbor", "Red Oak", "Silver Lake", "Green Valley", "North Star", "Bright Path", "Open Field",
       "Clear Sky", "Twin Rivers", "Stone Bridge", "Iron Peak", "Golden Gate"]
)
ORG_INDUSTRY = (
    "Logistics|Analytics|Health Partners|Capital|Software|Labs|Systems|Foods|Pharmaceuticals|Insurance|Bank|Energy|"
    "Robotics|Consulting|Legal|Realty|Media|Dynamics|Medical Group|Biotech|Solutions|Technologies|Holdings|"
    "Ventures|Manufacturing|Freight|Telecom|Security|Data|Retail|Motors|Engineering|Construction|Financial|"
    "Credit Union|Dental Care|Pediatrics|Architects|Hotels|Airlines|Outfitters|Brewing Co.|Payments|Cloud|"
    "Networks|Diagnostics|Therapeutics|Asset Management|Advisors|Partners|Group|Studios|Textiles|Logistik|Bau"
).split("|")
ORG_SUFFIX = ["", "", "", "Inc.", "LLC", "Ltd", "Ltd.", "GmbH", "AG", "S.A.", "SAS", "B.V.", "S.p.A.", "AB",
              "Sp. z o.o.", "K.K.", "Pvt. Ltd.", "PLC", "Corp.", "Co.", "N.V.", "S.L.", "Oy", "A/S"]
REAL_ORGS = [
    "Apple", "Microsoft", "Google", "Amazon", "Siemens", "Toyota", "Federal Reserve", "European Central Bank",
    "World Health Organization", "United Nations", "Deutsche Bank", "HSBC", "Nestlé", "Unilever", "Pfizer",
    "Reuters", "Bank of England", "NASA", "UNICEF", "International Monetary Fund", "Samsung",
    "Tata Consultancy Services", "Infosys", "Airbus", "Volkswagen", "Red Cross", "Mayo Clinic", "Oxfam",
    "Securities and Exchange Commission", "Food and Drug Administration", "NHS England", "Barclays", "IKEA",
    "Spotify", "Salesforce", "Oracle", "Accenture", "KPMG", "Deloitte", "BBC", "Le Monde", "Bundesbank",
]


# Fund and listed-security names: a family name or brand, an asset class and a vehicle ("Kayne
# Anderson Energy Total Return Fund Inc.", "Harbor Dividend Growth UCITS ETF"). One organisation, even
# though it starts with a surname or a place.
_FUND_ASSETS = ["Energy", "Emerging Markets", "Global Equity", "Municipal Income", "Total Return", "High Yield",
                "Real Estate Income", "Preferred Income", "Dividend Growth", "Small Cap Value", "Infrastructure",
                "Short Duration Bond", "Gold Miners", "Clean Energy", "Senior Loan", "Japan Equity"]
_FUND_VEHICLES = ["Fund", "Fund Inc.", "Trust", "Opportunities Fund", "ETF", "UCITS ETF", "Fund III",
                  "Income Fund", "Index Fund", "Trust plc", "Fund LP"]


def _fund_name(rng: Rng) -> str:
    lead = rng.choice([rng.choice(ORG_PREFIX), rng.choice(NAME_POOLS["en_US"][1]),
                       f"{rng.choice(NAME_POOLS['en_US'][1])} {rng.choice(NAME_POOLS['en_GB'][1])}"])
    return f"{lead} {rng.choice(_FUND_ASSETS)} {rng.choice(_FUND_VEHICLES)}"


def _place_org(rng: Rng) -> str:
    """A company named after its city, region or country ("Tokyo Plast International Ltd", "Fujian
    Blue Hat Technology Co., Ltd."): the place is part of the organisation's name, not a LOCATION."""
    place = rng.choice([rng.choice(CITIES), rng.choice(CITIES), rng.choice(COUNTRIES), rng.choice(REGIONS)])
    place = place.removeprefix("the ")
    mid = rng.choice(["", "", rng.choice(ORG_PREFIX) + " ", "International ", "United ", "General "])
    suf = rng.choice(ORG_SUFFIX + ["Co., Ltd.", "Co.,Ltd.", "Corporation", "Limited", "Holdings Inc.", "Group plc"])
    return f"{place} {mid}{rng.choice(ORG_INDUSTRY)} {suf}".strip()


def org_name(rng: Rng, last: str | None = None) -> str:
    r = rng.random()
    if r < 0.07:
        return _place_org(rng)
    if r < 0.11:
        return _fund_name(rng)
    r = rng.random()
    if r < 0.45:
        base = f"{rng.choice(ORG_PREFIX)} {rng.choice(ORG_INDUSTRY)}"
    elif r < 0.58:
        base = rng.choice(ORG_PREFIX)
    elif r < 0.72:
        base = f"{last or rng.choice(NAME_POOLS['en_US'][1])} {rng.choice(ORG_INDUSTRY)}"
    elif r < 0.80:
        a, b = rng.choice(NAME_POOLS["en_GB"][1]), rng.choice(NAME_POOLS["de_DE"][1])
        base = f"{a} & {b}" + rng.choice([" LLP", " Rechtsanwälte", " Partners", "", " Associates"])
        return base
    elif r < 0.90:
        c = rng.choice(CITIES)
        base = rng.choice([f"{c} General Hospital", f"University of {c}", f"{c} Community College",
                           f"St. {rng.choice(['Mary', 'Luke', 'Joseph', 'Anne', 'Vincent'])}'s Hospital",
                           f"{c} Medical Center", f"{c} City Council", f"{c} Savings Bank"])
        return base
    else:
        return rng.choice(REAL_ORGS)
    suf = rng.choice(ORG_SUFFIX)
    return f"{base} {suf}".strip()


def org_domain(org: str, rng: Rng) -> str:
    words = [w for w in re.split(r"[\s&]+", org) if w and w.lower().strip(".") not in
             {"inc", "llc", "ltd", "gmbh", "ag", "s.a", "sas", "b.v", "s.p.a", "ab", "sp", "z", "o.o", "k.k",
              "pvt", "plc", "corp", "co", "n.v", "s.l", "oy", "a/s", "of", "the", "st"}]
    base = slug("".join(words[:2])) or "example"
    return base + rng.choice([".com", ".com", ".com", ".io", ".de", ".co.uk", ".fr", ".net", ".org", ".nl"])


CITIES = (
    "London|Manchester|Leeds|Glasgow|Dublin|Berlin|Munich|Hamburg|Cologne|Frankfurt|Paris|Lyon|Marseille|Madrid|"
    "Barcelona|Valencia|Rome|Milan|Naples|Turin|Amsterdam|Rotterdam|Utrecht|Brussels|Antwerp|Lisbon|Porto|Warsaw|"
    "Krakow|Stockholm|Gothenburg|Oslo|Copenhagen|Helsinki|Vienna|Zurich|Geneva|Prague|Budapest|Athens|Istanbul|"
    "New York|Los Angeles|Chicago|Houston|Phoenix|Philadelphia|San Antonio|San Diego|Dallas|Austin|Seattle|"
    "Denver|Boston|Atlanta|Miami|Portland|Nashville|Detroit|Minneapolis|San Francisco|Toronto|Vancouver|Montreal|"
    "Calgary|Mexico City|Guadalajara|Bogotá|Lima|Santiago|Buenos Aires|São Paulo|Rio de Janeiro|Tokyo|Osaka|"
    "Kyoto|Seoul|Busan|Beijing|Shanghai|Shenzhen|Hong Kong|Taipei|Singapore|Kuala Lumpur|Jakarta|Manila|Bangkok|"
    "Hanoi|Mumbai|Delhi|Bengaluru|Chennai|Hyderabad|Karachi|Dubai|Abu Dhabi|Riyadh|Doha|Cairo|Lagos|Nairobi|"
    "Accra|Johannesburg|Cape Town|Casablanca|Sydney|Melbourne|Brisbane|Auckland|Wellington|Reading|Bath|Nice|"
    "Springfield|Cambridge|Oxford|Bristol|Cardiff|Edinburgh|Belfast|Leipzig|Dresden|Bologna|Seville|Bilbao"
).split("|")
COUNTRIES = (
    "United States|USA|United Kingdom|UK|Germany|France|Spain|Italy|Netherlands|Belgium|Portugal|Poland|Sweden|"
    "Norway|Denmark|Finland|Austria|Switzerland|Ireland|Czech Republic|Greece|Turkey|Canada|Mexico|Brazil|"
    "Argentina|Colombia|Chile|Japan|South Korea|China|Taiwan|Singapore|Malaysia|Indonesia|Philippines|Vietnam|"
    "India|Pakistan|UAE|Saudi Arabia|Qatar|Egypt|Nigeria|Kenya|Ghana|South Africa|Morocco|Australia|New Zealand"
).split("|")
REGIONS = (
    "California|Texas|New York State|Florida|Ontario|Quebec|Bavaria|Catalonia|Lombardy|Scotland|Wales|"
    "Northern Ireland|Île-de-France|Andalusia|Queensland|British Columbia|Massachusetts|Ohio|Georgia|Tuscany|"
    "Silicon Valley|the Midwest|the Bay Area|New England|Yorkshire|Cornwall|Saxony|Brittany"
).split("|")


def location(rng: Rng) -> str:
    r = rng.random()
    if r < 0.6:
        return rng.choice(CITIES)
    if r < 0.88:
        return rng.choice(COUNTRIES)
    loc = rng.choice(REGIONS)
    return loc[4:] if loc.startswith("the ") else loc


_ADDR_LOCALES = ["en_US"] * 8 + ["en_GB"] * 4 + ["de_DE"] * 3 + ["fr_FR"] * 2 + [
    "es_ES", "it_IT", "nl_NL", "pt_BR", "pl_PL", "sv_SE", "en_IE", "de_CH", "de_AT", "da_DK", "fi_FI",
    "cs_CZ", "en_NZ", "en_IN", "no_NO", "el_GR", "el_GR", "ru_RU", "uk_UA"]  # Greek and Cyrillic scripts too
_ADDR_COUNTRY = {"en_US": "USA", "en_GB": "United Kingdom", "de_DE": "Germany", "fr_FR": "France",
                 "es_ES": "Spain", "it_IT": "Italy", "nl_NL": "Netherlands", "pt_BR": "Brazil", "pl_PL": "Poland",
                 "sv_SE": "Sweden", "en_IE": "Ireland", "de_CH": "Switzerland", "de_AT": "Austria",
                 "da_DK": "Denmark", "fi_FI": "Finland", "cs_CZ": "Czech Republic", "en_NZ": "New Zealand",
                 "en_IN": "India", "no_NO": "Norway", "el_GR": "Greece", "ru_RU": "Russia", "uk_UA": "Ukraine"}
_PERSONA_ADDR = {"en_US": "en_US", "en_GB": "en_GB", "de_DE": "de_DE", "fr_FR": "fr_FR", "es_ES": "es_ES",
                 "it_IT": "it_IT", "nl_NL": "nl_NL", "pt_BR": "pt_BR", "pl_PL": "pl_PL", "sv_SE": "sv_SE",
                 "en_IN": "en_IN", "en_IE": "en_IE", "da_DK": "da_DK", "fi_FI": "fi_FI", "cs_CZ": "cs_CZ",
                 "no_NO": "no_NO"}


def _clean_addr(a: str) -> str:
    a = re.sub(r"[ \t]+\n", "\n", a)
    a = re.sub(r"\n[ \t]+", "\n", a)
    return re.sub(r"[ \t]{2,}", " ", a).strip()


def address(rng: Rng, persona_locale: str | None = None, style: str | None = None) -> str:
    """A postal address. style: 'multi' (newlines), 'line' (comma-joined), 'street' (street line only)."""
    loc = _PERSONA_ADDR.get(persona_locale or "") if rng.random() < 0.7 else None
    loc = loc or rng.choice(_ADDR_LOCALES)
    f = _fk(loc, rng)
    style = style or rng.choices(["multi", "line", "street"], [3, 5, 2])[0]
    if style == "street":
        return _clean_addr(f.street_address())
    a = _clean_addr(f.address())
    if rng.random() < 0.06:  # a post-office box in place of the street line
        box = rng.choice(["P.O. Box", "PO Box", "P.O.Box", "Postfach", "BP", "Apartado", "Box", "Postbox"])
        a = "\n".join([f"{box} {rng.randint(1, 9999)}", *a.split("\n")[1:]])
    if rng.random() < 0.3:
        a += "\n" + _ADDR_COUNTRY[loc]
    if style == "line":
        a = re.sub(r",?\n", ", ", a)
    return a


# --------------------------------------------------------------------------------------------------
# Dates and ages
# --------------------------------------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def rand_date(rng: Rng, y0: int, y1: int) -> dt.date:
    return dt.date(rng.randint(y0, y1), rng.randint(1, 12), rng.randint(1, 28))


def _ord(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def fmt_date(d: dt.date, rng: Rng, style: int | None = None) -> str:
    m, mon = MONTHS[d.month - 1], MONTHS[d.month - 1][:3]
    fmts = [
        lambda: f"{d.month:02d}/{d.day:02d}/{d.year}", lambda: f"{d.day:02d}.{d.month:02d}.{d.year}",
        lambda: f"{d.day:02d}/{d.month:02d}/{d.year}", lambda: f"{m} {d.day}, {d.year}",
        lambda: f"{d.day} {m} {d.year}", lambda: d.isoformat(), lambda: f"{mon} {d.day}, {d.year}",
        lambda: f"{d.day:02d}-{mon}-{d.year}", lambda: f"{d.month}/{d.day}/{d.year % 100:02d}",
        lambda: f"{_ord(d.day)} of {m} {d.year}", lambda: f"{m} {_ord(d.day)}, {d.year}",
        lambda: f"{d.year}/{d.month:02d}/{d.day:02d}", lambda: f"{d.strftime('%A')}, {m} {d.day}, {d.year}",
        lambda: f"{d.day}.{d.month}.{d.year}", lambda: f"{d.day} {mon} {d.year}", lambda: f"{d.day}-{d.month:02d}-{d.year}",
        lambda: f"{d.month}/{d.day}/{d.year}",
    ]
    if style is None:
        style = rng.choices(range(len(fmts)), [8, 5, 5, 8, 5, 7, 4, 2, 2, 1, 2, 1, 1, 2, 2, 1, 3])[0]
    return fmts[style]()


def short_date(d: dt.date, rng: Rng) -> str:
    """A date without year ("March 14", "14 Mar"), still a DATE."""
    m = MONTHS[d.month - 1]
    return rng.choice([f"{m} {d.day}", f"{d.day} {m}", f"{m[:3]} {d.day}", f"{m} {_ord(d.day)}"])


# --------------------------------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------------------------------

_PN_REGIONS = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "BR", "PL", "SE", "JP", "CN", "IN", "AE", "SA", "NG",
               "KE", "ZA", "MX", "CA", "AU", "IE", "CH", "AT", "BE", "PT", "DK", "NO", "FI", "TR", "SG", "KR"]
_PN_EXAMPLES = []
for _reg in _PN_REGIONS:
    for _t in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
        _ex = phonenumbers.example_number_for_type(_reg, _t)
        if _ex is not None:
            _PN_EXAMPLES.append(_ex)
_PHONE_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "pl_PL", "sv_SE",
                  "en_IN", "de_CH", "da_DK", "en_NZ", "en_IE", "ja_JP"]


def phone(rng: Rng) -> str:
    r = rng.random()
    if r < 0.3:
        a, b, c = rng.randint(201, 989), rng.choice([555, rng.randint(200, 999)]), rng.randint(0, 9999)
        return rng.choice([f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}", f"+1 {a} {b} {c:04d}",
                           f"+1 ({a}) {b}-{c:04d}", f"1-{a}-{b}-{c:04d}", f"{a} {b} {c:04d}", f"+1-{a}-{b}-{c:04d}"])
    if r < 0.7:
        ex = rng.choice(_PN_EXAMPLES)
        nn = str(ex.national_number)
        keep = max(2, len(nn) - rng.randint(3, 6))
        nn = nn[:keep] + "".join(rng.choice(string.digits) for _ in range(len(nn) - keep))
        num = phonenumbers.PhoneNumber(country_code=ex.country_code, national_number=int(nn))
        fmt = rng.choice([phonenumbers.PhoneNumberFormat.INTERNATIONAL] * 3 + [phonenumbers.PhoneNumberFormat.NATIONAL] * 2
                         + [phonenumbers.PhoneNumberFormat.E164])
        s = phonenumbers.format_number(num, fmt)
        if ex.italian_leading_zero and fmt == phonenumbers.PhoneNumberFormat.NATIONAL and not s.startswith("0"):
            s = "0" + s
        return s
    s = _fk(rng.choice(_PHONE_LOCALES), rng).phone_number()
    return s.strip()


# --------------------------------------------------------------------------------------------------
# Payment data
# --------------------------------------------------------------------------------------------------

def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _luhn_complete(prefix: str, length: int, rng: Rng) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for c in string.digits:
        if luhn_ok(body + c):
            return body + c
    raise AssertionError


CARD_BRANDS = {  # brand: (prefixes, lengths)
    "Visa": (["4"], [16, 16, 16, 13, 19]),
    "Mastercard": ([str(p) for p in range(51, 56)] + ["2221", "2500", "2720"], [16]),
    "American Express": (["34", "37"], [15]),
    "Discover": (["6011", "65", "644", "649"], [16]),
    "JCB": (["3528", "3530", "3566", "3589"], [16, 19]),
    "Diners Club": (["300", "305", "36", "38"], [14]),
    "UnionPay": (["62"], [16, 17, 18, 19]),
    "Maestro": (["5018", "5020", "5038", "6304", "6759", "6761"], [12, 13, 16, 19]),
}
CARD_BRAND_WEIGHTS = [10, 8, 4, 2, 2, 1, 2, 2]


def card(rng: Rng, brand: str | None = None) -> tuple[str, str]:
    """(brand, formatted number)."""
    brand = brand or rng.choices(list(CARD_BRANDS), CARD_BRAND_WEIGHTS)[0]
    prefixes, lengths = CARD_BRANDS[brand]
    n = rng.choice(lengths)
    num = _luhn_complete(rng.choice(prefixes), n, rng)
    sep = rng.choices([" ", "-", ""], [5, 2, 3])[0]
    if n == 15:
        groups = [num[:4], num[4:10], num[10:]]
    elif n == 14:
        groups = [num[:4], num[4:10], num[10:]]
    else:
        groups = [num[i:i + 4] for i in range(0, n, 4)]
    return brand, sep.join(groups) if sep else num


IBAN_SPECS = {
    "DE": "8n10n", "GB": "4a6n8n", "FR": "5n5n11c2n", "ES": "4n4n1n1n10n", "IT": "1a5n5n12c", "NL": "4a10n",
    "BE": "3n7n2n", "CH": "5n12c", "AT": "5n11n", "PL": "8n16n", "SE": "3n16n1n", "PT": "4n4n11n2n",
    "IE": "4a6n8n", "DK": "4n9n1n", "FI": "3n11n", "NO": "4n6n1n", "LU": "3n13c", "BR": "8n5n10n1a1c",
    "TR": "5n1n16c", "SA": "2n18c", "AE": "3n16n", "CZ": "4n6n10n", "RO": "4a16c", "GR": "3n4n16c",
}
_IBAN_W = {"DE": 6, "GB": 5, "FR": 5, "ES": 4, "IT": 4, "NL": 4}
_ALPHA = string.ascii_uppercase
_ALNUM = string.ascii_uppercase + string.digits


def iban_ok(s: str) -> bool:
    s = s.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", s):
        return False
    r = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in r)) % 97 == 1


def iban(rng: Rng, country: str | None = None, grouped: bool | None = None) -> str:
    cc = country or rng.choices(list(IBAN_SPECS), [_IBAN_W.get(c, 1) for c in IBAN_SPECS])[0]
    bban = []
    for n, kind in re.findall(r"(\d+)([nac])", IBAN_SPECS[cc]):
        pool = string.digits if kind == "n" else _ALPHA if kind == "a" else _ALNUM
        bban.extend(rng.choice(pool) for _ in range(int(n)))
    b = "".join(bban)
    num = int("".join(str(int(c, 36)) for c in b + cc + "00"))
    s = f"{cc}{98 - num % 97:02d}{b}"
    if grouped is None:
        grouped = rng.random() < 0.55
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4)) if grouped else s


def routing_number(rng: Rng) -> str:
    first = rng.choice([f"{i:02d}" for i in list(range(1, 13)) + list(range(21, 33))])
    while True:
        d = first + "".join(rng.choice(string.digits) for _ in range(6))
        w = [3, 7, 1, 3, 7, 1, 3, 7]
        s = sum(int(c) * k for c, k in zip(d, w))
        return d + str((10 - s % 10) % 10)


def account_number(rng: Rng) -> str:
    return "".join(rng.choice(string.digits) for _ in range(rng.randint(8, 12)))


def sort_code(rng: Rng) -> str:
    return f"{rng.randint(10, 99)}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"


# --------------------------------------------------------------------------------------------------
# Government / institutional IDs
# --------------------------------------------------------------------------------------------------

def _digits(rng: Rng, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def ssn(rng: Rng) -> str:
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    g, s = rng.randint(1, 99), rng.randint(1, 9999)
    return rng.choices([f"{area:03d}-{g:02d}-{s:04d}", f"{area:03d}{g:02d}{s:04d}", f"{area:03d} {g:02d} {s:04d}"],
                       [8, 1, 1])[0]


def uk_nino(rng: Rng) -> str:
    bad = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
    first = "ABCEGHJKLMNOPRSTWXYZ"
    second = "ABCEGHJKLMNPRSTWXYZ"
    while True:
        p = rng.choice(first) + rng.choice(second)
        if p not in bad:
            break
    d = _digits(rng, 6)
    suf = rng.choice("ABCD")
    return rng.choice([f"{p} {d[:2]} {d[2:4]} {d[4:]} {suf}", f"{p}{d}{suf}"])


def nhs_number(rng: Rng) -> str:
    while True:
        d = _digits(rng, 9)
        c = 11 - sum(int(x) * w for x, w in zip(d, range(10, 1, -1))) % 11
        if c == 10:
            continue
        c = 0 if c == 11 else c
        s = d + str(c)
        return rng.choice([f"{s[:3]} {s[3:6]} {s[6:]}", s, f"{s[:3]}-{s[3:6]}-{s[6:]}"])


def passport(rng: Rng) -> str:
    return rng.choice([
        _digits(rng, 9), rng.choice("ACEKLMNPX") + _digits(rng, 8),
        rng.choice("CFGHJK") + "".join(rng.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(8)),
        _digits(rng, 2) + rng.choice(_ALPHA) + rng.choice(_ALPHA) + _digits(rng, 5),
        rng.choice(_ALPHA) + _digits(rng, 7), "X" + _digits(rng, 8),
    ])


def driver_licence(rng: Rng) -> str:
    L = rng.choice(_ALPHA)
    return rng.choice([
        L + _digits(rng, 7), f"{L}{_digits(rng, 3)}-{_digits(rng, 4)}-{_digits(rng, 4)}",
        f"{L}{_digits(rng, 3)}-{_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 3)}-{_digits(rng, 1)}",
        _digits(rng, 9), "".join(rng.choice(_ALPHA) for _ in range(5)) + _digits(rng, 6) + rng.choice(_ALPHA) * 2
        + _digits(rng, 1) + "".join(rng.choice(_ALPHA) for _ in range(2)),
        f"{_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 3)}",
    ])


def dni(rng: Rng) -> str:
    n = rng.randint(10_000_000, 99_999_999)
    return f"{n}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}"


def cpf(rng: Rng) -> str:
    d = [rng.randint(0, 9) for _ in range(9)]
    for k in (10, 11):
        s = sum(x * w for x, w in zip(d, range(k, 1, -1)))
        d.append(0 if s % 11 < 2 else 11 - s % 11)
    s = "".join(map(str, d))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def sin_ca(rng: Rng) -> str:
    s = _luhn_complete(str(rng.choice([1, 2, 3, 4, 5, 6, 7, 9])), 9, rng)
    return f"{s[:3]} {s[3:6]} {s[6:]}"


def tax_id(rng: Rng) -> str:
    return rng.choice([
        f"9{_digits(rng, 2)}-{rng.choice(['70', '75', '78', '80', '88', '90'])}-{_digits(rng, 4)}",  # ITIN
        _digits(rng, 11),  # DE Steuer-ID
        "".join(rng.choice(_ALPHA) for _ in range(5)) + _digits(rng, 4) + rng.choice(_ALPHA),  # IN PAN
        dni(rng), cpf(rng), sin_ca(rng),
        "".join(rng.choice(_ALPHA) for _ in range(6)) + _digits(rng, 2) + rng.choice(_ALPHA) + _digits(rng, 2)
        + rng.choice(_ALPHA) + _digits(rng, 3) + rng.choice(_ALPHA),  # IT codice fiscale
        f"{_digits(rng, 6)}-{_digits(rng, 4)}",  # SE personnummer
        _digits(rng, 13),  # FR numero fiscal
    ])


def mrn(rng: Rng) -> str:
    return rng.choice([_digits(rng, 8), _digits(rng, 7), f"{_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 3)}",
                       "MR" + _digits(rng, 7), _digits(rng, 10)])


def national_id(rng: Rng) -> tuple[str, str]:
    """(kind label text, value)."""
    k = rng.choices(["ssn", "passport", "dl", "nino", "nhs", "tax", "aadhaar", "dni", "cpf", "sin", "member"],
                    [10, 4, 4, 3, 2, 3, 2, 1, 1, 1, 2])[0]
    return {
        "ssn": lambda: (rng.choice(["SSN", "Social Security Number", "SSN #", "social security no."]), ssn(rng)),
        "passport": lambda: (rng.choice(["passport number", "Passport No.", "passport #"]), passport(rng)),
        "dl": lambda: (rng.choice(["driver's license", "Driver License #", "driving licence number", "DL"]),
                       driver_licence(rng)),
        "nino": lambda: (rng.choice(["National Insurance number", "NI number", "NINO"]), uk_nino(rng)),
        "nhs": lambda: (rng.choice(["NHS number", "NHS No."]), nhs_number(rng)),
        "tax": lambda: (rng.choice(["tax ID", "TIN", "Tax Identification Number", "Steuer-ID"]), tax_id(rng)),
        "aadhaar": lambda: ("Aadhaar", f"{rng.randint(2, 9)}{_digits(rng, 3)} {_digits(rng, 4)} {_digits(rng, 4)}"),
        "dni": lambda: ("DNI", dni(rng)),
        "cpf": lambda: ("CPF", cpf(rng)),
        "sin": lambda: ("SIN", sin_ca(rng)),
        "member": lambda: (rng.choice(["insurance member ID", "Member ID", "policy holder ID"]),
                           "".join(rng.choice(_ALPHA) for _ in range(3)) + _digits(rng, 9)),
    }[k]()


def employee_id(rng: Rng) -> str:
    return rng.choice([f"EMP-{_digits(rng, 6)}", f"E{_digits(rng, 7)}", f"{_digits(rng, 6)}", f"HR-{_digits(rng, 5)}"])


# --------------------------------------------------------------------------------------------------
# Network, web, accounts, secrets
# --------------------------------------------------------------------------------------------------

def ipv4(rng: Rng) -> str:
    r = rng.random()
    if r < 0.25:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if r < 0.4:
        return f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if r < 0.48:
        return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng: Rng) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    r = rng.random()
    if r < 0.4:
        return ":".join(groups)
    if r < 0.8:
        k = rng.randint(2, 5)
        return ":".join(["2001", "db8"] + groups[2:k]) + "::" + ":".join(groups[-rng.randint(1, 2):])
    return rng.choice(["fe80::", "2a02:", "2600:", "2001:db8::"]) + ":".join(groups[:rng.randint(1, 3)]).lstrip(":")


def ip(rng: Rng) -> str:
    return ipv6(rng) if rng.random() < 0.25 else ipv4(rng)


def _b62(rng: Rng, n: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def _hex(rng: Rng, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def personal_url(rng: Rng, user: str, first: str, last: str, domain: str) -> str:
    return rng.choice([
        f"https://www.linkedin.com/in/{first}-{last}-{_hex(rng, 6)}", f"https://github.com/{user}",
        f"https://twitter.com/{user}", f"https://x.com/{user}", f"https://www.facebook.com/{first}.{last}",
        f"https://docs.google.com/document/d/{_b62(rng, 28)}/edit", f"https://drive.google.com/file/d/{_b62(rng, 33)}/view",
        f"https://www.dropbox.com/s/{_b62(rng, 15).lower()}/{rng.choice(['passport', 'cv', 'payslip', 'lease', 'scan'])}"
        f"_{last}.pdf?dl=0", f"https://{domain}/users/{rng.randint(1000, 999999)}", f"https://calendly.com/{first}-{last}",
        f"https://www.instagram.com/{user}/", f"https://{first}{last}.com", f"http://{domain}/~{user}",
        f"https://portal.{domain}/patients/{rng.randint(10000, 999999)}/records",
        f"https://{domain}/share/{_b62(rng, 12)}", f"www.linkedin.com/in/{first}{last}",
        f"https://medium.com/@{user}", f"https://www.youtube.com/@{user}",
    ])


def password(rng: Rng) -> str:
    r = rng.random()
    words = ["Summer", "Winter", "Welcome", "Password", "Dragon", "Monkey", "Sunshine", "Football", "Letmein",
             "Qwerty", "Princess", "Shadow", "Master", "Berlin", "Chelsea", "Autumn", "Spring", "Tiger", "Admin"]
    if r < 0.35:
        w = rng.choice(words)
        if rng.random() < 0.3:
            w = w.replace("a", "@").replace("o", "0").replace("e", "3")
        return w + str(rng.randint(1, 2025)) + rng.choice(["", "!", "#", "$", "?", "!!", "*"])
    if r < 0.7:
        pool = string.ascii_letters + string.digits + "!#$%&*+-=?@^_~"
        return "".join(rng.choice(pool) for _ in range(rng.randint(8, 20)))
    if r < 0.85:
        ws = ["correct", "horse", "battery", "staple", "purple", "river", "lamp", "orbit", "falcon", "maple",
              "cactus", "velvet", "copper", "ninja", "piano"]
        return rng.choice(["-", "_", ".", ""]).join(rng.sample(ws, rng.randint(3, 4)))
    return rng.choice(["hunter2", "changeme", "P@ssw0rd", "123456Qa!", "Tr0ub4dor&3", "s3cr3t!", "admin123",
                       "rootroot", "Passw0rd!", "letmein123", "iloveyou2"])


PEM_KINDS = ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]


def private_key_block(rng: Rng) -> str:
    kind = rng.choice(PEM_KINDS)
    body = base64.b64encode(rng.randbytes(rng.choice([90, 150, 230]))).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----"


def _b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def jwt(rng: Rng) -> str:
    head = _b64url(b'{"alg":"HS256","typ":"JWT"}' if rng.random() < 0.6 else b'{"alg":"RS256","kid":"k1"}')
    sub, iat = rng.randint(1, 10**6), rng.randint(1_600_000_000, 1_800_000_000)
    payload = _b64url(f'{{"sub":"{sub}","name":"user","iat":{iat}}}'.encode())
    return f"{head}.{payload}.{_b64url(rng.randbytes(32))}"


SECRET_KINDS = ["aws_id", "aws_secret", "github", "slack", "stripe", "jwt", "google", "hex", "sendgrid", "twilio",
                "openai", "azure", "gitlab", "npm", "bearer"]


def secret(rng: Rng, kind: str | None = None) -> tuple[str, str]:
    """(kind, value)."""
    kind = kind or rng.choice(SECRET_KINDS)
    up = string.ascii_uppercase + string.digits
    v = {
        "aws_id": lambda: rng.choice(["AKIA", "AKIA", "ASIA"]) + "".join(rng.choice(up) for _ in range(16)),
        "aws_secret": lambda: "".join(rng.choice(string.ascii_letters + string.digits + "/+") for _ in range(40)),
        "github": lambda: rng.choice(["ghp_", "gho_", "ghs_"]) + _b62(rng, 36) if rng.random() < 0.8
        else "github_pat_" + _b62(rng, 22) + "_" + _b62(rng, 59),
        "slack": lambda: f"{rng.choice(['xoxb', 'xoxp'])}-{_digits(rng, 12)}-{_digits(rng, 13)}-{_b62(rng, 24)}",
        "stripe": lambda: rng.choice(["sk_live_", "rk_live_", "sk_test_"]) + _b62(rng, rng.choice([24, 34, 99])),
        "jwt": lambda: jwt(rng),
        "google": lambda: "AIza" + "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(35)),
        "hex": lambda: _hex(rng, rng.choice([32, 40, 64])),
        "sendgrid": lambda: f"SG.{_b62(rng, 22)}.{_b62(rng, 43)}",
        "twilio": lambda: "SK" + _hex(rng, 32),
        "openai": lambda: "sk-proj-" + _b62(rng, 48),
        "azure": lambda: base64.b64encode(rng.randbytes(64)).decode(),
        "gitlab": lambda: "glpat-" + _b62(rng, 20),
        "npm": lambda: "npm_" + _b62(rng, 36),
        "bearer": lambda: _b62(rng, 40),
    }[kind]()
    return kind, v


# --------------------------------------------------------------------------------------------------
# NRP and medical vocabulary
# --------------------------------------------------------------------------------------------------

NATIONALITIES = (
    "American British German French Spanish Italian Dutch Polish Swedish Norwegian Irish Portuguese Brazilian "
    "Mexican Canadian Japanese Chinese Korean Indian Pakistani Nigerian Kenyan Ghanaian Egyptian Moroccan Turkish "
    "Iranian Iraqi Syrian Lebanese Saudi Emirati Filipino Vietnamese Indonesian Australian Colombian Venezuelan "
    "Ukrainian Russian Romanian Greek Ethiopian Somali Bangladeshi"
).split()
RELIGIONS = ["Catholic", "Muslim", "Jewish", "Hindu", "Buddhist", "Sikh", "Protestant", "Orthodox Christian",
             "Evangelical", "Mormon", "Baptist", "Lutheran", "Methodist", "Jehovah's Witness", "Shia", "Sunni",
             "Roman Catholic", "Anglican", "Christian", "atheist", "agnostic"]
POLITICAL = ["Republican", "Democrat", "Labour", "Conservative", "Liberal Democrat", "Green Party", "Libertarian",
             "Social Democrat", "socialist", "Tory"]
ETHNIC = ["Hispanic", "Latino", "Latina", "African American", "Asian American", "Kurdish", "Roma", "Tamil",
          "Pacific Islander", "Caucasian", "Black British", "Native American", "Arab", "Berber", "Han Chinese"]

CONDITIONS = (
    "type 2 diabetes|hypertension|asthma|COPD|atrial fibrillation|major depressive disorder|generalized anxiety "
    "disorder|bipolar disorder|schizophrenia|HIV|hepatitis C|chronic kidney disease|congestive heart failure|"
    "rheumatoid arthritis|osteoarthritis|multiple sclerosis|epilepsy|migraine|hypothyroidism|Crohn's disease|"
    "ulcerative colitis|breast cancer|prostate cancer|non-Hodgkin lymphoma|Parkinson's disease|Alzheimer's disease|"
    "PTSD|ADHD|anorexia nervosa|alcohol use disorder|opioid use disorder|sleep apnea|psoriasis|lupus|celiac disease|"
    "gestational diabetes|pneumonia|sepsis|deep vein thrombosis|pulmonary embolism|stroke|myocardial infarction|"
    "GERD|iron deficiency anemia|sickle cell disease|cystic fibrosis|endometriosis|polycystic ovary syndrome|"
    "glaucoma|macular degeneration|tuberculosis|COVID-19|long COVID|shingles|chlamydia|hyperlipidemia|obesity|"
    "autism spectrum disorder|dementia|fibromyalgia|gout|kidney stones|appendicitis|cellulitis|concussion"
).split("|")
MEDICATIONS = (
    "metformin|lisinopril|atorvastatin|amlodipine|levothyroxine|omeprazole|sertraline|fluoxetine|escitalopram|"
    "bupropion|lithium|quetiapine|olanzapine|aripiprazole|insulin glargine|semaglutide|warfarin|apixaban|"
    "rivaroxaban|clopidogrel|prednisone|methotrexate|adalimumab|albuterol|fluticasone|montelukast|gabapentin|"
    "pregabalin|tramadol|oxycodone|morphine|buprenorphine|naltrexone|ibuprofen|acetaminophen|amoxicillin|"
    "azithromycin|doxycycline|ciprofloxacin|tenofovir|emtricitabine|sumatriptan|levetiracetam|lamotrigine|"
    "donepezil|tamoxifen|letrozole|furosemide|hydrochlorothiazide|losartan|metoprolol|carvedilol|spironolactone|"
    "pantoprazole|methylphenidate|Adderall|Ozempic|Humira|Eliquis|Xarelto|Lipitor|Zoloft|Prozac|Lexapro"
).split("|")
PROCEDURES = (
    "colonoscopy|appendectomy|knee arthroscopy|total hip replacement|coronary artery bypass graft|cardiac "
    "catheterization|MRI of the lumbar spine|CT scan of the chest|mammogram|biopsy|chemotherapy|radiation therapy|"
    "dialysis|cesarean section|hysterectomy|cataract surgery|tonsillectomy|endoscopy|echocardiogram|"
    "lumbar puncture|spinal fusion|angioplasty|bronchoscopy|cholecystectomy|hernia repair|mastectomy|"
    "physical therapy|cognitive behavioral therapy|electroconvulsive therapy|IVF|vasectomy|skin graft|"
    "pacemaker implantation|bone marrow transplant|kidney transplant|allergy testing|HbA1c test|lipid panel"
).split("|")
SYMPTOMS = ("chest pain|shortness of breath|fatigue|headaches|dizziness|nausea|lower back pain|palpitations|"
            "insomnia|weight loss|fever|persistent cough|joint pain|numbness in the left arm|blurred vision").split("|")


def medical(rng: Rng, kind: str | None = None) -> str:
    kind = kind or rng.choices(["c", "m", "p", "s"], [5, 4, 2, 1])[0]
    return rng.choice({"c": CONDITIONS, "m": MEDICATIONS, "p": PROCEDURES, "s": SYMPTOMS}[kind])


# --------------------------------------------------------------------------------------------------
# Hard negatives: things that look like PII to a naive model but are not
# --------------------------------------------------------------------------------------------------

KINSHIP_ROLES = [
    "my mother", "her brother", "his father", "my sister", "our manager", "the doctor", "the patient",
    "the customer", "our team", "the CEO", "the landlord", "my wife", "her husband", "the nurse", "the client",
    "the account owner", "the hiring manager", "your colleague", "the tenant", "the applicant", "my son",
    "their daughter", "the caller", "the driver", "the receptionist", "the support agent", "the board",
    "the project lead", "the pharmacist", "a family member", "the guarantor", "the candidate", "my grandmother",
]
REL_TIMES = [
    "yesterday", "tomorrow", "next week", "last quarter", "in two days", "Q3", "Q4", "this morning", "last night",
    "later today", "next Monday", "on Friday", "end of month", "EOD", "last year", "next spring", "in a few weeks",
    "two weeks ago", "over the weekend", "this afternoon", "by Thursday", "first thing tomorrow", "H2",
    "FY2025", "every Tuesday", "soon", "at noon", "in 48 hours", "within 30 days", "after the holidays",
]
QUANTITIES = [
    "3 items", "12 pages", "250 mg", "2 boxes", "45 minutes", "5 years of experience", "10 GB", "3 attempts",
    "two tablets", "500 ml", "24 hours", "1.5 kg", "4 seats", "7 days", "30 days", "8 licenses", "100 users",
    "6 months", "20%", "3 replicas", "16 vCPUs", "2-year contract", "90-day trial", "40 hours per week",
    "a 10-minute break", "12 months", "50 mg twice daily", "3 x 500 mg", "18 inches", "72 degrees",
]
COMMON_WORD_SENTENCES = [
    "Please grant the team read access to the shared drive.", "The bill for the catering is attached.",
    "We will mark the ticket as resolved once the fix ships.", "Summer hours start in June.",
    "Page 3 of 12 is missing from the scan.", "The black and white printer on floor 2 is jammed again.",
    "Young customers prefer the mobile app.", "The king-size rooms are fully booked.",
    "Hope this helps!", "May I ask you to resend the form?", "Will you be able to join?",
    "Frank feedback is welcome.", "The rose gold model is out of stock.", "It was a joy to work with the team.",
    "Price changes take effect next month.", "Mark all duplicates before the export.", "Bill the client monthly.",
    "Brown paper bags are in the supply room.", "The hunter green colour was discontinued.",
    "Grant applications close at the end of the quarter.", "Rich text formatting is not supported.",
    "The street team handed out 300 flyers.", "Church Street is closed for repairs.",
    "Banks are closed on public holidays.", "Cash payments are no longer accepted.",
    "Our options: black, brown and white.", "Available in rose, sage, stone and sand.",
    "Colours: green, gold, ivory and amber.", "We tested apples, oranges, pears and plums.",
    "Swift delivery is our priority.", "The winter release is frozen.", "Day 2 of the workshop starts at 9.",
    "Cross-check the totals before sign-off.", "Little has changed since the last review.",
    "Long story short: the deploy worked.", "Hill, valley and river trails are open.",
    "Booth 14 is ours at the trade fair.", "Glass, paper and plastic go in separate bins.",
    "The fox, the bird and the bell are the three logo options.", "Stone, wood and steel finishes are available.",
    # places and groups that name nothing: "the country", "the north side", holidays, job titles, music
    "Shipping is free anywhere in the country.", "Our readers write in from all over the world.",
    "The loading bay is on the building's north side.", "Parking is on the east side of the site.",
    "The office closes early before Labor Day and on Christmas Eve.", "Sales peak around Black Friday.",
    "She started as a junior accountant and left as finance director.", "He works nights as a forklift operator.",
    "The record ends with a long guitar coda.", "The chorus comes back after the bridge.",
    "Radio producers picked the single for the summer playlist.", "C'mon, we are nearly there.",
    "Genres: Drama, Comedy, Family & Kids.", "Filed under Travel & Leisure, Home & Garden.",
    "The city council meets downtown on Thursdays.", "Most of the region was without power overnight.",
    # compounds, statutes, industries and titles in quotes that name no one
    "My ex-colleague sent the slides.", "The ex-mayor opened the summer fair.", "Come on, c'mon, we're late!",
    "The Clean Air Act and the Civil Rights Act are federal statutes.", "Title IX applies to the school.",
    "The firm offers retail banking, asset management and insurance services.",
    "The charity was set up by two former radio presenters.", "Their hit \"Sweet Harbour Nights\" topped the chart.",
    "She hummed \"Moonlight Over Marrow Lane\" all afternoon.", "Entertainment news and weekly charts are on page 4.",
    # languages named as languages
    "The manual is available in English, German and Japanese.", "Error messages are translated into French.",
    "Subtitles: English, Spanish (Latin America), Portuguese.", "The docs are written in plain English.",
]


def invoice_no(rng: Rng) -> str:
    return rng.choice([f"INV-{rng.randint(2019, 2025)}-{_digits(rng, 5)}", f"INV{_digits(rng, 6)}",
                       f"#{_digits(rng, 5)}", f"{rng.randint(2019, 2025)}/{_digits(rng, 4)}", f"RE-{_digits(rng, 6)}"])


def order_no(rng: Rng) -> str:
    return rng.choice([f"PO {_digits(rng, 6)}", f"PO-{_digits(rng, 5)}", f"ORD-{_digits(rng, 7)}",
                       f"#{_digits(rng, 3)}-{_digits(rng, 7)}-{_digits(rng, 7)}", f"SO{_digits(rng, 8)}"])


def ticket_id(rng: Rng) -> str:
    return rng.choice([f"JIRA-{rng.randint(10, 9999)}", f"{rng.choice(['OPS', 'SEC', 'INC', 'PLAT', 'CS', 'HR'])}-{rng.randint(10, 99999)}",
                       f"#{rng.randint(1000, 99999)}", f"INC{_digits(rng, 7)}", f"CASE-{_digits(rng, 6)}"])


def version(rng: Rng) -> str:
    r = rng.random()
    if r < 0.6:
        return f"v{rng.randint(0, 12)}.{rng.randint(0, 40)}.{rng.randint(0, 30)}"
    if r < 0.8:
        return f"{rng.randint(1, 20)}.{rng.randint(0, 99)}.{rng.randint(0, 9)}.{rng.randint(0, 9999)}"
    return f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}-rc{rng.randint(1, 5)}"


def sha(rng: Rng) -> str:
    return rng.choice([_hex(rng, 40), _hex(rng, 7), _hex(rng, 64), _hex(rng, 12)])


def uuid(rng: Rng) -> str:
    h = _hex(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def sku(rng: Rng) -> str:
    return rng.choice([f"SKU-{_digits(rng, 5)}", f"{''.join(rng.choice(_ALPHA) for _ in range(3))}-{_digits(rng, 4)}-{rng.choice(_ALPHA)}",
                       f"P{_digits(rng, 6)}", f"{rng.choice(['XL', 'M', 'S'])}-{_digits(rng, 3)}-{rng.choice(['BLK', 'WHT', 'NVY'])}"])


def price(rng: Rng) -> str:
    a = rng.randint(1, 9999) + rng.randint(0, 99) / 100
    return rng.choice([f"${a:,.2f}", f"€{a:,.2f}", f"{a:.2f} EUR", f"£{a:,.2f}", f"USD {a:,.2f}", f"{a:,.2f} zł",
                       f"CHF {a:.2f}", f"¥{int(a * 100):,}"])


def log_timestamp(rng: Rng) -> str:
    d = rand_date(rng, 2021, 2025)
    t = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    return rng.choice([f"{d.isoformat()}T{t}Z", f"{d.isoformat()} {t},{rng.randint(0, 999):03d}",
                       f"{d.isoformat()}T{t}.{rng.randint(0, 999999):06d}+00:00", f"{d.isoformat()} {t}",
                       f"{MONTHS[d.month - 1][:3]} {d.day:2d} {t}"])


def date_time(rng: Rng) -> str:
    """A date with its time of day as a form, a header or a sentence writes it ("2018-05-05 20:42:26",
    "12/03/2024 14:30", "March 3, 2024 at 2:30 PM"): a DATE, unlike a log line's leading timestamp."""
    d = rand_date(rng, 1970, 2026)
    h, m, sec = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    hm = f"{h:02d}:{m:02d}"
    return rng.choice([
        f"{d.isoformat()} {hm}:{sec:02d}.{rng.randint(0, 999999):06d}", f"{d.isoformat()} {hm}:{sec:02d}",
        f"{d.isoformat()} {hm}", f"{d.isoformat()}T{hm}:{sec:02d}", f"{d.day:02d}/{d.month:02d}/{d.year} {hm}",
        f"{d.month}/{d.day}/{d.year} {(h % 12) or 12}:{m:02d} {'AM' if h < 12 else 'PM'}",
        f"{MONTHS[d.month - 1]} {d.day}, {d.year} at {(h % 12) or 12}:{m:02d} {'am' if h < 12 else 'pm'}",
        f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}, {hm}"])


def http_status(rng: Rng) -> str:
    return rng.choice(["200", "201", "204", "301", "302", "400", "401", "403", "404", "409", "429", "500", "502", "503"])


def port(rng: Rng) -> str:
    return str(rng.choice([22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9092, 9200, 27017, 5672, 11211, 3000, 5000]))


def hostname(rng: Rng) -> str:
    return rng.choice([f"{rng.choice(['db', 'api', 'web', 'cache', 'worker', 'auth', 'queue'])}-{rng.choice(['prod', 'stg', 'dev'])}-{rng.randint(1, 12):02d}"
                       + rng.choice(["", ".internal", ".svc.cluster.local", ".eu-west-1.compute.internal"]), "localhost"])
