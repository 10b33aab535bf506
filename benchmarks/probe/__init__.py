"""Benchmark probe loaded into each Home Assistant of benchmarks/scale_benchmark.py.

Measures, inside the process, what cannot be seen from outside: event-loop lag (a task that
asks to wake every 50 ms and records how late it woke) and full (generation 2) garbage
collections. Files in the config directory drive it: it writes `probe.ready` once Home
Assistant runs and every config entry written disabled is enabled, measures from the
appearance of `probe.start` to that of `probe.stop`, then writes the results to `probe.json`.
With a `probe.profile` file present at the start it also profiles the process while measuring
(cProfile, which on Python 3.14 sees every thread, the recorder's too) and writes `probe.cprof`.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import json
import time
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryDisabler
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.typing import ConfigType

DOMAIN = "probe"
TICK_S = 0.05


class Probe:
    """Loop lag samples and full-collection counts between start and stop."""

    def __init__(self) -> None:
        """Not measuring yet."""
        self.measuring = False
        self.lags_ms: list[float] = []
        self.full_collections = 0
        self.full_collection_ms: list[float] = []
        self.collections = 0
        self._gc_started = 0.0
        self.started = 0.0

    def gc_callback(self, phase: str, info: dict[str, Any]) -> None:
        """Count collections; time the full ones."""
        if not self.measuring:
            return
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        self.collections += 1
        if info.get("generation") == 2:
            self.full_collections += 1
            self.full_collection_ms.append((time.perf_counter() - self._gc_started) * 1000)

    def result(self) -> dict[str, Any]:
        """What was measured."""
        lags = sorted(self.lags_ms) or [0.0]

        def pick(share: float) -> float:
            return lags[min(len(lags) - 1, int(share * len(lags)))]

        return {
            "seconds": time.monotonic() - self.started,
            "lag_samples": len(self.lags_ms),
            "lag_p50_ms": pick(0.5),
            "lag_p99_ms": pick(0.99),
            "lag_max_ms": lags[-1],
            "full_collections": self.full_collections,
            "full_collection_ms": self.full_collection_ms,
            "collections": self.collections,
        }


async def _run(hass: HomeAssistant, probe: Probe) -> None:
    config_dir = Path(hass.config.config_dir)
    start_file, stop_file = config_dir / "probe.start", config_dir / "probe.stop"
    running = asyncio.Event()

    @callback
    def started(_event: Event) -> None:
        running.set()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STARTED, started)
    await running.wait()
    # The benchmark writes its wallboxes' entries disabled; enable them one at a time, as a user
    # adding boxes one by one would (entries set up all at once can race in their setup).
    for entry in hass.config_entries.async_entries():
        if entry.disabled_by is ConfigEntryDisabler.USER:
            await hass.config_entries.async_set_disabled_by(entry.entry_id, None)
    await hass.async_add_executor_job((config_dir / "probe.ready").touch)
    loop = asyncio.get_running_loop()
    checked = loop.time()
    profiler = cProfile.Profile() if (config_dir / "probe.profile").exists() else None
    while True:
        expected = loop.time() + TICK_S
        await asyncio.sleep(TICK_S)
        now = loop.time()
        if probe.measuring:
            probe.lags_ms.append((now - expected) * 1000)
        if now - checked < 1.0:
            continue
        checked = now
        if not probe.measuring and start_file.exists():
            probe.measuring = True
            probe.started = time.monotonic()
            if profiler is not None:
                profiler.enable()
        elif probe.measuring and stop_file.exists():
            probe.measuring = False
            if profiler is not None:
                profiler.disable()
                await hass.async_add_executor_job(
                    profiler.dump_stats, str(config_dir / "probe.cprof")
                )
            text = json.dumps(probe.result())
            await hass.async_add_executor_job((config_dir / "probe.json").write_text, text)
            return


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start sampling in the background."""
    probe = Probe()
    gc.callbacks.append(probe.gc_callback)
    hass.async_create_background_task(_run(hass, probe), "benchmark probe")
    return True
