"""The benchmarks of RaaS: each prints its figures beside a ceiling measured in the same run.

Run them from the project root with the project's Python (the Makefile does):

    python -m bench.register    make bench           registerPerson, listRegistrations against two ceilings
    python -m bench.search      make bench-search    phonetic search: recall and latency over SOAP
    python -m bench.batch       make bench-batch     nightly batch: records/s and peak memory
    python -m bench.storage     make bench-storage   bytes per person, line and audit row

The parts they share, one module each:

    postgres.py    a temporary RAAS_HOME, the embedded PostgreSQL started and stopped
    world.py       the database measured (embedded or RAAS_BENCH_DATABASE_URL, migrations,
                   tenant, client, persons); the service's code is called from here
                   (see its docstring for the few other modules that import it)
    envelopes.py   SOAP envelopes, the WS-Security header, one POST
    servers.py     the ceilings' servers (plain WSGI, spyne echo), run as `python -m bench.servers`
    processes.py   starting and stopping those servers and `raas serve`; the raas command
    plans.py       the requests of a load phase, written for the load generators
    answers.py     a sample of answers parsed and checked before each phase
    load.py        driving a phase: wrk with soap.lua when installed, else pyload.py
    cpu.py         whose CPU a phase used (server, PostgreSQL, load generator, others)
    reports.py     phase lines and tables, notes, host facts, the SVG, JSON result files

Each benchmark's own parts: search_population.py, search_queries.py and search_scoring.py
for bench.search, batch_ceiling.py for bench.batch. Results go to bench/results/.
"""

from pathlib import Path

import register  # noqa: F401  first: on Python 3.12+ it makes spyne importable (register.compat)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent  # the project: servers and the raas command run in it
RESULTS = BENCH / "results"
