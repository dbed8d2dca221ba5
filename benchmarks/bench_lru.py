"""Time the LRU's forward + full BPTT beside the tanh RNN's at the same sizes.

Run ``python benchmarks/bench_lru.py`` (``--quick`` for fewer repeats and sizes).  For each
(T, B, n) and dtype, with n_in = n_h = n for both layers, it prints the best wall time of
``forward`` + ``backward`` of :class:`rnngrad.LRU` and of :class:`rnngrad.RNN` and their ratio.

What is compared.  Per step the RNN multiplies by its dense W (n × n) and applies tanh; the
LRU multiplies elementwise by the diagonal λ, in complex numbers.  Both make the same dense
products outside the loop over t (U x_t or B x_t for all steps at once, and the gradients
of the weights), the LRU two of each (real and imaginary part) and one more pair for its
readout C.  So the LRU does less work inside the loop, where numpy pays its per-call
overhead, and about twice the work in the large products.

torch has no LRU.  If torch is installed, the same LRU is written in torch (complex tensors,
a loop over t, autograd) and timed on the same weights and upstream gradients; the
columns give its time, the ratio rnngrad/torch and the largest relative difference between
the two sets of gradients -- a check of the hand-written BPTT against autograd as well as a
timing.  rnngrad never imports torch.
"""

from __future__ import annotations

import argparse
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


def best_time(fn: Callable[[], Any], repeats: int, rounds: int = 3) -> float:
    """Best wall time of ``fn()`` over ``rounds`` blocks of ``repeats`` runs, each block
    after an untimed run."""
    best = float("inf")
    for _ in range(rounds):
        fn()
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
    return best


def layers(n: int, dtype: type) -> tuple[rnngrad.LRU, rnngrad.RNN]:
    lru = rnngrad.LRU.random(n, n, r_min=0.9, r_max=0.999, max_phase=np.pi / 10, rng=0)
    rnn = rnngrad.RNN.random(n, n, recurrent="orthogonal", rng=0, dtype=dtype)
    return rnngrad.LRU(**{k: v.astype(dtype) for k, v in lru.parameters().items()}), rnn


def torch_lru(lru: rnngrad.LRU, x: np.ndarray, G: np.ndarray) -> Callable[[], dict[str, Any]]:
    """The LRU's forward and backward in torch, as a function returning the gradients."""
    assert torch is not None
    params = {k: torch.tensor(v, requires_grad=True) for k, v in lru.parameters().items()}
    tx, tG = torch.tensor(x, requires_grad=True), torch.tensor(G)

    def run() -> dict[str, Any]:
        for p in (*params.values(), tx):
            p.grad = None
        p = params
        lam = torch.exp(-torch.exp(p["nu_log"]) + 1j * torch.exp(p["theta_log"]))
        B = torch.complex(p["B_re"], p["B_im"]) * torch.exp(p["gamma_log"])[:, None]
        drive = tx.to(B.dtype) @ B.T
        h = torch.zeros_like(drive[0])
        states = []
        for t in range(drive.shape[0]):
            h = lam * h + drive[t]
            states.append(h)
        hs = torch.stack(states)
        y = hs.real @ p["C_re"].T - hs.imag @ p["C_im"].T + p["D"] * tx
        y.backward(tG)
        grads = {k: v.grad.numpy() for k, v in params.items()}
        return grads | {"x": tx.grad.numpy()}

    return run


def row(T: int, B: int, n: int, dtype: type, repeats: int) -> str:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((T, B, n)).astype(dtype)
    G = rng.standard_normal((T, B, n)).astype(dtype)
    lru, rnn = layers(n, dtype)

    def lru_run() -> dict[str, np.ndarray]:
        return lru.backward(G, lru.forward(x)[1])

    def rnn_run() -> dict[str, np.ndarray]:
        return rnn.backward(G, rnn.forward(x)[1])

    t_lru, t_rnn = best_time(lru_run, repeats), best_time(rnn_run, repeats)
    cells = [
        f"T={T:<4} B={B:<4} n={n:<4} {np.dtype(dtype).name:8}",
        f"LRU {1e3 * t_lru:8.2f} ms",
        f"RNN {1e3 * t_rnn:8.2f} ms",
        f"LRU/RNN {t_lru / t_rnn:5.2f}",
    ]
    if torch is None:
        cells.append("torch LRU -")
    else:
        run = torch_lru(lru, x, G)
        t_torch = best_time(run, repeats)
        theirs, ours = run(), lru_run()
        diff = max(rnngrad.relative_error(ours[k], theirs[k]) for k in ours)
        cells.append(f"torch LRU {1e3 * t_torch:8.2f} ms  rnngrad/torch {t_lru / t_torch:5.2f}")
        cells.append(f"max rel. diff. {diff:.1e}")
    return "  ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two smallest sizes, fewer repeats")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5
    print("LRU forward + BPTT beside the tanh RNN's (best of 3 x", repeats, "runs)")
    for T, B, n in QUICK_SIZES if args.quick else SIZES:
        for dtype in DTYPES:
            print(row(T, B, n, dtype, repeats), flush=True)


if __name__ == "__main__":
    main()
