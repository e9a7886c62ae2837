# Targets a newcomer guesses; `make` alone lists them. npm scripts hold the commands; make is a thin front door.
# Dependencies are installed only when node_modules is missing or older than package-lock.json: npm writes
# node_modules/.package-lock.json on every install, so it stamps when the last one happened.
.DEFAULT_GOAL := help
.PHONY: help install dev build test check bench bench-search reindex deploy rotate-key retire-key rotate-signing-key destroy clean

INSTALLED := node_modules/.package-lock.json

help: ## list the targets and what they do (the default)
	@printf 'make <target>, one of:\n'
	@awk -F ':.*## ' '/^[a-z-]+:.*## / { printf "  %-19s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

install: $(INSTALLED) ## install the dependencies (npm ci), only when missing or older than package-lock.json

$(INSTALLED): package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

dev: install ## run the local server with the embedded DynamoDB (npm start)
	npm start

build: install ## build the Lambda bundle, dist/lambda.zip
	npm run build

test: install ## run every test (npm test)
	npm test

check: install ## format check, lint and type-check (Biome, tsc)
	npm run check

bench: install ## the cold-start and request benchmarks
	npm run bench

bench-search: install ## the search benchmark over growing memory sets
	npm run bench:search

reindex: install ## index a table written before the search index: TABLE_NAME=<table> make reindex
	npm run reindex

# --- deployment (terraform/) ---
deploy: build ## build, then create or update the deployment in your AWS account
	bash scripts/deploy.sh apply

rotate-key: ## add a new API key and deploy it beside the old one
	bash scripts/deploy.sh rotate-key

retire-key: ## keep only the newest API key and deploy that
	bash scripts/deploy.sh retire-key

rotate-signing-key: install ## rotate the deployed OAuth signing key
	bash scripts/deploy.sh rotate-signing-key

destroy: ## remove the deployment (the table and its memories stay unless asked)
	bash scripts/deploy.sh destroy

clean: ## remove build output (dist/, src/generated/); node_modules stays
	rm -rf dist src/generated
