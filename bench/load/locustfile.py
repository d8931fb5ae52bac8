"""A busy morning on the portal: what citizens, crawlers and API clients ask for.

Read by ``locust`` (started by bench/load_bench.py). The names of datasets,
entities and plans to ask for come from the JSON file in ``OPENGOVPE_LOAD_TARGETS``,
written by the benchmark from the database under test. Weights are requests per
100 in the mix.
"""
from __future__ import annotations

import json
import os
import random
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

with open(os.environ["OPENGOVPE_LOAD_TARGETS"], encoding="utf-8") as stream:
    TARGETS = json.load(stream)

QUERIES = ["contratación", "presupuesto", "salud", "obras públicas", "educación",
           "transporte", "agua", "proveedores", "licitaciones", "seguridad ciudadana"]
FORMATS = ["CSV", "XLSX", "JSON", "PDF"]


class Visitor(FastHttpUser):
    """Each simulated visitor waits 0.5-1.5 s between requests, like a person reading.

    FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load generator runs
    on the same two CPUs as the portal, and spends a fraction of the CPU per request.
    """

    wait_time = between(0.5, 1.5)

    @task(25)
    def search_with_facets(self) -> None:
        params = {"q": random.choice(QUERIES)}
        if random.random() < 0.5:
            params["res_format"] = random.choice(FORMATS)
        if random.random() < 0.3:
            params["organization"] = random.choice(TARGETS["organizations"])
        if random.random() < 0.2:
            params["page"] = str(random.randint(2, 5))
        self.client.get(f"/dataset/?{urlencode(params)}", name="/dataset/ (search + facets)")

    @task(25)
    def dataset_page(self) -> None:
        name = random.choice(TARGETS["datasets"])
        self.client.get(f"/dataset/{name}", name="/dataset/<name>")

    @task(20)
    def api_package_show(self) -> None:
        name = random.choice(TARGETS["datasets"])
        self.client.get(f"/api/3/action/package_show?{urlencode({'id': name})}",
                        name="/api/3/action/package_show")

    @task(10)
    def plan_page(self) -> None:
        plan = random.choice(TARGETS["plans"])
        self.client.get(f"/plan-apertura/{plan}", name="/plan-apertura/<name>")

    @task(5)
    def plan_progress(self) -> None:
        plan = random.choice(TARGETS["plans"])
        self.client.get(f"/plan-apertura/{plan}/avance", name="/plan-apertura/<name>/avance")

    @task(5)
    def scoreboard(self) -> None:
        self.client.get("/tablero", name="/tablero")

    @task(10)
    def catalogue_page(self) -> None:
        """A federated catalogue's harvester: one of the pages reached through hydra:next."""
        self.client.get(random.choice(TARGETS["catalog_urls"]),
                        name=f"{TARGETS['catalog_path']}?cursor=…")
