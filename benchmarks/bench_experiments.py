"""Time the chapter's experiment set cold, as a build would run it, and print the results.

Run ``python benchmarks/bench_experiments.py``.  It runs
:func:`rnngrad.experiments.chapter_experiments` with :func:`rnngrad.experiments.run_many`
into a fresh, empty cache directory (``--cache DIR`` to use another; an existing cache
makes the run warm) and prints

* the wall time, cold, then again warm (every result read from the cache), and the CPU
  time of the workers (a better measure than wall time when other jobs share the machine);
* the peak memory: of this process, of the largest worker, and their sum bound
  (this process + ``processes`` × the largest worker);
* the compute time per model and task, summed over lags and seeds, and the slowest runs;
* the success table, model × lag: in how many seeds the task counted as solved, and the
  mean number of training steps taken.

``--honesty`` then reruns chosen failing configurations with ``--factor`` (4) times the
steps, to check that they fail for lack of gradient rather than of training time.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from rnngrad.experiments import (
    ExperimentConfig,
    ExperimentResult,
    chapter_experiments,
    grid_experiments,
    run_many,
    variant_of,
)

HONESTY_CHECKS = (
    ExperimentConfig(task="adding", lag=50, model="rnn"),
    ExperimentConfig(task="adding", lag=100, model="irnn"),
    ExperimentConfig(task="agreement", lag=40, model="irnn"),
)


def peak_mb(who: int) -> float:
    """Peak resident memory in MB (Linux reports ru_maxrss in kB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def timed(configs: list[ExperimentConfig], cache: Path, processes: int) -> tuple[float, list]:
    start = time.perf_counter()
    results = run_many(configs, cache, processes=processes)
    return time.perf_counter() - start, results


def print_breakdown(results: list[ExperimentResult]) -> None:
    seconds: dict[tuple[str, str], float] = defaultdict(float)
    grid = set(grid_experiments())
    for r in results:
        seconds[("grid" if r.config in grid else variant_of(r.config)), r.config.task] += r.seconds
    print("\ncompute time per variant and task (summed over lags and seeds):")
    for (model, task), total in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {model:8s} {task:10s} {total:7.1f} s")
    print(f"  total           {sum(seconds.values()):7.1f} s (wall time inside the workers)")
    print("\nslowest runs:")
    for r in sorted(results, key=lambda r: -r.seconds)[:6]:
        c = r.config
        print(f"  {c.model:5s} {c.task:10s} lag {c.lag:4d} seed {c.seed}  {r.seconds:6.1f} s")


def print_success_table(results: list[ExperimentResult]) -> None:
    by_cell: dict[tuple[str, str, int], list[ExperimentResult]] = defaultdict(list)
    grid = set(grid_experiments())
    for r in results:
        if r.config not in grid:
            by_cell[r.config.task, variant_of(r.config), r.config.lag].append(r)
    for task in sorted({r.config.task for r in results}):
        lags = sorted({lag for t, _, lag in by_cell if t == task})
        metric = "MSE" if task.startswith("adding") else "accuracy"
        print(f"\n{task}: solved seeds / mean steps / mean final {metric}")
        print("  model  " + "".join(f"{'lag ' + str(lag):>22s}" for lag in lags))
        for model in sorted({v for t, v, _ in by_cell if t == task}):
            cells = []
            for lag in lags:
                runs = by_cell[task, model, lag]
                if not runs:
                    cells.append("—")
                    continue
                solved = sum(r.success for r in runs)
                steps = np.mean([r.history.steps for r in runs])
                final = np.mean([r.final_metric for r in runs])
                cells.append(f"{solved}/{len(runs)} {steps:6.0f} {final:7.4f}")
            print(f"  {model:8s}  " + "".join(f"{cell:>22s}" for cell in cells))


def honesty(factor: int, processes: int) -> None:
    longer = [dataclasses.replace(c, steps=c.steps * factor) for c in HONESTY_CHECKS]
    wall, results = timed(longer, Path(tempfile.mkdtemp(prefix="rnngrad-honesty-")), processes)
    print(f"\nhonesty check: failing configurations with {factor}× the steps ({wall:.0f} s)")
    for r in results:
        c, h = r.config, r.history
        best = h.eval_metric.max() if c.task == "agreement" else h.eval_metric.min()
        gap = h.state_grad_norms[:, 1] / h.state_grad_norms[:, -1]
        print(
            f"  {c.model:5s} {c.task:10s} lag {c.lag:4d}: solved {r.success}, steps {h.steps}, "
            f"final {r.final_metric:.4f}, best {best:.4f}, "
            f"‖∂E/∂s_1‖/‖∂E/∂s_T‖ first {gap[0]:.1e} last {gap[-1]:.1e}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="cache directory (default: a fresh one)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--honesty", action="store_true", help="rerun failing configs longer")
    parser.add_argument("--factor", type=int, default=4)
    args = parser.parse_args()
    cache = args.cache or Path(tempfile.mkdtemp(prefix="rnngrad-experiments-"))
    configs = chapter_experiments()
    c = configs[0]
    print(
        f"{len(configs)} experiments into {cache}, {args.processes} processes; n_h {c.n_h}, "
        f"batch {c.batch}, {c.dtype}, learning rates from a grid, clip {c.clip}, "
        f"evaluation every {c.eval_every} steps on {c.eval_batch} sequences"
    )
    cold, results = timed(configs, cache, args.processes)
    warm, _ = timed(configs, cache, args.processes)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"cold: {cold:.1f} s wall, {cpu.ru_utime + cpu.ru_stime:.0f} s CPU in the workers; "
        f"warm (all from the cache): {warm:.2f} s; load average now {os.getloadavg()[0]:.1f}"
    )
    parent, child = peak_mb(resource.RUSAGE_SELF), peak_mb(resource.RUSAGE_CHILDREN)
    print(
        f"peak memory: this process {parent:.0f} MB, largest worker {child:.0f} MB, "
        f"together at most {parent + args.processes * child:.0f} MB"
    )
    print_breakdown(results)
    print_success_table(results)
    if args.honesty:
        honesty(args.factor, args.processes)


if __name__ == "__main__":
    main()
