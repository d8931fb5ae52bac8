# The two commands a newcomer needs (see README.md); both are safe to run again.
.PHONY: run test lint bench

run:  ## the portal with demo content at http://127.0.0.1:5000
	bash scripts/run.sh

test:  ## the whole test suite, setting up what is missing first
	bash scripts/test.sh

lint:  ## ruff over the extension and the benchmarks, as scripts/test.sh runs it
	$${OPENGOVPE_VENV:-.venv}/bin/ruff check ckanext bench

bench:  ## search benchmark (N=10000 by default; BENCH_N=100000 for the large run)
	bash scripts/bench.sh
