"""Signatures and partnerships from team-written sentences, through the real entity stage."""
from __future__ import annotations

import pytest

from pipeline.nlp import EntityFinder
from pipeline.records import Article
from pipeline.relations import agreement_names, extract_relations, signing_status, Sentence
from pipeline.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def finder():
    return EntityFinder(Settings())


def relations(finder, text: str, lang: str, published: str | None = None):
    art = Article("t", "t.txt", None, text.split("\n")[0], text, published, language=lang)
    doc = next(iter(finder.docs([art])))
    return extract_relations(art, doc, finder.find(art, doc))


@pytest.mark.parametrize("sentence,lang,name", [
    ("Die Stadt hat die Resolution „Städte für saubere Luft“ unterzeichnet.", "de", "Städte für saubere Luft"),
    ("Beide Seiten unterzeichneten eine Vereinbarung zur Vertiefung der Zusammenarbeit.", "de",
     "Vereinbarung zur Vertiefung der Zusammenarbeit"),
    ("Der Bezirk unterzeichnete die Gemeinsame Erklärung gegen Lärm.", "de", "Gemeinsame Erklärung gegen Lärm"),
    ("The council signed the Glasgow Food and Climate Declaration on Monday.", "en",
     "Glasgow Food and Climate Declaration"),
    ("Both cities signed a cooperation agreement in the town hall.", "en", "cooperation agreement"),
    ("Leeds signed the Integrating Cities Charter, which commits it to equal treatment.", "en",
     "Integrating Cities Charter"),
    ("Both offices signed a memorandum of understanding on exchanging artists and festival staff.", "en",
     "memorandum of understanding on exchanging artists and festival staff"),
    ("The mayors signed an agreement on cooperation between Rivertown and Hilltown as twin cities.", "en",
     "agreement on cooperation between Rivertown and Hilltown as twin cities"),
    ("Leeds signed a Friendship Oath with Kharkiv on Monday.", "en", "Friendship Oath"),
    ("The city signed the agreement on Monday in Paris.", "en", "agreement"),
])
def test_document_names(sentence, lang, name):
    assert agreement_names(Sentence(0, len(sentence), sentence), lang)[0].name == name


@pytest.mark.parametrize("text,lang,status", [
    ("Der Vertrag soll im Mai unterzeichnet werden.", "de", "planned"),
    ("Die Vereinbarung wurde nicht unterzeichnet.", "de", "refused"),
    ("Die Bürgermeisterin unterzeichnete die Charta.", "de", "signed"),
    ("Der Bezirk bereitet die Unterzeichnung derzeit vor.", "de", "planned"),
    ("The mayor will sign the declaration next week.", "en", "planned"),
    ("The council declined to sign the pact.", "en", "refused"),
    ("A spokesperson confirmed that no charter has been signed.", "en", "refused"),
    ("The mayor signed the declaration on Friday.", "en", "signed"),
])
def test_signing_status(text, lang, status):
    assert signing_status(text, lang) == status


def test_list_of_signatories_with_date_and_person(finder):
    text = ("Fünf Städte unterzeichnen Charta\n"
            "Am 20. November 2024 haben Leipzig, Dresden, Prag, Breslau und Krakau in Görlitz die Charta "
            "„Grenzenlose Nachbarschaft“ unterzeichnet. Oberbürgermeister Dr. Karl Muster unterzeichnete für Leipzig.")
    sigs, _ = relations(finder, text, "de")
    signed = {s.signatory for s in sigs if s.status == "signed"}
    assert {"Leipzig", "Dresden", "Prague", "Wrocław", "Kraków"} <= signed
    assert "Görlitz" not in signed  # the place of the signing is not a party
    assert {s.agreement for s in sigs} == {"Grenzenlose Nachbarschaft"}
    assert all(s.date == "2024-11-20" for s in sigs)


def test_invitation_makes_every_row_planned(finder):
    text = ("Presseeinladung: Kiel und Gdynia unterzeichnen Absichtserklärung\n"
            "Kiel und Gdynia unterzeichnen am 3. Juni 2025 eine Absichtserklärung zur Zusammenarbeit in der Hafenpolitik.")
    sigs, _ = relations(finder, text, "de")
    assert sigs and {s.status for s in sigs} == {"planned"}


def test_english_parties_after_the_verb_need_an_introducing_word(finder):
    text = ("Bristol signs charter\nBristol City Council signed the Charter for Clean Rivers at a ceremony in Cardiff "
            "organised by the Environment Agency. Other signatories include Bath, Exeter and Plymouth.")
    sigs, _ = relations(finder, text, "en")
    signed = {s.signatory for s in sigs if s.status == "signed"}
    assert {"Bristol", "Bath", "Exeter", "Plymouth"} <= signed
    assert "Cardiff" not in signed and "Environment Agency" not in signed


