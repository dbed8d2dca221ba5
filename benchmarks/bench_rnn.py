"""Time rnngrad's forward + full BPTT against torch autograd and against plain matmul.

Run ``python benchmarks/bench_rnn.py`` (``--quick`` for fewer repeats and sizes,
``--model rnn lstm gru`` to choose the layers; all three by default).  For each layer,
(T, B, n_h = n_in) and dtype it prints

* the best wall time of ``forward`` + ``backward`` (rnngrad) over 3 × 5 runs
  (3 × 2 with ``--quick``),
* the same computation with ``torch.nn.RNN``/``LSTM``/``GRU`` and autograd (same weights,
  same upstream gradients dhs), if torch is installed, the ratio rnngrad/torch and the
  largest relative difference between the two sets of gradients (x, the initial state(s)
  and all parameters),
* the GFLOP/s rnngrad reaches and, as a fraction (``% mm``), how that compares with a plain
  matmul of one step's shape (B × n_h @ n_h × k n_h, k gates) timed in a loop, in numpy (OpenBLAS)
  and, beside it, in torch (``torch.mm``, its own BLAS), interleaved.  The count is
  12 k T B n² (for n_in = n_h = n): six products of 2 k B n² each per step -- U x_t and
  W h_{t−1} forward, δ_t W backward, and the gradients of W, U and x; k = 1 for the RNN,
  4 for the LSTM, 3 for the GRU.  Both libraries do these same six products, so where the
  matmuls dominate (the largest size) the ratio cannot fall much below the ratio of the
  two matmul rates: rnngrad would need more than numpy's matmul rate.  The ``floor`` column
  is that bound: the ratio rnngrad would have at numpy's matmul rate, with every elementwise
  operation free (ratio × % mm).

After each layer a summary line gives its worst ratio and where, and its share of the matmul
rate at the largest size.  numpy's OpenBLAS and torch both run one thread per core.
``--no-onednn`` runs torch with oneDNN (mkldnn) switched off: torch's float32 LSTM is
otherwise one fused oneDNN kernel per sequence, which no sequence of numpy calls can match
at small sizes, where numpy's ≈ 1 µs per call dominates.

torch is optional and used only here; rnngrad never imports it.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Kind:
    """A layer to time: its rnngrad class, torch class name, gate count and state parts."""

    name: str
    layer: Any
    torch_name: str
    gates: int
    state_parts: tuple[str, ...] = ("h0",)


KINDS = {
    "rnn": Kind("rnn", rnngrad.RNN, "RNN", 1),
    "lstm": Kind("lstm", rnngrad.LSTM, "LSTM", 4, ("h0", "c0")),
    "gru": Kind("gru", rnngrad.GRU, "GRU", 3),
}


def matmul_rates(B: int, n: int, gates: int, dtype: type, repeats: int) -> list[float]:
    """GFLOP/s of (B × n) @ (n × gates·n) with a preallocated output: numpy, then torch.

    The same arrays in both libraries (torch's tensors share numpy's memory), timed
    interleaved; torch's rate is left out when torch is not installed.
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal((B, n)).astype(dtype)
    w = rng.standard_normal((n, gates * n)).astype(dtype)
    out = np.empty((B, gates * n), dtype=dtype)
    loops = max(1, int(2e8 / (2 * B * n * n * gates)))

    def numpy_run() -> None:
        for _ in range(loops):
            np.matmul(a, w, out=out)

    runs = [numpy_run]
    if torch is not None:
        ta, tw, tout = (torch.from_numpy(v) for v in (a, w, out))

        def torch_run() -> None:
            for _ in range(loops):
                torch.mm(ta, tw, out=tout)

        runs.append(torch_run)
    flops = 2 * B * n * n * gates * loops
    return [flops / t / 1e9 for t in best_times(runs, repeats)]


def problem(kind: Kind, T: int, B: int, n: int, dtype: type) -> tuple[Any, dict[str, np.ndarray]]:
    rng = np.random.default_rng(1)
    model = kind.layer.random(n, n, rng=rng, dtype=dtype)
    data = {"x": rng.standard_normal((T, B, n)).astype(dtype)}
    for part in kind.state_parts:
        data[part] = rng.standard_normal((B, n)).astype(dtype)
    data["dhs"] = rng.standard_normal((T, B, n)).astype(dtype)
    return model, data


def initial_state(kind: Kind, data: dict[str, Any]) -> Any:
    """The ``h0`` argument of forward (numpy or torch): one array, or the tuple of parts."""
    parts = tuple(data[name] for name in kind.state_parts)
    return parts if len(parts) > 1 else parts[0]


