"""Training records for things named after people: news sentences where a surname is a company, a
place, a building, a prize, a storm or a law, beside real people in the same shapes.

On news the model called companies named after founders, cities and countries named like people,
and eponymous streets PERSON: the generator's news never held them, so a capitalised surname in a
sentence about shares or traffic could only be a person. These records show the same words in
their non-person roles (ORGANIZATION, LOCATION, or ``O`` for prizes, storms, laws and units), and
show founders and namesakes as PERSON in the same sentences, so the context decides, not the word.

The lists are public facts (names of companies, places, prizes). They leave out every entity of
``benchmarks/names_eval.py``, so that set stays a test of whether this generalises.
"""

from __future__ import annotations

import random

from .bylines import _fill, _person, join

# Companies named after founders or families (ORGANIZATION).
ORGS = (
    "Boeing", "Siemens", "Porsche", "Ferrari", "Disney", "Hilton", "Marriott", "Kellogg's", "Heinz",
    "Nestlé", "Cadbury", "JPMorgan Chase", "Lehman Brothers", "Merrill Lynch", "Charles Schwab", "Bosch",
    "Michelin", "Peugeot", "Renault", "Citroën", "Honda", "Toyota", "Suzuki", "Yamaha", "Procter & Gamble",
    "Ernst & Young", "Deloitte", "Mercedes-Benz", "Chanel", "Dior", "Gucci", "Prada", "Armani", "Versace",
    "Louis Vuitton", "Hermès", "Cartier", "Tiffany & Co.", "Bentley", "Chrysler", "Dodge", "Chevrolet",
    "Wells Fargo", "Barclays", "Lloyds", "Rothschild & Co", "Bloomberg", "Reuters", "Pfizer", "Merck",
    "Roche", "Bayer", "Gillette", "Colgate-Palmolive", "Kraft Heinz", "Hershey", "Heineken", "Carlsberg",
    "Guinness", "Sotheby's", "Christie's", "Harrods", "Selfridges", "Sainsbury's", "Marks & Spencer",
    "Macy's", "Nordstrom", "Kroger", "Lockheed Martin", "Northrop Grumman", "Daimler", "Opel", "Ferrero",
    "Barilla", "Bertelsmann", "Hugo Boss", "Thyssenkrupp", "Walgreens", "Wrigley", "Goodyear",
    "Firestone", "Black & Decker", "Kohler", "Cargill", "Bechtel", "Hyatt", "Pirelli", "Lamborghini",
    "Maserati", "Bugatti", "Ducati", "Benetton", "Fendi", "Valentino", "Ralph Lauren", "Calvin Klein",
    "Levi Strauss", "Wendy's", "Baker McKenzie", "Clifford Chance", "Freshfields", "Skadden",
    "Latham & Watkins", "Allen & Overy", "Slaughter and May", "McKinsey", "Bain & Company",
    "Booz Allen Hamilton", "Lazard", "Nomura", "Bridgestone", "Kawasaki", "Mitsubishi", "Olympus",
    "Miele", "Braun", "Leica", "Zeiss", "Sennheiser", "Steinway", "Boots", "Morrisons", "Tata",
    "Mahindra", "Birla", "Ambani", "Bacardi", "Smirnoff", "Casio", "Kikkoman",
)
# (founder, company) pairs: the same word as a person and as a company, told apart by context.
FOUNDERS = (
    ("William Boeing", "Boeing"), ("Werner von Siemens", "Siemens"), ("Ferdinand Porsche", "Porsche"),
    ("Enzo Ferrari", "Ferrari"), ("Walt Disney", "Disney"), ("Conrad Hilton", "Hilton"),
    ("Soichiro Honda", "Honda"), ("Robert Bosch", "Bosch"), ("Louis Renault", "Renault"),
    ("John Cadbury", "Cadbury"), ("Coco Chanel", "Chanel"), ("Christian Dior", "Dior"),
    ("Guccio Gucci", "Gucci"), ("Giorgio Armani", "Armani"), ("Gianni Versace", "Versace"),
    ("Walter Chrysler", "Chrysler"), ("Louis Chevrolet", "Chevrolet"), ("Michael Bloomberg", "Bloomberg"),
    ("Henri Nestlé", "Nestlé"), ("Henry Heinz", "Heinz"), ("Milton Hershey", "Hershey"),
    ("Gottlieb Daimler", "Daimler"), ("Adam Opel", "Opel"), ("Michele Ferrero", "Ferrero"),
    ("Ferruccio Lamborghini", "Lamborghini"), ("Ettore Bugatti", "Bugatti"), ("Miuccia Prada", "Prada"),
    ("Jamsetji Tata", "Tata"), ("Frank Seiberling", "Goodyear"), ("Harvey Firestone", "Firestone"),
)
# Universities, foundations, institutes and museums named after people (ORGANIZATION).
INSTITUTIONS = (
    "Stanford University", "Yale University", "Duke University",
    "Vanderbilt University", "Brown University", "Cornell University", "Rice University",
    "Humboldt University", "McGill University", "Fraunhofer Institute", "Pasteur Institute",
    "Karolinska Institute", "Weizmann Institute", "Brookings Institution", "Nuffield Trust",
    "Rhodes Trust", "Goethe-Institut", "Getty Museum", "Van Gogh Museum", "Kennedy Center",
    "Cleveland Clinic", "Hoover Institution", "Kellogg Foundation",
    "Bloomberg Philanthropies", "Sloan Foundation", "Mellon Foundation",
    "Aga Khan Foundation", "Mo Ibrahim Foundation", "Nelson Mandela Foundation", "Tata Trusts",
    "Francis Crick Institute", "Sanger Institute", "Broad Institute",
)
# Cities, regions and countries with names that are also people's names (LOCATION).
PLACES = (
    "Florence", "Houston", "Jackson", "Madison", "Cleveland", "Eugene", "Sydney", "Adelaide",
    "Elizabeth", "Orlando", "Columbus", "Raleigh", "Augusta", "Lafayette", "Hamilton",
    "Nelson", "Darwin", "Kingston", "Douglas", "Alexandria", "Bolivia", "Colombia", "the Philippines",
    "San Francisco", "Santa Monica", "St. Petersburg", "Vancouver", "Louisville", "Jacksonville",
    "Denver", "Dallas", "Pittsburgh", "Tyler", "Chad", "Marietta", "Beatrice", "Camden", "Carson City",
    "Tracy", "Warren", "Logan", "Fort Collins", "Williamsburg",
    "Port Elizabeth", "Johannesburg", "Christchurch", "Cooktown", "Albany", "Charleston", "Raymond",
)
# Streets, airports, stadiums, bridges and buildings named after people (LOCATION).
LANDMARKS = (
    "John F. Kennedy International Airport", "Charles de Gaulle Airport",
    "the Jefferson Memorial", "Nelson's Column",
    "Wembley Stadium", "Anfield",
    "Indira Gandhi International Airport", "Jomo Kenyatta International Airport", "Shah Jalal Airport",
    "Simón Bolívar Avenue", "Avenida Paulista", "Rue de Rivoli", "Karl-Marx-Allee", "Nelson Mandela Square",
    "Gandhi Road", "Rosa Parks Boulevard", "César Chávez Avenue", "Kennedy Street", "Queen Elizabeth Park",
    "Hoover Dam", "the Eiffel Tower", "Harbour Bridge", "Prince Albert Road", "King Fahd Causeway",
    "Thomas Jefferson High School", "Franklin Delano Roosevelt Drive",
)
# Prizes, storms, laws, units and effects named after people: not a person here (``O``).
NAMESAKES = (
    "the Pulitzer Prize", "the Turing Award", "the Fields Medal", "the Abel Prize", "the Prix Goncourt",
    "the Lasker Award", "the Kavli Prize", "the Wolf Prize", "the Templeton Prize", "the Sakharov Prize",
    "the Pritzker Prize", "the Stirling Prize", "the Ramon Magsaysay Award",
    "the Franklin Medal", "the Darwin Medal",
)
STORMS = ("Hurricane Katrina", "Storm Ciarán", "Typhoon Haiyan", "Cyclone Idai", "Storm Babet",
          "Hurricane Helene", "Storm Eunice", "Hurricane Ian", "Storm Isha", "Hurricane Milton",
          "Typhoon Mawar", "Cyclone Freddy", "Storm Dennis", "Hurricane Harvey", "Storm Daniel")
