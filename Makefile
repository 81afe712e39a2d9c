# kume — build and test. `make test` sets up everything the tests need.
.PHONY: test build run lint bench

build:
	go build -o bin/kume ./cmd/kume

run:
	go run ./cmd/kume serve

# test installs missing system packages, starts a throwaway PostGIS, runs go vet,
# staticcheck and every test, then stops the database.
test:
	bash scripts/test.sh

lint:
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
