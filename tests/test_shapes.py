"""The form check on model findings: impossible values go, every generated gold value stays."""

from __future__ import annotations

import pytest

from scanner.shapes import plausible


@pytest.mark.parametrize("label, value", [
    ("SECRET", "+------+"), ("SECRET", "======================"), ("SECRET", "see the docs"),
    ("PASSWORD", "^^^^"), ("PASSWORD", "lambda x: x ** 2"), ("PASSWORD", "-S"),
    ("IP_ADDRESS", "::"), ("IP_ADDRESS", "3.11"), ("IP_ADDRESS", "AWS::EC2"), ("IP_ADDRESS", "."),
    ("PHONE", "("), ("PHONE", "(2)"), ("EMAIL", "@dataclass"), ("EMAIL", "example.com"),
    ("USERNAME", "@"), ("USERNAME", ":SIGUSR2"), ("USERNAME", "C"), ("ID_NUMBER", "f(x)"),
    ("STREET_ADDRESS", "de checksum"), ("STREET_ADDRESS", "the way forward"), ("AGE", "old"), ("PERSON", "*"), ("URL", "foo"),
    ("PERSON", "Princess Royal"), ("PERSON", "His Majesty"), ("PERSON", "C"), ("PERSON", "J."), ("LOCATION", "the country"),
    ("LOCATION", "north side of"), ("LOCATION", "around the world"), ("LOCATION", "The world"),
])
def test_impossible_values_are_rejected(label, value):
    assert not plausible(label, value)


@pytest.mark.parametrize("label, value", [
    ("SECRET", "ghp_BOR3ka88hu05aGoJMBh9M68x4FSOmH1VGMlu"), ("SECRET", "AKIABEHDRZJUQKLTVLYS"),
    ("PASSWORD", "purple.velvet.piano"), ("PASSWORD", "s3cr3t!"), ("IP_ADDRESS", "10.0.0.1:8080"),
    ("IP_ADDRESS", "2600:1447"), ("IP_ADDRESS", "[2001:db8::1]"), ("PHONE", "+44 20 7946 0958"),
    ("PHONE", "617.558.2011X14272"), ("EMAIL", "JENNY.TAYLOR@MERIDIANAIRLINES.COM"),
    ("USERNAME", "@bakwah"), ("USERNAME", "flavio.alcalde"), ("ID_NUMBER", "CKZCYXRHW"),
    ("BANK_ACCOUNT", "RO21NIAYYTNMFEA1JXTFSXO9"), ("AGE", "38"), ("AGE", "forty-two"),
    ("STREET_ADDRESS", "Jentehof 0\n5550KC\nDoornspijk"), ("STREET_ADDRESS", "boulevard de chrétien"),
    # a title with a name, or a kind of place that is one place's name when capitalised
    ("PERSON", "Princess Diana"), ("PERSON", "Prince"), ("PERSON", "伟"), ("PERSON", "Jo"), ("PERSON", "King"), ("LOCATION", "North Side"),
    ("LOCATION", "the City"), ("LOCATION", "berlin"), ("LOCATION", "West Coast"),
])
def test_real_shapes_pass(label, value):
    assert plausible(label, value)


@pytest.mark.slow
def test_no_generated_gold_value_is_rejected():
    from scanner.train.generator import generate

    rejected = [(s["label"], r["text"][s["start"]:s["end"]])
                for split, seed in (("train", 3), ("heldout", 4)) for r in generate(1500, seed, split)
                for s in r["spans"] if not plausible(s["label"], r["text"][s["start"]:s["end"]])]
    assert rejected == []


