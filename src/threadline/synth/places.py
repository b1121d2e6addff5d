"""Cities, circuits and the fictional telephone ranges that belong to them.

Every phone number the corpus prints comes from a range reserved for fiction
*and* accepted by libphonenumber (`phonenumbers.is_valid_number`), so that
extractors see numbers that validate like real ones while no real subscriber
can be reached:

* US: NXX 555, lines 0100-0199 ("555-01XX"), which the North American
  Numbering Plan Administrator reserves for fictional use in every area code.
  Only long-established geographic area codes are listed, so that older
  `phonenumbers` metadata accepts them too (the test suite checks every one).
* GB: Ofcom's drama ranges for geographic numbers that libphonenumber accepts:
  London 020 7946 0xxx, Leeds 0113 496 0xxx, Sheffield 0114 496 0xxx, Bristol
  0117 496 0xxx, Reading 0118 496 0xxx, Birmingham 0121 496 0xxx, Edinburgh
  0131 496 0xxx, Glasgow 0141 496 0xxx, Liverpool 0151 496 0xxx, Manchester
  0161 496 0xxx, Tyneside 0191 498 0xxx, Northern Ireland 028 9649 6xxx,
  Cardiff 029 2018 0xxx. Ofcom's mobile range 07700 900xxx, Nottingham 0115 496
  and the no-area 01632 960xxx are *rejected* by libphonenumber, so they are not
  used. Hubs (switchboards) also use the UK-wide 0306 999 0xxx and freephone
  0808 157 0xxx drama ranges.
* Spain and Mexico have no range reserved for fiction. Ads placed there carry
  no Spanish or Mexican number: they use e-mail, handles, or a foreign
  (US/GB fictional) number written in international format, as ads for
  foreign WhatsApp numbers do.
"""

from __future__ import annotations

from typing import NamedTuple

US_AREA_CODES: tuple[str, ...] = tuple(
    """
    201 202 203 205 206 207 208 209 210 212 213 214 215 216 217 218 219 224 225 228 229 231 234 239
    240 248 251 252 253 254 256 260 262 267 269 270 276 281 301 302 303 304 305 307 308 309 310 312
    313 314 315 316 317 318 319 320 321 323 325 330 334 336 337 339 346 347 351 352 360 361 385 386
    401 402 404 405 406 407 408 409 410 412 413 414 415 417 419 423 424 425 430 432 434 435 440 443
    469 470 478 479 480 484 501 502 503 504 505 507 508 509 510 512 513 515 516 517 518 520 530 540
    541 551 559 561 562 563 567 570 571 573 574 575 580 585 586 601 602 603 605 606 607 608 609 610
    612 614 615 616 617 618 619 620 623 626 630 631 636 641 646 650 651 660 661 662 678 682 701 702
    703 704 706 707 708 712 713 714 715 716 717 718 719 720 724 727 731 732 734 737 740 754 757 760
    763 765 770 772 773 774 775 781 785 786 801 802 803 804 805 806 808 810 812 813 814 815 816 817
    818 828 830 831 832 843 845 847 848 850 856 857 858 859 860 862 863 864 865 870 872 901 903 904
    906 907 908 909 910 912 913 914 915 916 917 918 919 920 925 928 931 936 937 940 941 947 949 951
    952 954 956 970 971 972 973 978 979 980 985 989""".split()  # noqa: SIM905
)
US_FICTION_LINES = range(100, 200)  # 555-0100 .. 555-0199