def test_twinning_and_project_members(finder):
    text = ("Städtepartnerschaft mit Pécs erneuert\n"
            "Die Stadt Fürth und ihre Partnerstadt Pécs feiern 30 Jahre Städtepartnerschaft. "
            "Im EU-Projekt GREENLINK arbeiten Fürth, Pécs, Graz und Aarhus an grünen Verkehrsachsen.")
    _, parts = relations(finder, text, "de")
    twin = {p.member for p in parts if p.kind == "twinning"}
    project = {p.member for p in parts if p.kind == "project" and p.partnership == "GREENLINK"}
    assert {"Fürth", "Pécs"} <= twin
    assert {"Fürth", "Pécs", "Graz", "Århus"} <= project
    assert {p.partnership for p in parts if p.kind == "twinning"} == {"Städtepartnerschaft Fürth–Pécs"}


def test_english_twinnings_are_named_in_english(finder):
    text = "Leeds renews its twinning with Dortmund\nLeeds and its twin city Dortmund renewed their links today."
    _, parts = relations(finder, text, "en")
    assert {p.partnership for p in parts if p.kind == "twinning"} == {"Twinning Leeds–Dortmund"}


def test_network_joined_and_its_listed_members(finder):
    text = ("Potsdam tritt dem Klimastädte-Netzwerk bei\n"
            "Die Stadt Potsdam ist dem Klimastädte-Netzwerk beigetreten. "
            "Dem Netzwerk gehören bereits Freiburg, Tübingen und Heidelberg an.")
    _, parts = relations(finder, text, "de")
    members = {p.member for p in parts if p.kind == "network" and p.partnership == "Klimastädte-Netzwerk"}
    assert members == {"Potsdam", "Freiburg", "Tübingen", "Heidelberg"}


def test_registry_network_members_by_anaphora_and_not_by_signing_its_charter(finder):
    text = ("Five cities sign the C40 Clean Air Declaration\n"
            "The mayors of Leeds, Lyon and Turin signed the C40 Clean Air Declaration on 3 May 2024. "
            "All three are members of the C40 Cities network.")
    _, parts = relations(finder, text, "en")
    assert {p.member for p in parts if p.partnership == "C40 Cities"} == {"Leeds", "Lyon", "Turin"}
    text = ("Leeds signs the Integrating Cities Charter of EUROCITIES\n"
            "Leeds signed the Integrating Cities Charter of EUROCITIES on 3 May 2024. "
            "Lyon and Turin signed it in 2015.")
    _, parts = relations(finder, text, "en")
    assert not {"Lyon", "Turin"} & {p.member for p in parts if p.partnership == "EUROCITIES"}


def test_a_possessive_ends_an_english_document_name():
    t = "Sampleton and Example Energy sign co-operation agreement on Finland’s largest plant"
    assert agreement_names(Sentence(0, len(t), t), "en")[0].name == "co-operation agreement"


def test_a_party_less_signing_sentence_dates_its_document(finder):
    text = ("Turku and Example Energy sign co-operation agreement\n"
            "Turku and Example Energy signed a co-operation agreement on hydrogen. "
            "The agreement was signed at the Northern Forum in February 2025.")
    sigs, _ = relations(finder, text, "en")
    dates = {s.signatory: s.date for s in sigs}
    assert dates["Turku"] == "2025-02" and dates["Example Energy"] == "2025-02"


def test_the_network_a_declaration_is_named_after_does_not_sign_it(finder):
    text = ("Leeds signs C40 Clean Air Declaration\n"
            "Leeds and C40 Cities signed the C40 Clean Air Declaration on 3 May 2024.")
    sigs, _ = relations(finder, text, "en")
    assert {s.signatory for s in sigs} == {"Leeds"}


def test_alliance_started_by_two_parties(finder):
    text = ("Leipzig und Lyon starten neue Partnerschaft\n"
            "Leipzig und Lyon sind heute eine neue Partnerschaft für Wasserstoffforschung eingegangen. "
            "Auch die Universität Leipzig und die Stadtwerke Lyon beteiligen sich an der Kooperation.")
    _, parts = relations(finder, text, "de")
    allied = [p for p in parts if p.kind == "alliance"]
    assert {p.member for p in allied} >= {"Leipzig", "Lyon"} and len({p.partnership for p in allied}) == 1
    _, parts = relations(finder, "Leipzig und Lyon sprechen über eine mögliche Kooperation im Jahr 2030.", "de")
    assert not [p for p in parts if p.kind == "alliance"]