def rnngrad_run(kind: Kind, model: Any, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    _, cache = model.forward(data["x"], initial_state(kind, data))
    grads: dict[str, np.ndarray] = model.backward(data["dhs"], cache)
    return grads


def torch_setup(
    kind: Kind, model: Any, data: dict[str, np.ndarray]
) -> Callable[[], dict[str, np.ndarray]]:
    """Return a function running forward + backward in torch and returning its gradients."""
    # Built in the data's dtype before loading: a float32 layer would round float64 weights.
    dtype = torch.from_numpy(data["x"]).dtype
    options = {"nonlinearity": model.activation} if kind.name == "rnn" else {}
    layer = getattr(torch.nn, kind.torch_name)(model.n_in, model.n_h, dtype=dtype, **options)
    state = {k: torch.from_numpy(v) for k, v in model.to_torch_state_dict().items()}
    layer.load_state_dict(state)
    x = torch.from_numpy(data["x"]).requires_grad_()
    parts = {
        name: torch.from_numpy(data[name])[None].clone().requires_grad_()
        for name in kind.state_parts
    }
    dhs = torch.from_numpy(data["dhs"])

    def run() -> dict[str, np.ndarray]:
        for tensor in (x, *parts.values(), *layer.parameters()):
            tensor.grad = None
        out, _ = layer(x, initial_state(kind, parts))
        out.backward(dhs)
        grads = {name: p.grad.numpy() for name, p in layer.named_parameters()}
        return grads | {"x": x.grad.numpy()} | {k: v.grad[0].numpy() for k, v in parts.items()}

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


@dataclass(frozen=True)
class Row:
    """One line of the table: a layer at one size and dtype, timed."""

    kind: Kind
    size: tuple[int, int, int]
    dtype: str
    ours: float
    torch_time: float | None
    diff: float | None
    rate: float
    matmul: list[float]

    @property
    def ratio(self) -> float | None:
        return None if self.torch_time is None else self.ours / self.torch_time

    @property
    def where(self) -> str:
        T, B, n = self.size
        return f"T = {T}, B = {B}, n_h = {n}, {self.dtype}"

    @property
    def floor(self) -> float | None:
        """The ratio at numpy's matmul rate: the six products alone, elementwise work free."""
        return None if self.ratio is None else self.ratio * self.rate / self.matmul[0]

    def __str__(self) -> str:
        T, B, n = self.size
        torch_ms = ratio = diff = torch_mm = floor = "-"
        if self.torch_time is not None and self.ratio is not None and self.floor is not None:
            torch_ms, ratio, diff = (
                f"{self.torch_time * 1e3:.2f}",
                f"{self.ratio:.2f}",
                f"{self.diff:.1e}",
            )
            torch_mm, floor = f"{self.matmul[1]:.1f}", f"{self.floor:.2f}"
        return (
            f"{self.kind.name:>5} {T:>4} {B:>4} {n:>4} {self.dtype:>7} | {self.ours * 1e3:10.2f} "
            f"{torch_ms:>9} {ratio:>6} {diff:>12} | {self.rate:7.1f} {self.matmul[0]:7.1f} "
            f"{torch_mm:>7} {100 * self.rate / self.matmul[0]:4.0f}% {floor:>5}"
        )


HEADER = (
    f"{'model':>5} {'T':>4} {'B':>4} {'n_h':>4} {'dtype':>7} | {'rnngrad ms':>10} "
    f"{'torch ms':>9} {'ratio':>6} {'max rel diff':>12} | "
    f"{'GFLOP/s':>7} {'np mm':>7} {'pt mm':>7} {'% mm':>5} {'floor':>5}"
)


def summary(rows: list[Row], largest: tuple[int, int, int]) -> str:
    """A layer's worst ratio and where; its share of numpy's matmul rate at the largest size."""
    name = rows[0].kind.name
    shares = [100 * r.rate / r.matmul[0] for r in rows if r.size == largest]
    share = f"{min(shares):.0f}–{max(shares):.0f} % of numpy's matmul rate" if shares else ""
    timed = [r for r in rows if r.ratio is not None]
    if not timed:
        return f"{name}: at the largest size {share}"
    worst = max(timed, key=lambda r: r.ratio or 0.0)
    return (
        f"{name}: worst ratio {worst.ratio:.2f} (floor {worst.floor:.2f}) at {worst.where}; "
        f"at the largest size, T, B, n_h = {', '.join(map(str, largest))}: {share}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two smallest sizes, fewer repeats")
    parser.add_argument("--model", nargs="+", choices=list(KINDS), default=list(KINDS))
    parser.add_argument(
        "--no-onednn", action="store_true", help="run torch without oneDNN (its fused LSTM)"
    )
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
        torch.backends.mkldnn.enabled = not args.no_onednn
        print(
            f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
            f"oneDNN {'on' if torch.backends.mkldnn.enabled else 'off'}"
        )
    else:
        print("torch not installed (optional): pip install torch==2.13.0")
    print(
        "GFLOP/s: rnngrad's; np mm, pt mm: a plain matmul of one step's shape, numpy and torch;\n"
        "floor: the ratio at numpy's matmul rate, the six products alone (ratio × % mm)"
    )
    print(HEADER)
    print("-" * len(HEADER))
    summaries = []
    for kind in (KINDS[name] for name in args.model):
        rows = []
        for T, B, n in sizes:
            for dtype in DTYPES:
                rows.append(benchmark_row(kind, T, B, n, dtype, repeats))
                print(rows[-1], flush=True)
        summaries.append(summary(rows, sizes[-1]))
    print("\n".join(summaries))


def benchmark_row(kind: Kind, T: int, B: int, n: int, dtype: type, repeats: int) -> Row:
    """Time one layer at one size and dtype."""
    model, data = problem(kind, T, B, n, dtype)
    runs = [lambda: rnngrad_run(kind, model, data)]
    if torch is not None:
        runs.append(torch_setup(kind, model, data))
    times = best_times(runs, repeats)
    diff = None
    if torch is not None:
        g = rnngrad_run(kind, model, data)
        ours_g = model.to_torch_state_dict(g) | {k: g[k] for k in ("x", *kind.state_parts)}
        diff = max_relative_difference(ours_g, runs[1]())
    return Row(
        kind,
        (T, B, n),
        np.dtype(dtype).name,
        ours=times[0],
        torch_time=times[1] if torch is not None else None,
        diff=diff,
        rate=12 * kind.gates * T * B * n * n / times[0] / 1e9,
        matmul=matmul_rates(B, n, kind.gates, dtype, repeats),
    )


if __name__ == "__main__":
    main()
