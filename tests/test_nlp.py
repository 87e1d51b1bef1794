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


def blank_with_ner_span(lang: str, start_token: int, end_token: int):
    """A blank pipeline whose stand-in 'ner' marks tokens [start_token, end_token) as ORG, then the rulers."""
    import spacy
    from spacy.language import Language
    from spacy.tokens import Span

    from pipeline.nlp import add_rulers

    name = f"fake_ner_{lang}_{start_token}_{end_token}"
    if name not in Language.factories:
        @Language.component(name)
        def fake_ner(doc):
            if len(doc) > end_token:  # (the rulers also run it over their phrase patterns)
                doc.ents = [Span(doc, start_token, end_token, label="ORG")]
            return doc
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(name, name="ner")
    add_rulers(nlp, lang)
    return nlp


def test_german_head_patterns_override_a_short_ner_span():
    nlp = blank_with_ner_span("de", 1, 4)  # "Senatsverwaltung für Arbeit"
    doc = nlp("Die Senatsverwaltung für Arbeit, Soziales und Integration lädt ein.")
    assert [e.text for e in doc.ents] == ["Senatsverwaltung für Arbeit, Soziales und Integration"]


def test_english_ner_spans_are_kept():
    nlp = blank_with_ner_span("en", 1, 4)
    doc = nlp("The Ministry of Transport and Housing said so.")
    assert [e.text for e in doc.ents] == ["Ministry of Transport"]


def test_an_organisation_may_contain_a_city_but_not_cross_one():
    from pipeline.nlp import EntityFinder
    from pipeline.records import Article
    from pipeline.settings import Settings

    text = ("Die Universität Leipzig und die Stadt Leipzig haben am 3. Mai 2024 eine Vereinbarung unterzeichnet. "
            "Auch die Senatsverwaltung für Umwelt, Verkehr und Klimaschutz war dabei.")
    article = Article(id="a", source="t", url=None, title="", text=text, published="2024-05-03", language="de")
    finder = EntityFinder(Settings())
    found = finder.find(article, finder.nlp("de")(text))
    orgs = {m.org for m in found if m.type == "ORG"}
    cities = {m.city.name for m in found if m.type == "CITY"}
    assert {"Universität Leipzig", "Senatsverwaltung für Umwelt, Verkehr und Klimaschutz"} <= orgs
    assert "Leipzig" in cities and "Stadt Leipzig" not in orgs


def test_registry_names_override_a_short_ner_span():
    nlp = blank_with_ner_span("de", 3, 5)  # "Bündnis 90"
    doc = nlp("Die Fraktion von Bündnis 90/Die Grünen stimmte zu.")
    assert "Bündnis 90/Die Grünen" in [e.text for e in doc.ents]


def test_rule_spans_never_cut_a_longer_ner_span():
    nlp = blank_with_ner_span("en", 1, 6)  # "United Nations Human Rights Office"
    doc = nlp("The United Nations Human Rights Office supports the coalition.")
    assert [e.text for e in doc.ents] == ["United Nations Human Rights Office"]
    assert all(e.ent_id_ != "press_rule" for e in doc.ents)


def test_acronyms_defined_for_non_organisations_are_dropped():
    from pipeline.nlp import without_generic_acronyms
    text = ("Nurses in intensive care units (ICU) use it. The Neustadt Festival Office (NFO) and "
            "Jonas Probe (SPD) signed a memorandum of understanding (MOU).")
    def org(name):
        start = text.find(name)
        return Mention("ORG", name, start, start + len(name), org=name)
    kept = without_generic_acronyms(text, [org("ICU"), org("Neustadt Festival Office"), org("NFO"), org("SPD"),
                                           org("MOU")])
    assert [m.org for m in kept] == ["Neustadt Festival Office", "NFO", "SPD"]


def test_person_surnames_and_lower_case_words_are_no_english_organisations():
    from pipeline.nlp import common_word, names_a_person
    people_found = [person("Hanna Sample-Waltz", 0), person("Cityflag", 40)]
    org = Mention("ORG", "Sample-Waltz", 60, 72, org="Sample-Waltz")
    lone = Mention("ORG", "Cityflag", 80, 88, org="Cityflag")
    assert names_a_person(org, people_found) and not names_a_person(lone, people_found)
    text = "Hydrogen plants need cheap hydrogen. Visit www.examplecorp.com or Examplecorp."
    assert common_word("Hydrogen", text) and not common_word("Examplecorp", text) and not common_word("EU", text)