def test_signing_place_where_stated(finder):
    text = ("Leeds and Lyon sign climate pact\n"
            "Leeds and Lyon signed the Clean Rivers Pact in Brussels on 3 May 2024.")
    sigs, _ = relations(finder, text, "en")
    assert {s.signatory: s.place for s in sigs} == {"Leeds": "Brussels", "Lyon": "Brussels"}
    sigs, _ = relations(finder, "Leipzig hat am 3. Mai 2024 die Charta der Vielfalt unterzeichnet.", "de")
    assert [s.place for s in sigs] == [None]
    sigs, _ = relations(finder, "Pankow in Berlin hat am 3. Mai 2024 die Charta der Vielfalt unterzeichnet.", "de")
    assert [s.place for s in sigs] == [None]  # where Pankow lies, not where it signed


def test_portfolio_in_a_role_title_is_not_a_party():
    from pipeline.records import Mention
    from pipeline.relations import in_role
    text = "Bezirksstadtrat für Ökologische Stadtentwicklung Max Muster und die Firma Beispiel GmbH unterzeichneten."
    portfolio = Mention("ORG", "Ökologische Stadtentwicklung", 20, 48, org="Ökologische Stadtentwicklung")
    firm = Mention("ORG", "Beispiel GmbH", text.index("Beispiel"), text.index("Beispiel") + 13, org="Beispiel GmbH")
    assert in_role(text, portfolio) and not in_role(text, firm)


def test_a_line_ending_in_a_title_runs_on(finder):
    text = ("Kassel: Bürgermeister unterschreiben Erklärung\n"
            "Die Erklärung haben die Bürgermeisterinnen und Bürgermeister Anna Beispiel (Erfurt), Dr.\n"
            "Jonas Muster (Kassel) und Prof. Dr. Lena Probe (Göttingen) am 2. Mai 2023 unterschrieben.")
    sigs, _ = relations(finder, text, "de")
    assert {"Erfurt", "Kassel", "Göttingen"} <= {s.signatory for s in sigs if s.status == "signed"}


def test_genitive_attributes_and_witnesses_do_not_sign(finder):
    text = ("Jena unterzeichnet Charta\n"
            "Die Stadt Jena hat am 4. Mai 2023 die Charta „Faire Beschaffung in Thüringen“ unterzeichnet. "
            "Die unterzeichnete Charta steht auf der Website der Stadt Erfurt zum Download bereit. "
            "Die Unterzeichnung fand im Beisein des Oberbürgermeisters von Weimar statt.")
    sigs, _ = relations(finder, text, "de")
    assert {s.signatory for s in sigs if s.status == "signed"} == {"Jena"}


def test_genitive_rule_keeps_representatives():
    from pipeline.records import Mention
    from pipeline.relations import genitive_attribute
    text = "Vertreter der Stadt Jena und die Website der Stadt Erfurt"
    jena = Mention("CITY", "Jena", text.index("Jena"), text.index("Jena") + 4)
    erfurt = Mention("CITY", "Erfurt", text.index("Erfurt"), text.index("Erfurt") + 6)
    assert not genitive_attribute(text, jena) and genitive_attribute(text, erfurt)


def test_containing_city_is_no_party():
    from pipeline.records import City, Mention
    from pipeline.relations import container
    text = "Bürgermeisterin des Bezirks Nordviertel der Stadt Beispielburg und der Beispielburger Bezirk Südfeld"

    def city(name, surface=None):
        surface = surface or name
        at = text.index(surface)
        return Mention("CITY", surface, at, at + len(surface), city=City(name, None, "DE"))
    mentions = [city("Nordviertel"), city("Beispielburg"), city("Beispielburg", "Beispielburger"), city("Südfeld")]
    assert container(text, mentions[1], mentions) and container(text, mentions[2], mentions)
    assert not container(text, mentions[0], mentions) and not container(text, mentions[3], mentions)


def test_extending_needs_a_named_document(finder):
    text = ("Hamm und Leipzig verlängern Zusammenarbeit\n"
            "Die Oberbürgermeister von Hamm und Leipzig verlängerten am 3. März 2020 die Kooperationsvereinbarung "
            "um fünf Jahre. Die Stadt Kassel verlängert die Öffnungszeiten ihrer Bibliotheken.")
    sigs, _ = relations(finder, text, "de")
    assert {s.signatory for s in sigs if s.status == "signed"} == {"Hamm", "Leipzig"}


def test_follow_up_sentence_names_the_party(finder):
    text = ("Berlin setzt auf grüne Höfe\n"
            "Am 26. Januar 2021 unterzeichnete der Bezirksstadtrat für Umwelt, Max Muster, die Deklaration "
            "„Grüne Höfe“. Damit tritt der Bezirk Neukölln dem Bündnis auch formell bei.")
    sigs, _ = relations(finder, text, "de")
    assert {s.signatory for s in sigs if s.status == "signed"} == {"Neukölln"}


