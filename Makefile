# Omni suite: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup lint test demo install-check readme pot bench-stripe bench-shopify bench-recon bench-3pl

help:
	@echo "make demo   - set up and serve the demo database omni_demo at http://localhost:8069 (admin/admin)"
	@echo "make test   - set up and run every test (lint included) on a fresh database"
	@echo "make lint   - ruff, pylint-odoo (OCA 17.0 checks) and the generated READMEs up to date"
	@echo "make install-check - install/uninstall each addon alone and together, with and without demo data"
	@echo "make readme - regenerate each addon's README.rst and static/description/index.html from readme/"
	@echo "make pot    - export each addon's i18n/<addon>.pot on a fresh database (OMNI_POT_DB, default omni_pot)"
	@echo "make bench-stripe [ARGS=\"--n 20000\"] - Stripe import benchmark vs one-transaction-per-txn baseline"
	@echo "make bench-recon [ARGS=\"--million\"] - reconciliation engine at 10k/100k(/1M) orders vs a naive ORM loop"
	@echo "make bench-3pl [ARGS=\"--n 400\"] - 3PL shipped webhook -> validated delivery latency (p50/p95)"
	@echo "make bench-shopify [ARGS=\"--n 2000\"] - Shopify order import benchmark vs bare ORM ceiling and naive import"

setup:
	@scripts/setup.sh

lint: setup
	@scripts/lint.sh

test: setup lint
	@scripts/test.sh

demo: setup
	@scripts/demo.sh

install-check: setup
	@scripts/install_check.sh

readme: setup
	@scripts/readme.sh

pot: setup
	@scripts/pot.sh

bench-stripe: setup
	@scripts/bench.sh stripe $(ARGS)

bench-shopify: setup
	@scripts/bench.sh shopify $(ARGS)

bench-recon: setup
	@scripts/bench.sh recon $(ARGS)

bench-3pl: setup
	@scripts/bench.sh 3pl $(ARGS)