def test_statistical_org_spans_end_at_a_legal_form_and_before_an_inner_article():
    nlp = blank_with_ner_span("de", 1, 10)
    doc = nlp("Die Musterbau Wohnungsgesellschaft mbH vor Ort im Club Beispiel feierte.")
    from pipeline.nlp import EntityFinder
    from pipeline.records import Article
    from pipeline.settings import Settings
    finder = EntityFinder(Settings())
    finder._nlp["de"] = nlp
    text = doc.text
    article = Article(id="a", source="t", url=None, title="", text=text, published=None, language="de")
    assert [m.org for m in finder.find(article, doc) if m.type == "ORG"] == ["Musterbau Wohnungsgesellschaft mbH"]
    nlp = blank_with_ner_span("de", 1, 7)
    doc = nlp("Das Beispiel-Institut Das Zentrum für Probenkunde lädt ein.")
    article = Article(id="b", source="t", url=None, title="", text=doc.text, published=None, language="de")
    assert "Das Zentrum für Probenkunde" not in [m.text for m in finder.find(article, doc) if m.type == "ORG"]
    assert "Beispiel-Institut" in [m.org for m in finder.find(article, doc) if m.type == "ORG"]


def english_orgs(text: str, spans: list[tuple[str, int]]) -> list[str]:
    """ORG names the finder keeps when a stand-in NER marks the given (text, occurrence) spans as ORG."""
    import spacy
    from spacy.language import Language
    from spacy.tokens import Span

    from pipeline.nlp import EntityFinder, add_rulers
    from pipeline.records import Article
    from pipeline.settings import Settings

    marks = []
    for part, nth in spans:
        at = -1
        for _ in range(nth + 1):
            at = text.index(part, at + 1)
        marks.append((at, at + len(part)))
    name = "fake_ner_en_" + str(abs(hash((text, tuple(marks)))))
    if name not in Language.factories:
        @Language.component(name)
        def fake_ner(doc):
            if doc.text == text:
                doc.ents = [doc.char_span(s, e, label="ORG") for s, e in marks]
            return doc
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(name, name="ner")
    add_rulers(nlp, "en")
    finder = EntityFinder(Settings())
    finder._nlp["en"] = nlp
    article = Article(id="a", source="t", url=None, title="", text=text, published=None, language="en")
    return [m.org for m in finder.find(article, nlp(text)) if m.type == "ORG"]


def test_english_names_before_a_place_or_programme_noun_are_no_organisations():
    text = "Fox Bank said the old Fox Bank campus will reopen. Harbor Trust runs the site."
    assert english_orgs(text, [("Fox Bank", 0), ("Fox Bank", 1), ("Harbor Trust", 0)]) == ["Harbor Trust"]
    text = "Money goes to Alpha Link, Beta Works, and our Gamma City initiatives, says Delta Group."
    assert english_orgs(text, [("Alpha Link", 0), ("Beta Works", 0), ("Delta Group", 0)]) == ["Delta Group"]


def test_english_names_end_at_a_line_break_and_take_their_lower_case_head_or_foreign_rest():
    text = "Sampletown joins the Example Alliance for Energy\nSampletown, 30 June 2024. The city signed."
    assert english_orgs(text, [("Example Alliance for Energy\nSampletown", 0)]) == ["Example Alliance for Energy"]
    text = "The centre opens with St. Examples college to train veterans."
    assert english_orgs(text, [("St. Examples", 0)]) == ["St. Examples college"]
    text = "The city signed an agreement with Kraft i Nord from Norway."
    assert english_orgs(text, [("Kraft", 0)]) == ["Kraft i Nord"]


def test_the_board_of_a_known_organisation_is_the_organisation():
    from pipeline.nlp import without_board
    assert without_board("C40 Board") == "C40" and without_board("ABCD Board") == "ABCD"
    assert without_board("Sampletown Tourism Board") == "Sampletown Tourism Board"


def test_acronyms_defined_with_a_prefix_or_plural_are_dropped_too():
    from pipeline.nlp import without_generic_acronyms
    text = "It makes synthetic sustainable aviation fuel (e-SAF). No SAF is made here. Intensive care units (ICUs) ..."
    found = [Mention("ORG", name, text.rindex(name), text.rindex(name) + len(name), org=name) for name in ("SAF", "ICU")]
    assert without_generic_acronyms(text, found) == []


def test_english_names_split_by_the_ner_are_joined_and_possessives_cut():
    text = "Information from the Press and Information Office of the Federal State of Sampleland: it rains."
    assert english_orgs(text, [("Press and Information Office", 0), ("Federal State of Sampleland", 0)]) == \
        ["Press and Information Office of the Federal State of Sampleland"]
    text = "Lopez has led the Alamo Area MPO for years. The Example Innovation group reported it."
    assert english_orgs(text, [("MPO", 0), ("Example Innovation", 0)]) == ["Alamo Area MPO", "Example Innovation group"]
    text = "Money came from the Welsh Government’s Active Travel Fund and the Mayor’s Council on Parks."
    assert english_orgs(text, [("Welsh Government’s Active Travel Fund", 0), ("Mayor’s Council on Parks", 0)]) == \
        ["Welsh Government", "Mayor’s Council on Parks"]


