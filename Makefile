# Omni suite: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup lint test demo install-check bench-stripe

help:
	@echo "make demo   - set up and serve the demo database omni_demo at http://localhost:8069 (admin/admin)"
	@echo "make test   - set up and run every test (lint included) on a fresh database"
	@echo "make lint   - ruff and the mandatory pylint-odoo checks"
	@echo "make install-check - install/uninstall each addon alone and together, with and without demo data"
	@echo "make bench-stripe [ARGS=\"--n 20000\"] - Stripe import benchmark vs one-transaction-per-txn baseline"

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

bench-stripe: setup
	@scripts/bench.sh stripe $(ARGS)
