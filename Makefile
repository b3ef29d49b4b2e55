# The two commands of the README:
#   make demo   runs the whole pipeline on the built-in sample system
#   make test   installs what the tests need (when missing) and runs every test
.PHONY: demo test build vet fmt bench

demo:
	go run ./cmd/headroom demo

test:
	./scripts/test.sh

build:
	go build -o bin/headroom ./cmd/headroom

vet:
	go vet ./...

fmt:
	gofmt -w .

bench:
	./bench/run.sh
