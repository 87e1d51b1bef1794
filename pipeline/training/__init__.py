"""Training of the project's German NER pipeline (``models/de_press_ner``).

``convert`` turns each NER data format under ``/work/shared/ner-data`` into spaCy ``Doc``
objects with PER/LOC/ORG entities; ``build_de`` converts, trains, evaluates and packages.
"""