def test_german_compounds_hide_network_mentions():
    from pipeline.nlp import EntityFinder
    from pipeline.records import Article
    from pipeline.settings import Settings
    text = "Das Land Berlin hat auf der Eurocities-Konferenz in Utrecht gesprochen und EU-Mittel beantragt."
    finder = EntityFinder(Settings())
    found = finder.find(Article(id="a", source="t", url=None, title="", text=text, published=None, language="de"),
                        finder.nlp("de")(text))
    orgs_found = [(m.text, m.start) for m in found if m.type == "ORG"]
    assert ("Eurocities", text.index("Eurocities")) in orgs_found and not any(t == "EU" for t, _ in orgs_found)


def persons_in(lang: str, text: str) -> list[str]:
    from pipeline.nlp import EntityFinder
    from pipeline.records import Article
    from pipeline.settings import Settings
    finder = EntityFinder(Settings())
    article = Article(id="a", source="t", url=None, title="", text=text, published=None, language=lang)
    return [m.person.name for m in finder.find(article, finder.nlp(lang)(text)) if m.type == "PERSON"]


def test_names_beside_a_person_or_role_are_people_whatever_their_first_name():
    assert "Quirin Zaunkönig" in persons_in("de", "Seitdem organisierten Bernd Sieben und Quirin Zaunkönig die Besuche.")
    assert "Ylvie Brakel" in persons_in("de", "Wir arbeiten mit der Partnerschaftsbeauftragten, Ylvie Brakel, zusammen.")
    assert "Oleks Pyrihow" in persons_in(
        "de", "Der stellvertretende Bürgermeister von Kiew, Oleks Pyrihow, wird ein Memorandum unterzeichnen.")
    assert "Yrsa Wrobelski" in persons_in("de", "Er sprach mit Yrsa Wrobelski, Premier des Bundesstaates, über Medizin.")
    assert "Zofia Wrzosek" in persons_in("en", "It was signed by Callum Reid, director of Festivals Edinburgh, and "
                                               "Zofia Wrzosek, director of KBF.")
    # no role, no person beside: two capitalised words stay what they are
    assert persons_in("de", "Die Ausstellung Blaue Stunde, die bis Mai läuft, zeigt Grafik.") == []


def test_a_city_inside_the_role_does_not_block_the_name():
    assert "Katharina Günther-Wünsch" in persons_in(
        "de", "Die Vereinbarung unterzeichneten die Berliner Senatorin Katharina Günther-Wünsch und der Minister.")


def test_a_large_city_in_the_genitive_after_the_role_is_the_affiliation():
    from pipeline.nlp import EntityFinder
    from pipeline.records import Article
    from pipeline.settings import Settings
    text = "Er traf den Oberbürgermeister Hanois Nguyen Duc Chung, und die Staatssekretärin Iris Probe sprach."
    finder = EntityFinder(Settings())
    found = [m.person for m in finder.find(Article(id="a", source="t", url=None, title="", text=text, published=None,
                                                   language="de"), finder.nlp("de")(text)) if m.type == "PERSON"]
    names = {p.name: p for p in found}
    assert "Nguyen Duc Chung" in names and names["Nguyen Duc Chung"].affiliation == "Hanoi"
    assert "Iris Probe" in names and names["Iris Probe"].affiliation is None


def test_word_tests_as_lexeme_flags_match_the_same_spans():
    """The rulers' set and regex tests become lexeme flags (fast); on the real person and organisation
    patterns, a Matcher with the rewritten patterns finds exactly what one with the originals finds."""
    import spacy
    from spacy.matcher import Matcher

    from pipeline import orgs, people
    from pipeline.nlp import LexemeFlags

    texts = {"de": "Oberbürgermeisterin Dr. Anna Schmidt (SPD) und Bürgermeister Jan Kowalski unterzeichneten mit "
                   "der Senatsverwaltung für Stadtentwicklung, dem Bundesministerium des Innern und dem "
                   "Deutschen Städtetag die Erklärung. A. B. Müller-Lüdenscheidt vom Forschungsinstitut Nord sprach.",
             "en": "Mayor Sadiq Khan and Dr. Maria Rossi of the University of Bologna signed with the Department "
                   "for Transport. Councillor J. Smith, Office of the Mayor, and the Eurocities Association said so."}
    for lang, text in texts.items():
        patterns = people.person_patterns(lang) + orgs.org_patterns(lang, with_prefix_heads=True, with_registry=False)
        token_patterns = [p["pattern"] for p in patterns if isinstance(p["pattern"], list)]
        nlp_old, nlp_new = spacy.blank(lang), spacy.blank(lang)
        nlp_old.add_pipe("sentencizer"), nlp_new.add_pipe("sentencizer")
        flags = LexemeFlags(nlp_new.vocab)
        rewritten = [flags.rewrite(p) for p in token_patterns]
        word_tests = [spec for p in rewritten for spec in p
                      if any(isinstance(v, dict) and k.upper() in ("TEXT", "ORTH", "LOWER") for k, v in spec.items())]
        assert flags.names and not word_tests  # every word test became a flag
        old, new = Matcher(nlp_old.vocab), Matcher(nlp_new.vocab, validate=False)  # (flags are not in the schema)
        for i, (p_old, p_new) in enumerate(zip(token_patterns, rewritten)):
            old.add(str(i), [p_old])
            new.add(str(i), [p_new])
        doc_old, doc_new = nlp_old(text), nlp_new(text)
        found_old = sorted((nlp_old.vocab.strings[m], s, e) for m, s, e in old(doc_old))
        found_new = sorted((nlp_new.vocab.strings[m], s, e) for m, s, e in new(doc_new))
        assert found_old and found_new == found_old


