# Every target runs offline except preview, up and destroy, which need the Pulumi CLI and AWS credentials.
SHELL := /bin/bash
STACK ?= dev
GO ?= go
# Local file backend by default; set PULUMI_BACKEND_URL to use any other backend.
export PULUMI_BACKEND_URL ?= file://$(CURDIR)/.pulumi-state

.PHONY: test plan build/bin/plan build stack preview up destroy lint deps smoke diagram bench-functions doctor local bench-local rollback roll-forward pin-check

# actionlint pinned from the Go module proxy, so Go is all lint needs.
ACTIONLINT := $(GO) run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

# npm dev dependencies (dynalite, the real DynamoDB engine the tests start on loopback).
node_modules/.package-lock.json: package-lock.json package.json
	npm ci --ignore-scripts --no-audit --no-fund

deps: node_modules/.package-lock.json
	$(GO) mod download

test: deps
	$(GO) test -count=1 ./...

# The plan runs as a built binary, not `go run`, which reports every failure as exit status 1: the
# plan exits 1 when a check fails and 2 when it cannot plan. make itself exits 2 on any failure, and
# names the plan's own status in its "Error N" line; scripts that branch on it run build/bin/plan.
# PLAN_FLAGS passes flags through: make plan PLAN_FLAGS=-full, PLAN_FLAGS='-format sarif'.
build/bin/plan:
	@echo "building build/bin/plan (the first build compiles the Pulumi and AWS SDKs: a few minutes)..." >&2
	$(GO) build -o build/bin/plan ./cmd/plan

plan: build/bin/plan
	build/bin/plan -stack $(STACK) $(PLAN_FLAGS)

# Regenerates the README's architecture diagram from the dev stack (a test fails when it is out of date).
diagram: build/bin/plan
	build/bin/plan -stack dev -diagram README.md > /dev/null

build:
	$(GO) run ./cmd/buildfunctions -out build

# Warm handler time/allocs, cold start as ratios to baselines run alongside, binary sizes; fails on a
# missed target (bench exit 1) or a failed step (2), and then keeps its logs in the directory it names.
bench-functions: deps
	bash bench/functions.sh

# The private API on 127.0.0.1 as API Gateway serves STACK's stage: SigV4 with this shell's AWS
# credentials, the real bootstraps, dynalite. PORT and DATA (a directory that keeps the table) are
# optional. Ctrl-C stops everything.
PORT ?= 3000
local: deps
	$(GO) run ./cmd/local -stack $(STACK) -port $(PORT) $(if $(DATA),-data $(DATA))

# p50/p99 of a signed GET of a claim through cmd/local, and its start-up time to the first answer.
bench-local: deps
	bash bench/local.sh

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(ACTIONLINT)

# Read-only preflight of STACK's account and region with your AWS credentials, before `make up`. A built
# binary rather than `go run`, so make reports doctor's own status (1 a check failed, 2 usage, 3 AWS unreadable).
doctor:
	$(GO) build -o build/bin/doctor ./cmd/doctor
	./build/bin/doctor -stack $(STACK)

# The program compiles each function's bootstrap itself before deploying it.
stack:
	@case "$$PULUMI_BACKEND_URL" in file://*) mkdir -p "$${PULUMI_BACKEND_URL#file://}";; esac
	pulumi stack select $(STACK) --create

preview: stack
	pulumi preview --diff --stack $(STACK)

up: stack
	pulumi up --stack $(STACK)

destroy: stack
	pulumi destroy --stack $(STACK)

# Rollback without a rebuild: point function FN's alias live at its published VERSION (config
# private-api:functions.pinnedVersions.FN), then deploy. VERSION=latest removes the pin, as
# roll-forward does. cmd/pin refuses an unknown function or a version that is no version number
# before the config changes.
rollback: pin-check stack
	$(GO) run ./cmd/pin -stack $(STACK) -function '$(FN)' -version '$(VERSION)'
	pulumi up --stack $(STACK)

pin-check:
	$(GO) run ./cmd/pin -check -stack '$(STACK)' -function '$(FN)' -version '$(VERSION)'

roll-forward:
	$(MAKE) rollback STACK=$(STACK) FN='$(FN)' VERSION=latest

# Post-deploy checks from STACK's test client through SSM (needs the pulumi CLI and AWS credentials).
smoke:
	$(GO) run ./cmd/smoke -stack $(STACK)