def test_an_ip_address_glued_to_a_longer_token_is_none():
    from scanner.shapes import plausible_at

    text = "Type: AWS::EC2::Instance; host 10.0.0.7, http://10.0.0.8:8080/ and [fe80::1] or 地址192.168.1.9"
    i = text.index("EC2::")
    assert not plausible_at("IP_ADDRESS", text, i, i + 5)  # parses as IPv6, but it is part of a type name
    for ip in ("10.0.0.7", "10.0.0.8", "fe80::1", "192.168.1.9"):
        i = text.index(ip)
        assert plausible_at("IP_ADDRESS", text, i, i + len(ip)), ip

    from scanner.train.generator import generate

    rejected = [r["text"][s["start"] - 5:s["end"] + 5] for r in generate(1500, 4, "heldout") for s in r["spans"]
                if s["label"] == "IP_ADDRESS" and not plausible_at("IP_ADDRESS", r["text"], s["start"], s["end"])]
    assert rejected == []  # no generated address is written glued to a word


def test_numbers_after_a_standard_name_are_no_id_or_phone():
    from scanner.shapes import plausible_at

    text = "Turkish iso-8859-9, RFC 2822, JIS X 0208/0212; passport 8859-9"
    for value, label in (("8859-9", "ID_NUMBER"), ("2822", "ID_NUMBER"), ("0208/0212", "PHONE")):
        i = text.index(value)
        assert not plausible_at(label, text, i, i + len(value))
    i = text.rindex("8859-9")
    assert plausible_at("ID_NUMBER", text, i, i + 6)


@pytest.mark.parametrize("text, name, person", [
    ("The Okonjo Foundation funds clinics in Enugu.", "Okonjo", False),
    ("Flights from Jomo Kenyatta International Airport resumed.", "Jomo Kenyatta", False),
    ("The final is at Rod Laver Arena tonight.", "Rod Laver", False),
    ("By Hoeffding's lemma the sum is bounded.", "Hoeffding", False),
    ("We use the Kaplan-Meier estimator throughout.", "Kaplan-Meier", False),
    ("Patient Tom Baker has Crohn's disease.", "Crohn", False),
    ("Patient Tom Baker has Crohn's disease.", "Tom Baker", True),
    ("Ngozi Okonjo, who chairs the foundation, spoke.", "Ngozi Okonjo", True),
    ("Call Maria's number after six.", "Maria", True),
    ("Smith's law firm filed the motion.", "Smith", True),
    ("Regards,\nAmina Yusuf\nStreet team lead", "Amina Yusuf", True),
    ("Estée Lauder Companies named a new brand president.", "Estée Lauder", False),
    ("Shares in Anders Holm Group plc rose.", "Anders Holm", False),
    ("Using a Mann–Whitney U test, we compared the cohorts.", "Mann", False),
    ("Glucose uptake followed a Michaelis–Menten fit.", "Menten", False),
    ("It converged after one Newton-Raphson iteration.", "Newton", False),
    ("Maria's test came back negative.", "Maria", True),
    ("Dr. Anna Group saw the patient.", "Anna Group", True),  # a surname, not a group
    ("Anna Berg tested the build.", "Anna Berg", True),
    ("Contact Fr Michael Doyle for details.", "Fr", False),  # a title alone is no name
    ("Seconded by Cllr O'Donnell.", "Cllr", False),
    ("Det Sgt Ruth Ames gave evidence.", "Det Sgt", False),
    ("Why is Maj so quiet today?", "Maj", True),  # a rank's abbreviation that is also a given name
    ("Herr Frau Lindqvist", "Frau Lindqvist", True),
])
def test_a_name_heading_a_foundation_a_place_or_a_theorem_is_no_person(text, name, person):
    from scanner.shapes import plausible_at

    i = text.index(name)
    assert plausible_at("PERSON", text, i, i + len(name)) is person


def test_no_generated_person_is_taken_for_a_namesake():
    from scanner.shapes import plausible_at
    from scanner.train.generator import generate

    rejected = [r["text"][s["start"]:s["end"] + 20] for split, seed in (("train", 3), ("heldout", 4))
                for r in generate(1500, seed, split) for s in r["spans"]
                if s["label"] == "PERSON" and not plausible_at("PERSON", r["text"], s["start"], s["end"])]
    assert rejected == []
