# Targets a newcomer guesses. npm scripts hold the commands; make is a thin front door.
.PHONY: install dev build test check bench bench-search deploy rotate-key retire-key rotate-signing-key destroy clean

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

# Export, import, count or wipe the deployed table's memories (docs/backup-export-import.md),
# e.g. make memories ARGS="export --out backup.jsonl"
.PHONY: memories
memories:
	bash scripts/memories.sh $(ARGS)

clean:
	rm -rf dist src/generated