# GB drama ranges: (national significant number prefix, digit groups for the national format).
# The prefix plus three free digits is the NSN; the groups give "020 7946 0123" etc.
GB_RANGES: dict[str, tuple[str, tuple[int, ...]]] = {
    "london": ("207946", (3, 4, 4)),
    "leeds": ("1134960", (4, 3, 4)),
    "sheffield": ("1144960", (4, 3, 4)),
    "bristol": ("1174960", (4, 3, 4)),
    "reading": ("1184960", (4, 3, 4)),
    "birmingham": ("1214960", (4, 3, 4)),
    "edinburgh": ("1314960", (4, 3, 4)),
    "glasgow": ("1414960", (4, 3, 4)),
    "liverpool": ("1514960", (4, 3, 4)),
    "manchester": ("1614960", (4, 3, 4)),
    "tyneside": ("1914980", (4, 3, 4)),
    "belfast": ("2896496", (3, 4, 4)),
    "cardiff": ("2920180", (3, 4, 4)),
}
# Non-geographic drama ranges, used only for hub switchboards.
GB_HUB_RANGES: dict[str, tuple[str, tuple[int, ...]]] = {
    "ukwide": ("3069990", (4, 3, 4)),
    "freephone": ("8081570", (4, 3, 4)),
}


class City(NamedTuple):
    name: str
    region: str
    country: str
    es_share: float  # chance an ad placed here is in Spanish
    zips: tuple[str, ...]
    slug: str


def _c(name: str, region: str, country: str, es: float, zips: str) -> City:
    slug = name.lower().replace(" ", "-").replace(".", "")
    for a, b in (("á", "a"), ("é", "e"), ("í", "i"), ("ó", "o"), ("ú", "u")):
        slug = slug.replace(a, b)
    return City(name, region, country, es, tuple(zips.split()), slug)


