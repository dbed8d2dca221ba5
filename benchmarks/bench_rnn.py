"""Time rnngrad's forward + full BPTT against torch autograd and against plain matmul.

Run ``python benchmarks/bench_rnn.py`` (``--quick`` for fewer repeats and sizes).  For each
(T, B, n_h = n_in) and dtype it prints

* the best wall time of ``RNN.forward`` + ``RNN.backward`` (rnngrad) over 3 × 5 runs
  (3 × 2 with ``--quick``),
* the same computation with ``torch.nn.RNN`` and autograd (same weights, same upstream
  gradients dhs), if torch is installed, the ratio rnngrad/torch and the largest relative
  difference between the two sets of gradients (x, s_0 and all parameters),
* the GFLOP/s rnngrad reaches and, as a fraction, how that compares with a plain matmul of
  one step's shape (B × n_h @ n_h × n_h) timed in a loop.  The count is 12 T B n² (for
  n_in = n_h = n): six products of 2 B n² each per step -- U x_t and W s_{t−1} forward,
  δ_t W backward, and the gradients of W, U and x.

torch is optional and used only here; rnngrad never imports it.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import rnngrad

try:  # torch is optional: without it the torch columns read "-"
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

SIZES = ((50, 32, 32), (100, 64, 128), (200, 128, 256))
QUICK_SIZES = SIZES[:2]
DTYPES = (np.float64, np.float32)
SETTLE_SECONDS = 0.3


def best_times(fns: list[Callable[[], Any]], repeats: int, *, rounds: int = 3) -> list[float]:
    """Best wall time of each ``fn()``: ``rounds`` blocks of ``repeats`` runs per function.

    The blocks of the functions take turns, so that a slow spell of a shared machine does
    not hit only one of them.  Before each block the machine idles briefly and the block
    starts with an untimed run: the BLAS threads of numpy and the OpenMP threads of torch
    keep spinning for a while after their last call, and must not steal the cores of the
    other library's timed runs.
    """
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            time.sleep(SETTLE_SECONDS)
            fn()
            for _ in range(repeats):
                start = time.perf_counter()
                fn()
                best[i] = min(best[i], time.perf_counter() - start)
    return best


def matmul_rate(B: int, n: int, dtype: type, repeats: int) -> float:
    """GFLOP/s of (B × n) @ (n × n) repeated with a preallocated output."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((B, n)).astype(dtype)
    w = rng.standard_normal((n, n)).astype(dtype)
    out = np.empty((B, n), dtype=dtype)
    loops = max(1, int(2e8 / (2 * B * n * n)))

    def run() -> None:
        for _ in range(loops):
            np.matmul(a, w, out=out)

    return 2 * B * n * n * loops / best_times([run], repeats, rounds=1)[0] / 1e9


def problem(T: int, B: int, n: int, dtype: type) -> tuple[rnngrad.RNN, dict[str, np.ndarray]]:
    rng = np.random.default_rng(1)
    model = rnngrad.RNN.random(n, n, rng=rng, dtype=dtype)
    data = {
        "x": rng.standard_normal((T, B, n)).astype(dtype),
        "h0": rng.standard_normal((B, n)).astype(dtype),
        "dhs": rng.standard_normal((T, B, n)).astype(dtype),
    }
    return model, data


def rnngrad_run(model: rnngrad.RNN, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    _, cache = model.forward(data["x"], data["h0"])
    return model.backward(data["dhs"], cache)


def torch_setup(
    model: rnngrad.RNN, data: dict[str, np.ndarray]
) -> Callable[[], dict[str, np.ndarray]]:
    """Return a function running forward + backward in torch and returning its gradients."""
    # Built in the data's dtype before loading: a float32 layer would round float64 weights.
    dtype = torch.from_numpy(data["x"]).dtype
    layer = torch.nn.RNN(model.n_in, model.n_h, nonlinearity=model.activation, dtype=dtype)
    state = {k: torch.from_numpy(v) for k, v in model.to_torch_state_dict().items()}
    layer.load_state_dict(state)
    x = torch.from_numpy(data["x"]).requires_grad_()
    h0 = torch.from_numpy(data["h0"])[None].clone().requires_grad_()
    dhs = torch.from_numpy(data["dhs"])

    def run() -> dict[str, np.ndarray]:
        for tensor in (x, h0, *layer.parameters()):
            tensor.grad = None
        out, _ = layer(x, h0)
        out.backward(dhs)
        grads = {name: p.grad.numpy() for name, p in layer.named_parameters()}
        return grads | {"x": x.grad.numpy(), "h0": h0.grad[0].numpy()}

    return run


def max_relative_difference(ours: dict[str, np.ndarray], theirs: dict[str, np.ndarray]) -> float:
    """max over gradients of max|a − b| / max|b| (torch names for the parameters)."""
    worst = 0.0
    for name, ref in theirs.items():
        mine = ours[name]
        worst = max(worst, float(np.max(np.abs(mine - ref)) / max(np.max(np.abs(ref)), 1e-30)))
    return worst


def blas_description() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(
        f"{i.get('internal_api')} {i.get('version')} kernel={i.get('architecture')} "
        f"threads={i.get('num_threads')}"
        for i in infos
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two smallest sizes, fewer repeats")
    args = parser.parse_args()
    sizes = QUICK_SIZES if args.quick else SIZES
    repeats = 2 if args.quick else 5
    cores = os.cpu_count() or 1
    print(f"numpy {np.__version__}; BLAS: {blas_description()}")
    print(
        "env: "
        + ", ".join(f"{k}={os.environ[k]}" for k in sorted(os.environ) if "BLAS" in k or "OMP" in k)
    )
    if torch is not None:
        torch.set_num_threads(cores)
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    else:
        print("torch not installed (optional): pip install torch==2.13.0")
    header = (
        f"{'T':>4} {'B':>4} {'n_h':>4} {'dtype':>7} | {'rnngrad ms':>10} {'torch ms':>9} "
        f"{'ratio':>6} {'max rel diff':>12} | {'GFLOP/s':>7} {'matmul':>7} {'% mm':>5}"
    )
    print(header)
    print("-" * len(header))
    for T, B, n in sizes:
        for dtype in DTYPES:
            model, data = problem(T, B, n, dtype)
            runs = [lambda m=model, d=data: rnngrad_run(m, d)]
            if torch is not None:
                runs.append(torch_setup(model, data))
            times = best_times(runs, repeats)
            ours = times[0]
            rate = 12 * T * B * n * n / ours / 1e9
            peak = matmul_rate(B, n, dtype, repeats)
            torch_ms = ratio = diff = "-"
            if torch is not None:
                torch_ms, ratio = f"{times[1] * 1e3:9.2f}", f"{ours / times[1]:6.2f}"
                g = rnngrad_run(model, data)
                ours_g = model.to_torch_state_dict(g) | {"x": g["x"], "h0": g["h0"]}
                diff = f"{max_relative_difference(ours_g, runs[1]()):12.1e}"
            print(
                f"{T:>4} {B:>4} {n:>4} {np.dtype(dtype).name:>7} | {ours * 1e3:10.2f} "
                f"{torch_ms:>9} {ratio:>6} {diff:>12} | {rate:7.1f} {peak:7.1f} "
                f"{100 * rate / peak:4.0f}%"
            )


if __name__ == "__main__":
    main()