LAWS = ("Moore's law", "Newton's method", "the Higgs boson", "Halley's Comet", "the Doppler effect",
        "a Fourier transform", "Ohm's law", "the Kelvin scale", "Bayes' theorem", "Murphy's law",
        "the Turing test", "Occam's razor", "the Nash equilibrium", "the Richter scale",
        "the Gini coefficient", "Hubble's constant", "Boyle's law", "the Kalman filter")
CITIES = ("Berlin", "Lagos", "Nairobi", "Lisbon", "Osaka", "Chennai", "Bogotá", "Kraków", "Hanoi",
          "Accra", "Montréal", "Porto", "Tbilisi", "Dhaka", "Izmir", "Tampere", "Brno", "Bergen",
          "Seoul", "Jakarta", "Manila", "Lima", "Quito", "Cairo", "Dubai", "Toronto", "Milan", "Lyon")
ROLES = ("chief executive", "chief financial officer", "chair", "head of research", "spokesperson",
         "general counsel", "chief economist", "managing director", "founder", "analyst")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "on Saturday", "last week", "this month")

SENTENCES = (
    "Shares of {org} fell {n}% after {p}, its {role}, lowered the forecast.",
    "{org} said {day} it would cut {n} jobs in {city}.",
    "A spokesperson for {org} would not discuss the filing.",
    "{org} and {org2} are in merger talks, two sources said.",
    "{p} joined {org} as {role} in {year}.",
    "The deal was advised by {org} and {org2}.",
    "Analysts at {org} expect the central bank to hold rates.",
    "{org} recalled {n},000 vehicles; {p} expects repairs to take weeks.",
    "Revenue at {org} rose to ${n} billion, {lp} told investors.",
    "{p}, a researcher at {inst}, led the study of {n} patients.",
    "{inst} published the report {day}, written by {p} and {p2}.",
    "{p} will teach at {inst} after leaving {org}.",
    "Officials in {place} approved the new budget {day}.",
    "{place} and {place2} signed a trade agreement in {city}.",
    "Floods cut off parts of {place}, its mayor, {p}, said.",
    "Residents of {place} backed a plan to save the old courthouse.",
    "Flights from {landmark} were cancelled after the strike.",
    "Traffic on {landmark} was diverted because of roadworks.",
    "The protest moved from {landmark} towards the parliament.",
    "{storm} made landfall near {city} {day}, forecasters said.",
    "{storm} left {n},000 homes without power.",
    "{p} won {prize} for a history of {place}.",
    "The committee awarded {prize} to {p} of {inst}.",
    "As {lp} showed, {law} explains most of the gap.",
    "The model relies on {law}, following {p} and {p2}.",
    "{founder} founded {forg} in {year}; today {forg} employs {n},000 people.",
    "{forg}, the company {founder} started in {year}, reported record sales.",
    "The family of {founder} still owns a stake in {forg}.",
    "{first} {fsurname}, a teacher in {city}, is no relation of the {forg} family.",
    "{forg} opened a plant in {place}, {p} confirmed.",
    "{lp} said {org} would appeal the ruling in {place}.",
)