CITIES: dict[str, City] = {
    c.name: c
    for c in (
        _c("Houston", "TX", "US", 0.25, "77002 77006 77057 77074"),
        _c("San Antonio", "TX", "US", 0.25, "78205 78216"),
        _c("Austin", "TX", "US", 0.12, "78701 78704"),
        _c("Dallas", "TX", "US", 0.15, "75201 75219"),
        _c("Fort Worth", "TX", "US", 0.12, "76102 76107"),
        _c("El Paso", "TX", "US", 0.35, "79901 79925"),
        _c("Oklahoma City", "OK", "US", 0.06, "73102 73112"),
        _c("Tulsa", "OK", "US", 0.05, "74103 74145"),
        _c("Wichita", "KS", "US", 0.05, "67202 67207"),
        _c("Kansas City", "MO", "US", 0.05, "64105 64111"),
        _c("St. Louis", "MO", "US", 0.03, "63101 63108"),
        _c("Memphis", "TN", "US", 0.04, "38103 38117"),
        _c("Nashville", "TN", "US", 0.05, "37203 37211"),
        _c("Atlanta", "GA", "US", 0.08, "30303 30309"),
        _c("Charlotte", "NC", "US", 0.08, "28202 28217"),
        _c("Richmond", "VA", "US", 0.04, "23219 23230"),
        _c("Washington", "DC", "US", 0.08, "20001 20005"),
        _c("Baltimore", "MD", "US", 0.04, "21201 21224"),
        _c("Philadelphia", "PA", "US", 0.08, "19103 19107"),
        _c("Newark", "NJ", "US", 0.15, "07102 07105"),
        _c("New York", "NY", "US", 0.15, "10001 10018 11354"),
        _c("Boston", "MA", "US", 0.06, "02116 02134"),
        _c("Miami", "FL", "US", 0.40, "33130 33132 33142"),
        _c("Orlando", "FL", "US", 0.20, "32801 32819"),
        _c("Tampa", "FL", "US", 0.15, "33602 33607"),
        _c("Jacksonville", "FL", "US", 0.06, "32202 32256"),
        _c("New Orleans", "LA", "US", 0.06, "70112 70130"),
        _c("Baton Rouge", "LA", "US", 0.04, "70801 70816"),
        _c("Las Vegas", "NV", "US", 0.15, "89109 89119"),
        _c("Phoenix", "AZ", "US", 0.18, "85004 85016"),
        _c("Tucson", "AZ", "US", 0.18, "85701 85711"),
        _c("Albuquerque", "NM", "US", 0.20, "87102 87110"),
        _c("Denver", "CO", "US", 0.10, "80202 80231"),
        _c("Salt Lake City", "UT", "US", 0.06, "84101 84115"),
        _c("Los Angeles", "CA", "US", 0.28, "90012 90017 91601"),
        _c("San Diego", "CA", "US", 0.22, "92101 92108"),
        _c("Fresno", "CA", "US", 0.25, "93721 93710"),
        _c("Sacramento", "CA", "US", 0.12, "95814 95815"),
        _c("Oakland", "CA", "US", 0.12, "94612 94607"),
        _c("San Francisco", "CA", "US", 0.08, "94103 94109"),
        _c("Portland", "OR", "US", 0.05, "97205 97232"),
        _c("Seattle", "WA", "US", 0.05, "98101 98104"),
        _c("Chicago", "IL", "US", 0.12, "60601 60616"),
        _c("Milwaukee", "WI", "US", 0.06, "53202 53204"),
        _c("Minneapolis", "MN", "US", 0.04, "55401 55404"),
        _c("Detroit", "MI", "US", 0.04, "48226 48201"),
        _c("Columbus", "OH", "US", 0.03, "43215 43229"),
        _c("Indianapolis", "IN", "US", 0.04, "46204 46241"),
        _c("London", "England", "GB", 0.0, "W1 SW3 E14"),
        _c("Reading", "England", "GB", 0.0, "RG1"),
        _c("Bristol", "England", "GB", 0.0, "BS1"),
        _c("Cardiff", "Wales", "GB", 0.0, "CF10"),
        _c("Birmingham", "England", "GB", 0.0, "B1 B5"),
        _c("Manchester", "England", "GB", 0.0, "M1 M4"),
        _c("Liverpool", "England", "GB", 0.0, "L1 L3"),
        _c("Leeds", "England", "GB", 0.0, "LS1 LS2"),
        _c("Sheffield", "England", "GB", 0.0, "S1"),
        _c("Newcastle", "England", "GB", 0.0, "NE1"),
        _c("Edinburgh", "Scotland", "GB", 0.0, "EH1 EH3"),
        _c("Glasgow", "Scotland", "GB", 0.0, "G1 G2"),
        _c("Belfast", "Northern Ireland", "GB", 0.0, "BT1 BT2"),
        _c("Madrid", "Comunidad de Madrid", "ES", 1.0, "28013 28004 28020"),
        _c("Barcelona", "Cataluña", "ES", 1.0, "08001 08015"),
        _c("Valencia", "Comunitat Valenciana", "ES", 1.0, "46001 46010"),
        _c("Alicante", "Comunitat Valenciana", "ES", 1.0, "03001 03005"),
        _c("Murcia", "Región de Murcia", "ES", 1.0, "30001 30008"),
        _c("Sevilla", "Andalucía", "ES", 1.0, "41001 41010"),
        _c("Málaga", "Andalucía", "ES", 1.0, "29001 29016"),
        _c("Granada", "Andalucía", "ES", 1.0, "18001 18009"),
        _c("Zaragoza", "Aragón", "ES", 1.0, "50001 50008"),
        _c("Bilbao", "País Vasco", "ES", 1.0, "48001 48009"),
        _c("Palma", "Illes Balears", "ES", 1.0, "07001 07003"),
        _c("Ciudad de México", "CDMX", "MX", 1.0, "06600 06700 03100"),
        _c("Guadalajara", "Jalisco", "MX", 1.0, "44100 44600"),
        _c("Monterrey", "Nuevo León", "MX", 1.0, "64000 64620"),
        _c("Tijuana", "Baja California", "MX", 1.0, "22000 22010"),
        _c("Mexicali", "Baja California", "MX", 1.0, "21100 21000"),
        _c("Hermosillo", "Sonora", "MX", 1.0, "83000 83190"),
        _c("Culiacán", "Sinaloa", "MX", 1.0, "80000 80020"),
        _c("León", "Guanajuato", "MX", 1.0, "37000 37150"),
        _c("Querétaro", "Querétaro", "MX", 1.0, "76000 76090"),
        _c("Puebla", "Puebla", "MX", 1.0, "72000 72160"),
        _c("Cancún", "Quintana Roo", "MX", 1.0, "77500 77505"),
        _c("Mérida", "Yucatán", "MX", 1.0, "97000 97130"),
    )
}

