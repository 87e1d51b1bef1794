"""The entity stage: one name per person across mentions; rule spans are marked."""
from __future__ import annotations

from pipeline.nlp import canonical_people, same_person
from pipeline.records import Mention, PersonName


def person(name: str, start: int, role: str | None = None, title: str | None = None) -> Mention:
    return Mention("PERSON", name, start, start + len(name), person=PersonName(name, title, role))


def test_surname_mentions_carry_the_full_name():
    found = canonical_people([person("Franziska Giffey", 0, role="Regierende Bürgermeisterin"),
                              person("Giffey", 50), person("Kai Wegner", 90)])
    assert [m.person.name for m in found] == ["Franziska Giffey", "Franziska Giffey", "Kai Wegner"]
    assert found[1].person.role == "Regierende Bürgermeisterin" and found[1].text == "Giffey"


def test_same_person():
    assert same_person("Giffey", "Franziska Giffey") and same_person("Kai Wegner", "kai wegner")
    assert not same_person("Franz", "Franziska Giffey") and not same_person("Anna Giffey", "Franziska Giffey")