def listed_names() -> set[str]:
    """Every name these lists hold: what a benchmark must leave out or report as seen in training."""
    return {*ORGS, *INSTITUTIONS, *PLACES, *LANDMARKS, *NAMESAKES, *STORMS, *LAWS, *(f for f, _ in FOUNDERS)}


def eponym_record(rng: random.Random) -> dict:
    """One sentence: generated people labelled PERSON, eponyms in their own roles."""
    people = [_person(rng) for _ in range(2)]
    founder, forg = rng.choice(FOUNDERS)
    first = _person(rng).first
    org, org2 = rng.sample(ORGS, 2)
    place, place2 = rng.sample(PLACES, 2)
    vals: dict[str, tuple[str, str | None]] = {
        "p": (people[0].full, "PERSON"), "p2": (people[1].full, "PERSON"), "lp": (people[0].last, "PERSON"),
        "first": (first, None), "fsurname": (forg, None),
        "org": (org, "ORGANIZATION"), "org2": (org2, "ORGANIZATION"), "forg": (forg, "ORGANIZATION"),
        "founder": (founder, "PERSON"), "inst": (rng.choice(INSTITUTIONS), "ORGANIZATION"),
        "place": (place, "LOCATION"), "place2": (place2, "LOCATION"), "city": (rng.choice(CITIES), "LOCATION"),
        "landmark": (rng.choice(LANDMARKS), "LOCATION"), "storm": (rng.choice(STORMS), None),
        "prize": (rng.choice(NAMESAKES), None), "law": (rng.choice(LAWS), None),
        "role": (rng.choice(ROLES), None), "day": (rng.choice(DAYS), None),
        "n": (str(rng.randint(2, 95)), None), "year": (str(rng.randint(1890, 2024)), None),
    }
    template = rng.choice(SENTENCES)
    rec = _fill(template, vals)
    if "{first} {fsurname}" in template:  # a namesake, not the company: the whole name is a person
        a = template.index("{first}")
        start = len(_fill(template[:a], vals)["text"])
        rec["spans"].append({"start": start, "end": start + len(first) + 1 + len(forg), "label": "PERSON"})
        rec["spans"].sort(key=lambda s: s["start"])
    return rec


def eponym_records(n: int, seed: int) -> list[dict]:
    """``n`` records of one to three sentences (a paragraph gives the context a window sees)."""
    rng = random.Random(seed + 7)
    return [join([eponym_record(rng) for _ in range(rng.randint(1, 3))], rng, (" ", " ", "\n"))
            for _ in range(n)]