def test_opening_split_ruler_finds_what_the_entity_ruler_finds():
    """The organisation patterns open with up to two optional adjectives ("Deutsche", "Berliner"); the ruler
    matches them without that opening and adds it back. On the real German and English patterns, its
    matches (in order) and the entities it sets are those of spaCy's EntityRuler with the same patterns."""
    import json

    import spacy
    from spacy.pipeline import EntityRuler

    from pipeline import orgs, people
    from pipeline.nlp import LexemeFlags, PrefixSplitRuler

    texts = {"de": ["Der Paritätische Wohlfahrtsverband, die Berliner Stadtreinigungsbetriebe und der Verein Neue "
                    "Nachbarschaft e. V. trafen die Evangelische Hochschule Berlin und Dr. Anna Schmidt vom Deutschen "
                    "Institut für Urbanistik. Die Freie Universität und der Große Berliner Landesverband sowie die "
                    "Stiftung Neue Kunst gGmbH luden ein.", "Berliner Tafel e. V. und Große Neue Werkstatt GmbH."],
             "en": ["The European Cities Network and the Greater London Authority met Mayor Jane Doe of the City "
                    "Council. The Royal Society for Public Health, Northern Rail Ltd and the British Council spoke."]}
    for lang, docs in texts.items():
        patterns = people.person_patterns(lang) + orgs.org_patterns(lang, with_prefix_heads=lang != "de",
                                                                    with_registry=False)  # as nlp.add_rulers
        nlp = spacy.blank(lang)
        flags = LexemeFlags(nlp.vocab)
        patterns = [{**p, "pattern": flags.rewrite(p["pattern"]), "id": "rule"} for p in patterns]
        plain, split = EntityRuler(nlp, "plain"), PrefixSplitRuler(nlp, "split")
        plain.add_patterns(patterns), split.add_patterns(patterns)
        listed = lambda ruler: sorted(json.dumps(p, sort_keys=True) for p in ruler.patterns)
        assert split._split and len(split) == len(plain) and listed(split) == listed(plain)
        for text in docs:
            assert split.match(nlp(text)) == plain.match(nlp(text))
            ents = lambda ruler: [(e.start, e.end, e.label_, e.ent_id_) for e in ruler(nlp(text)).ents]
            assert ents(split) == ents(plain)
        if lang == "de":
            found = [e.text for e in split(nlp(docs[0])).ents]
            assert "Paritätische Wohlfahrtsverband" in found and "Große Berliner Landesverband" in found
        split.remove("rule")
        assert len(split) == 0 and not split._split


def test_leading_optional_splits_only_optional_openings():
    from pipeline.nlp import leading_optional
    word = {"IS_TITLE": True}
    assert leading_optional([{**word, "OP": "{0,2}"}, {"LOWER": "stiftung"}]) == (word, 2, [{"LOWER": "stiftung"}])
    assert leading_optional([{**word, "OP": "?"}, {"LOWER": "a"}, {"LOWER": "b"}])[1:] == (1, [{"LOWER": "a"}, {"LOWER": "b"}])
    assert leading_optional([{**word, "OP": "{1,2}"}, {"LOWER": "a"}]) is None  # not optional
    assert leading_optional([{**word, "OP": "+"}, {"LOWER": "a"}]) is None
    assert leading_optional([{**word, "OP": "?"}]) is None  # nothing left to match on its own
    assert leading_optional([{**word, "OP": "?"}, {**word, "OP": "?"}, {"LOWER": "a"}]) is None
    assert leading_optional("Deutscher Städtetag") is None
