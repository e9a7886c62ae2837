# Targets a newcomer guesses. npm scripts hold the commands; make is a thin front door.
.PHONY: install dev build test check bench bench-search reindex deploy rotate-key retire-key rotate-signing-key destroy clean

install:
	npm ci

dev: install
	npm start

build:
	npm run build

test:
	npm test

check:
	npm run check

bench:
	npm run bench

bench-search:
	npm run bench:search

# Indexes a table written before the search index (docs/storage-index.md): TABLE_NAME=<table> make reindex
reindex:
	npm run reindex

# --- deployment (terraform/) ---
deploy: build
	bash scripts/deploy.sh apply

rotate-key:
	bash scripts/deploy.sh rotate-key

retire-key:
	bash scripts/deploy.sh retire-key

rotate-signing-key:
	bash scripts/deploy.sh rotate-signing-key

destroy:
	bash scripts/deploy.sh destroy

clean:
	rm -rf dist src/generated