def test_headline_partner_is_not_the_home_city(finder):
    text = ("Städtepartnerschaft mit Krakau gefeiert\n"
            "Nürnberg feiert 30 Jahre Städtepartnerschaft mit Krakau. Auch die Partnerstadt Nizza schickte Grüße.")
    _, parts = relations(finder, text, "de")
    twins = {p.partnership for p in parts if p.kind == "twinning"}
    assert twins and all("Nuremberg" in name for name in twins)  # GeoNames names


def test_headline_wording_maps_onto_the_body_document(finder):
    text = ("Kassel unterzeichnet \"Faire Städte\"-Abkommen\n"
            "Die Stadt Kassel hat die Fair-Cities-Charter unterzeichnet. Oberbürgermeister Dr. Karl Muster "
            "unterzeichnete die Fair-Cities-Charter am 5. Mai 2024 in Bonn.")
    sigs, _ = relations(finder, text, "de")
    assert {s.agreement for s in sigs} == {"Fair-Cities-Charter"}
    assert [s.date for s in sigs] == ["2024-05-05"]


def test_an_acronym_and_its_organisation_sign_once_and_it_follows_its_document(finder):
    text = ("Edinburgh and Kraków renew their twinning agreement\n"
            "The Lord Provost of Edinburgh, Fiona Strachan, and the Deputy Mayor of Kraków, Agnieszka Wołoszyn, "
            "signed the renewed agreement on 27 September 2024. On the same occasion, Festivals Edinburgh and the "
            "Kraków Festival Office (KBF) signed a memorandum of understanding on exchanging artists. It was signed "
            "by Callum Reid, director of Festivals Edinburgh, and Marta Zielińska, director of KBF.")
    sigs, _ = relations(finder, text, "en", "2024-09-30")
    rows = {(s.signatory, s.agreement): s for s in sigs}
    memo = "memorandum of understanding on exchanging artists"
    assert {("Festivals Edinburgh", memo), ("Kraków Festival Office", memo)} <= set(rows)
    assert not any(s.signatory == "KBF" for s in sigs)  # its organisation's one name
    assert ("Edinburgh", memo) not in rows  # the city inside "Festivals Edinburgh" does not sign
    assert rows[("Edinburgh", "twinning agreement")].person == "Fiona Strachan"
    assert rows[("Kraków Festival Office", memo)].person == "Marta Zielińska"


def test_signatories_of_a_project_agreement_are_its_members(finder):
    text = ("Kooperationsvereinbarung für Modellprojekt Hafenblock Neustadt unterzeichnet\n"
            "Am 3. Juni 2024 unterzeichneten der Bezirk Pankow, die Beispielbau Wohnungsgesellschaft mbH und das "
            "Forum Hafenblock die Kooperationsvereinbarung für Modellprojekt Hafenblock Neustadt.")
    sigs, parts = relations(finder, text, "de", "2024-06-04")
    signers = {s.signatory for s in sigs if "Modellprojekt Hafenblock" in s.agreement}
    members = {p.member for p in parts if p.kind == "project" and p.partnership == "Modellprojekt Hafenblock Neustadt"}
    assert len(signers) >= 2 and members == signers


def test_a_district_is_never_twinned_with_its_own_city(finder):
    from pipeline import geo
    assert geo.contains(2950159, 7290252) and not geo.contains(7290252, 2950159)  # Berlin holds Spandau
    assert not geo.contains(2950159, 2842647)  # not Saarbrücken
    text = ("Spandau feiert Städtepartnerschaft mit Siegen\n"
            "Der Berliner Bezirk Spandau und die Stadt Siegen feiern 70 Jahre Städtepartnerschaft, "
            "die seit 1952 Berlin und das Siegerland verbindet.")
    _, parts = relations(finder, text, "de", "2022-06-01")
    twinned = {p.member for p in parts if p.kind == "twinning"}
    assert "Siegen" in twinned and "Berlin" not in twinned


def test_supporters_drafters_and_announcers_do_not_sign(finder):
    text = ("Bristol signs the Harbour Declaration\n"
            "Bristol and Cardiff signed the Harbour Declaration on 3 May 2024 with the support of Eurocities. "
            "The declaration, led by Example Food Alliance and Sample Foundation, asks cities to act.")
    sigs, _ = relations(finder, text, "en", "2024-05-04")
    assert {s.signatory for s in sigs} == {"Bristol", "Cardiff"}
    text = ("Erklärung unterzeichnet\nDas Beispielamt des Landes Berlin teilt mit: Die Bürgermeisterin von Pankow "
            "und der Bürgermeister von Spandau haben heute die Erklärung für saubere Luft unterzeichnet.")
    sigs, _ = relations(finder, text, "de", "2024-05-04")
    assert "Beispielamt des Landes Berlin" not in {s.signatory for s in sigs}
