"""Training throughput: K networks trained together against the same networks one by one.

Run ``python benchmarks/bench_batched.py`` (``make bench`` does).  For the tanh RNN and the
LSTM at n = 16 and 32 (T = 100, B = 32, the adding problem, Adam, clipping, an evaluation
every 50 steps as in the chapter's experiments), it trains K = 10 networks of different
seeds for a fixed number of steps

* one after the other with :func:`rnngrad.train.train` (the one-network loop), and
* together with :func:`rnngrad.train.train_many`,

alternately, several times, in one process with single-threaded BLAS (as the experiment
workers run), and prints network-steps per second of each and their ratio (median over
the repeats), for float64 and float32.  It checks on the way that both give every network
the same history.
"""

from __future__ import annotations

import os

# Before numpy loads: one BLAS thread, as in the experiment workers.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from rnngrad.experiments import ExperimentConfig  # noqa: E402
from rnngrad.experiments.config import seed_sequences  # noqa: E402
from rnngrad.experiments.runner import keep_freed_memory  # noqa: E402
from rnngrad.train import TrainResult, train, train_many  # noqa: E402

K = 10
STEPS = 100
SIZES = (("rnn", 16), ("rnn", 32), ("lstm", 16), ("lstm", 32))


def configs(model: str, n_h: int, dtype: str) -> list[ExperimentConfig]:
    return [
        ExperimentConfig(task="adding", lag=100, model=model, n_h=n_h, steps=STEPS,
                         eval_every=50, seed=seed, dtype=dtype)
        for seed in range(K)
    ]  # fmt: skip


def one_by_one(group: list[ExperimentConfig]) -> list[TrainResult]:
    task = group[0].make_task()
    return [
        train(c.initial_model(), task, c.make_optimizer(), steps=c.steps, batch=c.batch,
              clip=c.clip, eval_every=c.eval_every, eval_batch=c.eval_batch,
              stop_when_solved=False, rng=np.random.default_rng(seed_sequences(c.seed)[1]))
        for c in group
    ]  # fmt: skip


def together(group: list[ExperimentConfig]) -> list[TrainResult]:
    first = group[0]
    return train_many(
        [c.initial_model() for c in group], first.make_task(), [c.make_optimizer() for c in group],
        steps=first.steps, batch=first.batch, clip=[c.clip for c in group],
        eval_every=first.eval_every, eval_batch=first.eval_batch, stop_when_solved=False,
        rngs=[np.random.default_rng(seed_sequences(c.seed)[1]) for c in group],
    )  # fmt: skip


def seconds(run: Callable[[], list[TrainResult]]) -> tuple[float, list[TrainResult]]:
    start = time.perf_counter()
    results = run()
    return time.perf_counter() - start, results


def same(a: list[TrainResult], b: list[TrainResult]) -> bool:
    return all(
        np.array_equal(x.history.loss, y.history.loss)
        and np.array_equal(x.history.eval_metric, y.history.eval_metric)
        for x, y in zip(a, b, strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    keep_freed_memory()
    print(f"K = {K} networks, T = 100, B = 32, {STEPS} steps each, evaluation every 50 steps")
    print("model  n_h  dtype   | one by one  together  (network-steps/s) | ratio  same")
    for dtype in ("float64", "float32"):
        for model, n_h in SIZES:
            group = configs(model, n_h, dtype)
            alone, joint, identical = [], [], True
            for _ in range(args.repeats):  # alternately, so that drift hits both alike
                t_alone, r_alone = seconds(lambda group=group: one_by_one(group))
                t_joint, r_joint = seconds(lambda group=group: together(group))
                alone.append(K * STEPS / t_alone)
                joint.append(K * STEPS / t_joint)
                identical &= same(r_alone, r_joint)
            a, j = statistics.median(alone), statistics.median(joint)
            print(f"{model:5s} {n_h:4d}  {dtype}  | {a:10.0f}  {j:8.0f}  {'':18s} | "
                  f"{j / a:5.2f}  {identical}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
