"""The Linear Recurrent Unit of Orvieto et al. (2023) and its exact backpropagation through time.

The layer maps a sequence to a sequence of the same width: for t = 1 … T, with h_0 = 0,

    h_t = λ ⊙ h_{t−1} + κ ⊙ (B x_t),     y_t = Re(C h_t) + D ⊙ x_t,

where h_t ∈ ℂ^{n_h}, B = B_re + i B_im (n_h × n_in), C = C_re + i C_im (n_in × n_h), D ∈ ℝ^{n_in},
and the eigenvalues and the normaliser are parametrised as in the paper,

    λ = exp(−exp(ν) + i exp(θ)),     κ = exp(γ_log)

(``nu_log`` = ν, ``theta_log`` = θ, ``gamma_log`` = γ_log).  The paper calls the normaliser γ;
the book's γ is the bound on abs(f′), so the prose calls it κ, and the code keeps the paper's
parameter names.  abs(λ) = exp(−exp(ν)) < 1 for every real ν: the parametrisation keeps the
recurrence stable whatever the optimiser does to ν.

**The state Jacobian.**  ∂h_t/∂h_{t−1} = diag(λ) exactly: no input, no state, no derivative
of a nonlinearity enters it, so ∂h_t/∂h_k = diag(λ)^{t−k}.  As a real map of
(Re h, Im h) ∈ ℝ^{2 n_h} it is the block matrix [[diag(Re λ), −diag(Im λ)],
[diag(Im λ), diag(Re λ)]] (:meth:`LRU.state_jacobians`): each pair (Re h_i, Im h_i) is
rotated by arg λ_i and scaled by abs(λ_i), so ‖∂h_t/∂h_k‖_2 = max_i abs(λ_i)^{t−k}
(:meth:`LRU.jacobian_norms_by_lag`).

**The real gradient of a real loss through complex numbers.**  The loss E is real; for a
complex quantity z = a + ib write ḡ_z = ∂E/∂a + i ∂E/∂b (the two real partial derivatives,
packed into one complex number).  Then

* w = α z (α, z complex): ḡ_z = conj(α) ḡ_w and ḡ_α = conj(z) ḡ_w -- one line of the
  product rule on Re w = Re α Re z − Im α Im z, Im w = Im α Re z + Re α Im z;
* y = Re(C h) with y real: ḡ_h = Cᴴ (∂E/∂y), ḡ_C = (∂E/∂y) hᴴ;
* v = B x with x real: ∂E/∂x = Re(Bᴴ ḡ_v), ḡ_B = ḡ_v xᵀ;
* λ = exp(z) with z = −exp(ν) + i exp(θ): ḡ_z = conj(λ) ḡ_λ, so
  ∂E/∂ν = −exp(ν) Re ḡ_z and ∂E/∂θ = exp(θ) Im ḡ_z.

Backpropagation through time is then the real recurrence written in complex numbers: with
G_t = ∂E/∂y_t arriving from outside,

    ḡ_{h_t} = Cᴴ G_t + conj(λ) ⊙ ḡ_{h_{t+1}}      (ḡ_{h_{T+1}} = 0),

and every parameter's gradient is a sum over t (and the batch) of one of the rules above:

* ḡ_λ = Σ_t conj(h_{t−1}) ⊙ ḡ_{h_t}, then ∂E/∂ν and ∂E/∂θ as above;
* ḡ_B = Σ_t (κ ⊙ ḡ_{h_t}) x_tᵀ, and ∂E/∂γ_log,i = Σ_j (B_re ⊙ ∂E/∂B_re + B_im ⊙ ∂E/∂B_im)_ij,
  since κ_i scales row i of B;
* ∂E/∂C_re = Σ_t G_t (Re h_t)ᵀ, ∂E/∂C_im = −Σ_t G_t (Im h_t)ᵀ, ∂E/∂D = Σ_t G_t ⊙ x_t;
* ∂E/∂x_t = D ⊙ G_t + Re(Bᴴ (κ ⊙ ḡ_{h_t})).

The backward pass is the forward recurrence run backwards with conj(λ): it shrinks exactly
as the forward state forgets, by abs(λ_i) per step.

**Why not a** :class:`~rnngrad.layer.RecurrentLayer`.  That contract is a layer whose output
*is* its state (h_t fed to a head), with input weights U, recurrent weights W, biases b and a
``torch.nn`` twin whose state dicts it reads and writes.  The LRU has none of these: its
output y_t is a readout Re(C h_t) + D ⊙ x_t of the input's width, its recurrence is a vector
λ, its state is complex, and torch has no LRU.  Forcing it into that class would mean fake U,
W and b and torch methods that raise.  So it satisfies the smaller part of the contract that
makes sense for it -- :meth:`~LRU.random`, :meth:`~LRU.parameters`, ``forward``/``backward``,
float32 and float64, :meth:`~LRU.state_jacobians` and :meth:`~LRU.jacobian_norms_by_lag` --
and :class:`~rnngrad.block.LRUBlock` puts the position-wise layer and the head around it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._kernels import per_network_rows
from ._types import FloatArray, Gradients
from ._validate import (
    RngLike,
    as_float_array,
    as_generator,
    check_int,
    check_real,
    check_shape,
    float_dtype,
)

#: A complex array of either precision (complex64 beside float32, complex128 beside float64).
ComplexArray = NDArray[np.complexfloating[Any, Any]]


@dataclass(frozen=True, eq=False)
class LRUCache:
    """What :meth:`LRU.backward` needs from :meth:`LRU.forward`.

    Attributes
    ----------
    x : ndarray, shape (T, B, n_in)
        The inputs x_1 … x_T.
    states : complex ndarray, shape (T + 1, B, n_h)
        h_0 = 0, h_1 … h_T.
    """

    x: FloatArray
    states: ComplexArray


@dataclass(frozen=True, eq=False)
class LRU:
    """A Linear Recurrent Unit: h_t = λ ⊙ h_{t−1} + κ ⊙ (B x_t), y_t = Re(C h_t) + D ⊙ x_t.

    The fields are the paper's parameters, all real arrays, validated on construction and
    promoted to one dtype (float32 or float64); the layer is frozen, so change a parameter
    with ``dataclasses.replace(lru, nu_log=...)``.

    Parameters
    ----------
    nu_log, theta_log, gamma_log : array_like, shape (n_h,)
        λ = exp(−exp(``nu_log``) + i exp(``theta_log``)) and κ = exp(``gamma_log``).
    B_re, B_im : array_like, shape (n_h, n_in)
        The input matrix B = ``B_re`` + i ``B_im``.
    C_re, C_im : array_like, shape (n_in, n_h)
        The readout C = ``C_re`` + i ``C_im``.
    D : array_like, shape (n_in,)
        The skip connection.

    Raises
    ------
    ValueError
        If a shape does not fit or an entry is NaN or inf.
    TypeError
        If a parameter is not a real array.
    """

    nu_log: FloatArray
    theta_log: FloatArray
    gamma_log: FloatArray
    B_re: FloatArray
    B_im: FloatArray
    C_re: FloatArray
    C_im: FloatArray
    D: FloatArray

    #: The parameters' names, in the order of :meth:`parameters`.
    PARAMETERS: ClassVar[tuple[str, ...]] = (
        "nu_log", "theta_log", "gamma_log", "B_re", "B_im", "C_re", "C_im", "D",
    )  # fmt: skip

    def __post_init__(self) -> None:
        nu_log = as_float_array("nu_log", self.nu_log, shape=("n_h",))
        n_h = nu_log.shape[0]
        B_re = as_float_array("B_re", self.B_re, shape=(n_h, "n_in"))
        n_in = B_re.shape[1]
        shapes = {
            "theta_log": (n_h,), "gamma_log": (n_h,), "B_im": (n_h, n_in),
            "C_re": (n_in, n_h), "C_im": (n_in, n_h), "D": (n_in,),
        }  # fmt: skip
        params = {"nu_log": nu_log, "B_re": B_re}
        params |= {name: self._checked(name, shape) for name, shape in shapes.items()}
        dtype = np.result_type(*params.values())
        for name, value in params.items():
            object.__setattr__(self, name, value.astype(dtype, copy=False))

    def _checked(self, name: str, shape: tuple[int, ...]) -> FloatArray:
        """A parameter as a float array of exactly ``shape`` (n_h, n_in taken from the first)."""
        value = as_float_array(name, getattr(self, name))
        check_shape(name, value, shape)
        return value

    # ----------------------------------------------------------------- construction
    @classmethod
    def random(
        cls,
        n_in: int,
        n_h: int,
        *,
        r_min: float = 0.0,
        r_max: float = 1.0,
        max_phase: float = 2 * np.pi,
        rng: RngLike = None,
        dtype: type = np.float64,
    ) -> LRU:
        """Return an LRU with the paper's ring initialisation (``rng=None`` means seed 0).

        The eigenvalues are drawn uniformly on the ring r_min ≤ abs(λ) ≤ r_max of the complex
        plane -- uniform in area, so abs(λ)² is uniform on [r_min², r_max²], as
        Orvieto et al. (2023) draw it -- with phase uniform on [0, ``max_phase``];
        κ = sqrt(1 − abs(λ)²), so that a white input of unit variance gives states of unit
        variance; B_re, B_im are N(0, 1/(2 n_in)) (a complex Glorot scale: E abs(B_ij)² =
        1/n_in), C_re, C_im are N(0, 1/n_h) and D is N(0, 1), as in the paper's code.

        Parameters
        ----------
        n_in, n_h : int
            Input (and output) width and the number of complex state units, ≥ 1.
        r_min, r_max : float
            The ring, 0 ≤ r_min < r_max ≤ 1.  Close to 1 for long tasks: the paper uses
            r_min = 0.9 and r_max = 0.999 on its longest ones.
        max_phase : float
            The largest phase, in (0, 2π].
        rng : numpy.random.Generator, int or None
            Random source or seed.
        dtype : type
            ``np.float64`` or ``np.float32`` (drawn in float64 and rounded).

        Returns
        -------
        LRU

        Raises
        ------
        ValueError, TypeError
            If a size is not an integer ≥ 1, the ring or the phase is out of range, or
            ``rng`` or ``dtype`` is invalid.
        """
        n_in = check_int("n_in", n_in, minimum=1)
        n_h = check_int("n_h", n_h, minimum=1)
        low, high = check_real("r_min", r_min), check_real("r_max", r_max)
        if not 0.0 <= low < high <= 1.0:
            raise ValueError(
                f"r_min and r_max must satisfy 0 <= r_min < r_max <= 1, got {low}, {high}"
            )
        phase = check_real("max_phase", max_phase, positive=True)
        if phase > 2 * np.pi:
            raise ValueError(f"max_phase must be in (0, 2π], got {phase}")
        dt = float_dtype(dtype)
        gen = as_generator(rng)
        # 1 − u keeps u in (0, 1]: abs(λ)² = 0 or a zero phase would make a log infinite.
        radius2 = (1.0 - gen.random(n_h)) * (high**2 - low**2) + low**2
        theta = phase * (1.0 - gen.random(n_h))
        params = {
            "nu_log": np.log(-0.5 * np.log(radius2)),
            "theta_log": np.log(theta),
            "gamma_log": 0.5 * np.log1p(-radius2),
            "B_re": gen.standard_normal((n_h, n_in)) / np.sqrt(2 * n_in),
            "B_im": gen.standard_normal((n_h, n_in)) / np.sqrt(2 * n_in),
            "C_re": gen.standard_normal((n_in, n_h)) / np.sqrt(n_h),
            "C_im": gen.standard_normal((n_in, n_h)) / np.sqrt(n_h),
            "D": gen.standard_normal(n_in),
        }
        return cls(**{name: value.astype(dt) for name, value in params.items()})

    # ----------------------------------------------------------------- properties
    @property
    def n_in(self) -> int:
        """Input and output width."""
        return int(self.B_re.shape[-1])

    @property
    def n_h(self) -> int:
        """The number of complex state units."""
        return int(self.nu_log.shape[-1])

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype of the parameters."""
        return self.nu_log.dtype

    @property
    def eigenvalues(self) -> ComplexArray:
        """λ = exp(−exp(ν) + i exp(θ)), shape (n_h,): the diagonal of ∂h_t/∂h_{t−1}."""
        return _eigenvalues(self.nu_log, self.theta_log)

    def parameters(self) -> dict[str, FloatArray]:
        """Return the parameters by name, in the order of :data:`PARAMETERS`."""
        return {name: getattr(self, name) for name in self.PARAMETERS}

    # ----------------------------------------------------------------- the recurrence
    def forward(self, x: ArrayLike) -> tuple[FloatArray, LRUCache]:
        """Run the layer over a batch of sequences, from h_0 = 0.

        Parameters
        ----------
        x : array_like, shape (T, B, n_in)
            Inputs; computed in the layer's dtype.

        Returns
        -------
        y : ndarray, shape (T, B, n_in)
            y_1 … y_T.
        cache : LRUCache
            For :meth:`backward`.

        Raises
        ------
        ValueError, TypeError
            If x is not a finite real array of that shape with T, B ≥ 1.
        """
        return self._forward(self._inputs(x))

    def backward(self, G: ArrayLike, cache: LRUCache) -> Gradients:
        """Backpropagate through time the gradients G_t = ∂E/∂y_t arriving from outside.

        Parameters
        ----------
        G : array_like, shape (T, B, n_in)
            ∂E/∂y_t for t = 1 … T (row t − 1 is step t).
        cache : LRUCache
            From :meth:`forward` of this layer.

        Returns
        -------
        dict of str to ndarray
            ∂E/∂(every parameter) under its name (real, the parameter's shape) and ∂E/∂x
            under ``"x"`` (T, B, n_in); all in the dtype of the cache.

        Raises
        ------
        ValueError, TypeError
            If the cache is not from this layer's ``forward`` or G does not fit it.
        """
        if not isinstance(cache, LRUCache):
            raise TypeError(f"cache must be the LRUCache from forward, got {type(cache).__name__}")
        xs = as_float_array("cache.x", cache.x, shape=("T", "B", self.n_in))
        check_shape("cache.states", cache.states, (xs.shape[0] + 1, xs.shape[1], self.n_h))
        grad = as_float_array("G", G, shape=xs.shape).astype(xs.dtype, copy=False)
        return self._backward(grad, cache)

    def state_jacobians(self, x: ArrayLike) -> FloatArray:
        """Return J_t = ∂(Re h_t, Im h_t)/∂(Re h_{t−1}, Im h_{t−1}), t = 1 … T, along x.

        The same real 2 n_h × 2 n_h matrix at every step, [[diag(Re λ), −diag(Im λ)],
        [diag(Im λ), diag(Re λ)]]: the complex diag(λ) acting on the state's real and
        imaginary parts.  ``x`` only sets T (and is checked): the Jacobian does not depend
        on it, which is the point of the layer.

        Parameters
        ----------
        x : array_like, shape (T, n_in)
            One sequence.

        Returns
        -------
        ndarray, shape (T, 2 n_h, 2 n_h)
            In the layer's dtype; a stack :func:`~rnngrad.jacobians.product_norms_by_lag`
            accepts.

        Raises
        ------
        ValueError, TypeError
            If x is not a finite real array (T, n_in) with T ≥ 1.
        """
        xs = as_float_array("x", x, shape=("T", self.n_in))
        if xs.shape[0] == 0:
            raise ValueError("x must not be empty (T = 0 must be >= 1)")
        lam = self.eigenvalues
        re, im = np.diag(lam.real), np.diag(lam.imag)
        J = np.block([[re, -im], [im, re]]).astype(self.dtype)
        return np.broadcast_to(J, (xs.shape[0], *J.shape)).copy()

    def jacobian_norms_by_lag(self, x: ArrayLike, t: int) -> FloatArray:
        """Return ‖∂h_t/∂h_{t−ℓ}‖_2 = max_i abs(λ_i)^ℓ for the lags ℓ = 0 … t along x.

        Exact and in closed form (the product of :meth:`state_jacobians` is
        diag(λ)^ℓ, a normal matrix whose norm is its spectral radius); the tests check it
        against :func:`~rnngrad.jacobians.product_norms_by_lag` of the Jacobians.

        Parameters
        ----------
        x : array_like, shape (T, n_in)
            One sequence (only its length matters).
        t : int
            The later time, 0 ≤ t ≤ T.

        Returns
        -------
        ndarray of float64, shape (t + 1,)
            ``result[lag]``; ``result[0] = 1``.

        Raises
        ------
        ValueError, TypeError
            If x is invalid or t is out of range.
        """
        T = self.state_jacobians(x).shape[0]
        t = check_int("t", t, minimum=0)
        if t > T:
            raise ValueError(f"t must be <= T = {T} (the length of x), got {t}")
        rho = float(np.max(np.abs(self.eigenvalues.astype(np.complex128))))
        result: FloatArray = rho ** np.arange(t + 1, dtype=np.float64)
        return result

    # ----------------------------------------------------------------- for the block and the engine
    def _stacked(self, parameters: Mapping[str, FloatArray]) -> LRU:
        """This layer with K networks' parameters stacked on a leading axis, unvalidated.

        For :func:`rnngrad.train.train_many` (through :class:`~rnngrad.block.LRUBlock`):
        the result serves only ``_forward`` on inputs (T, K, B, n_in) and ``_backward``.
        """
        layer = copy.copy(self)
        for name in (f.name for f in fields(self)):
            object.__setattr__(layer, name, parameters[name])
        return layer

    def _forward(self, xs: FloatArray) -> tuple[FloatArray, LRUCache]:
        """``forward`` after its checks: xs is (T, ..., B, n_in) with parameters (..., ·)."""
        lam = _eigenvalues(self.nu_log, self.theta_log)[..., None, :]
        xs = xs.astype(self.dtype, copy=False)
        drive = xs @ self.B_re.mT + 1j * (xs @ self.B_im.mT)
        drive *= np.exp(self.gamma_log)[..., None, :]  # κ ⊙ B x_t, all t
        states = np.zeros((xs.shape[0] + 1, *drive.shape[1:]), dtype=drive.dtype)
        for t in range(xs.shape[0]):
            np.multiply(lam, states[t], out=states[t + 1])
            states[t + 1] += drive[t]
        hs = states[1:]
        ys: FloatArray = hs.real @ self.C_re.mT - hs.imag @ self.C_im.mT + self.D[..., None, :] * xs
        return ys, LRUCache(xs, states)

    def _backward(self, G: FloatArray, cache: LRUCache) -> Gradients:
        """``backward`` after its checks (also for K stacked networks, axes (T, K, B, ·))."""
        xs, states = cache.x, cache.states
        lam = _eigenvalues(self.nu_log, self.theta_log)
        kappa = np.exp(self.gamma_log)
        # ḡ_h from the readout, Cᴴ G_t, then the recurrence run backwards with conj(λ).
        g_h = G @ self.C_re - 1j * (G @ self.C_im)
        back = np.conj(lam)[..., None, :]
        for t in range(xs.shape[0] - 2, -1, -1):
            g_h[t] += back * g_h[t + 1]
        g_z = np.conj(lam) * _sum_steps(np.conj(states[:-1]) * g_h)  # λ = exp(z)
        g_drive = g_h * kappa[..., None, :]  # ḡ of B x_t
        # Sums over t of outer products as one product of each network's rows of all steps.
        g_re, g_im = per_network_rows(g_drive.real), per_network_rows(g_drive.imag)
        x_rows, G_rows = per_network_rows(xs), per_network_rows(G)
        g_B_re, g_B_im = g_re.mT @ x_rows, g_im.mT @ x_rows
        grads = {
            "nu_log": -np.exp(self.nu_log) * g_z.real,
            "theta_log": np.exp(self.theta_log) * g_z.imag,
            # κ_i scales row i of B, so its log-gradient is that row's ⟨B, ∂E/∂B⟩.
            "gamma_log": np.sum(self.B_re * g_B_re + self.B_im * g_B_im, axis=-1),
            "B_re": g_B_re,
            "B_im": g_B_im,
            "C_re": G_rows.mT @ per_network_rows(states[1:].real),
            "C_im": -(G_rows.mT @ per_network_rows(states[1:].imag)),
            "D": _sum_steps(G * xs),
            "x": self.D[..., None, :] * G + g_drive.real @ self.B_re + g_drive.imag @ self.B_im,
        }
        return {name: np.asarray(g, dtype=xs.dtype) for name, g in grads.items()}

    def _inputs(self, x: ArrayLike) -> FloatArray:
        xs = as_float_array("x", x, shape=("T", "B", self.n_in))
        if 0 in xs.shape[:2]:
            raise ValueError(
                f"x must not be empty (T = {xs.shape[0]}, B = {xs.shape[1]} must be >= 1)"
            )
        return xs.astype(self.dtype, copy=False)


def _eigenvalues(nu_log: FloatArray, theta_log: FloatArray) -> ComplexArray:
    """λ = exp(−exp(ν) + i exp(θ)) in the complex dtype matching the parameters."""
    lam: ComplexArray = np.exp(-np.exp(nu_log) + 1j * np.exp(theta_log))
    return lam


def _sum_steps(values: NDArray[Any]) -> NDArray[Any]:
    """Sum over the time axis (first) and the batch axis (second last), keeping any K axis."""
    total: NDArray[Any] = values.sum(axis=0).sum(axis=-2)
    return total