# Routes along which operations move (a circuit). An operation enters one at a
# random stop and walks it, turning round at either end.
CIRCUITS: dict[str, tuple[tuple[str, ...], ...]] = {
    "US": (
        (
            "Houston",
            "San Antonio",
            "Austin",
            "Dallas",
            "Fort Worth",
            "Oklahoma City",
            "Tulsa",
            "Wichita",
            "Kansas City",
            "St. Louis",
        ),
        (
            "Miami",
            "Orlando",
            "Jacksonville",
            "Charlotte",
            "Richmond",
            "Washington",
            "Baltimore",
            "Philadelphia",
            "Newark",
            "New York",
            "Boston",
        ),
        (
            "Houston",
            "Baton Rouge",
            "New Orleans",
            "Memphis",
            "Nashville",
            "Atlanta",
            "Tampa",
            "Orlando",
            "Miami",
        ),
        (
            "San Diego",
            "Los Angeles",
            "Las Vegas",
            "Phoenix",
            "Tucson",
            "El Paso",
            "Albuquerque",
            "Denver",
            "Salt Lake City",
        ),
        ("Los Angeles", "Fresno", "Sacramento", "Oakland", "San Francisco", "Portland", "Seattle"),
        (
            "Chicago",
            "Milwaukee",
            "Minneapolis",
            "Detroit",
            "Columbus",
            "Indianapolis",
            "St. Louis",
            "Kansas City",
        ),
    ),
    "GB": (
        (
            "London",
            "Reading",
            "Bristol",
            "Cardiff",
            "Birmingham",
            "Manchester",
            "Liverpool",
            "Leeds",
            "Sheffield",
            "Newcastle",
            "Edinburgh",
            "Glasgow",
        ),
        ("Glasgow", "Belfast", "Liverpool", "Manchester", "Leeds", "London"),
    ),
    "ES": (
        (
            "Madrid",
            "Zaragoza",
            "Barcelona",
            "Valencia",
            "Alicante",
            "Murcia",
            "Granada",
            "Málaga",
            "Sevilla",
        ),
        ("Bilbao", "Madrid", "Valencia", "Palma", "Barcelona"),
    ),
    "MX": (
        (
            "Tijuana",
            "Mexicali",
            "Hermosillo",
            "Culiacán",
            "Guadalajara",
            "León",
            "Querétaro",
            "Ciudad de México",
            "Puebla",
        ),
        ("Monterrey", "Ciudad de México", "Puebla", "Mérida", "Cancún"),
    ),
}

# Share of ads placed in each country (sex ads and job ads alike).
COUNTRY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("US", 0.60),
    ("GB", 0.14),
    ("ES", 0.14),
    ("MX", 0.12),
)
CITIES_BY_COUNTRY: dict[str, tuple[City, ...]] = {
    cc: tuple(c for c in CITIES.values() if c.country == cc) for cc, _ in COUNTRY_WEIGHTS
}
CURRENCY = {"US": "USD", "GB": "GBP", "ES": "EUR", "MX": "MXN"}

# Destinations named by deceptive job ads, with their country.
DESTINATIONS: tuple[tuple[str, str], ...] = (
    ("Dubai", "AE"),
    ("Doha", "QA"),
    ("Istanbul", "TR"),
    ("Tokyo", "JP"),
    ("Seoul", "KR"),
    ("Kuala Lumpur", "MY"),
    ("Milan", "IT"),
    ("Madrid", "ES"),
    ("Warsaw", "PL"),
    ("Cyprus", "CY"),
    ("Toronto", "CA"),
    ("Las Vegas", "US"),
    ("Cancún", "MX"),
    ("London", "GB"),
)
