"""Reading the operator's port as a scraper and a probe do: over HTTP, in Prometheus' format."""

from __future__ import annotations

from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

# (sample name, its labels) -> value
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of a /metrics page."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when the series is absent (a counter not yet counted)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include these."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


async def get(port: int, path: str) -> tuple[int, str, dict[str, str]]:
    """GET a path of the operator's port: status, body, headers."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text(), dict(response.headers)


async def get_json(port: int, path: str) -> tuple[int, Any]:
    """GET a JSON answer of the operator's port."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.json()


async def scrape(port: int) -> Samples:
    """Read /metrics."""
    status, body, headers = await get(port, "/metrics")
    assert status == 200, body
    # Prometheus' text exposition format (its version as the library writes it).
    assert headers["Content-Type"].startswith("text/plain; version=")
    return parse(body)
