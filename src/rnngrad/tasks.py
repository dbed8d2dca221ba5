"""Synthetic tasks with a long-range dependency of chosen length: adding and agreement.

Each task draws batches of sequences from a seeded generator (same seed, same batches) and
asks for one answer at the last step, so the only way to the answer leads back across the
lag.  A task knows its inputs and outputs (sizes, head), how to score the network's last
output, what a network that ignores the inputs scores (the *baseline*), and when it counts
as solved.

* :class:`AddingProblem` -- add the two marked numbers of a sequence (Hochreiter and
  Schmidhuber 1997; the variant of Le, Jaitly and Hinton 2015).
* :class:`AgreementTask` -- choose «зашёл» or «зашла» after a clause with an attractor: the
  chapter's sentence «Человек, на голове которого была шляпа с павлиньим пером, зашёл в бар»
  made into a task.

Inputs are float64 arrays of shape (T, B, n_in), the layout of the models; targets are for
the last step only (``steps="last"`` of ``loss_and_gradients``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._types import FloatArray
from ._validate import RngLike, as_float_array, as_generator, check_choice, check_int, check_shape

ADDING_VARIANTS = ("le", "hochreiter")
LANGUAGES = ("ru", "en")


class Batch(NamedTuple):
    """A batch of sequences: inputs ``x`` (T, B, n_in) and last-step targets ``y``."""

    x: FloatArray
    y: NDArray[Any]


@runtime_checkable
class Task(Protocol):
    """What a training loop needs to know about a task (:class:`AddingProblem`,
    :class:`AgreementTask`, or any class with these members)."""

    @property
    def length(self) -> int:
        """T, the number of steps of every sequence."""

    @property
    def n_in(self) -> int:
        """Input size."""

    @property
    def n_out(self) -> int:
        """Output size of the head."""

    @property
    def head(self) -> str:
        """``"linear"`` (squared error) or ``"softmax"`` (cross-entropy)."""

    @property
    def metric(self) -> str:
        """What :meth:`score` returns: ``"mse"`` (lower is better) or ``"accuracy"``."""

    @property
    def baseline(self) -> float:
        """The score of the best answer that ignores the inputs (a constant, or a coin)."""

    def sample(self, batch: int, rng: RngLike = None) -> Batch:
        """Return ``batch`` sequences drawn with ``rng`` (same seed, same batch)."""

    def score(self, outputs: ArrayLike, y: ArrayLike) -> float:
        """Return the metric of the network's last outputs (B, n_out) against targets ``y``."""

    def solved(self, outputs: ArrayLike, y: ArrayLike) -> bool:
        """Return whether the outputs (B, n_out) meet the task's success criterion."""


def _outputs(outputs: ArrayLike, batch: int, n_out: int) -> FloatArray:
    return as_float_array("outputs", outputs, shape=(batch, n_out))


# ============================================================================ adding problem
@dataclass(frozen=True)
class AddingProblem:
    """The adding problem: output the sum of the two marked numbers of a sequence.

    Each step is a pair (value, marker).  Two variants:

    ``"le"`` (Le, Jaitly and Hinton 2015; the default)
        Values U[0, 1]; marker 1 at one step of the first half and one of the second half,
        0 elsewhere; target X1 + X2.  Predicting the constant 1 gives MSE Var(X1 + X2) = 1/6,
        the baseline.  Counts as solved when the held-out MSE is below ``baseline / 10``,
        i.e. nine tenths of the variance explained.

    ``"hochreiter"`` (Hochreiter and Schmidhuber 1997)
        Values U[−1, 1]; the first marked pair is one of the first ten, the second one of
        the first T/2 − 1 still unmarked pairs; all other markers are 0 except those of the
        first and the last pair, which are −1; if the first pair is marked, its value is
        set to 0.  Target 0.5 + (X1 + X2)/4.  Predicting the constant 0.5 gives MSE
        (2 − p₀)/48 ≈ 0.039, the baseline, where p₀ ≈ 0.1 is the probability that the first
        pair is marked.  A sequence is processed correctly
        when its absolute error is below 0.04; the task counts as solved when every held-out
        sequence is.  The original draws each length from [T, T + T/10]; here every sequence
        has exactly T steps so that a batch is one array.

    Parameters
    ----------
    length : int
        T; at least 2 for ``"le"``, 20 for ``"hochreiter"`` (ten candidates for the first
        marker, and more for the second).
    variant : {"le", "hochreiter"}
        See above.

    Raises
    ------
    ValueError, TypeError
        If ``length`` is not an integer in range or ``variant`` is unknown.
    """

    length: int
    variant: str = "le"

    head: ClassVar[str] = "linear"
    metric: ClassVar[str] = "mse"
    TOLERANCE: ClassVar[float] = 0.04  # Hochreiter and Schmidhuber's "processed correctly"
    SOLVED_FRACTION_OF_BASELINE: ClassVar[float] = 0.1  # the Le variant's criterion

    def __post_init__(self) -> None:
        check_choice("variant", self.variant, ADDING_VARIANTS)
        minimum = 2 if self.variant == "le" else 20
        object.__setattr__(self, "length", check_int("length", self.length, minimum=minimum))

    @property
    def n_in(self) -> int:
        """2: the value and the marker."""
        return 2

    @property
    def n_out(self) -> int:
        """1: the sum."""
        return 1

    @property
    def baseline(self) -> float:
        """MSE of the best constant prediction: 1/6 (``"le"``) or (2 − p₀)/48 (``"hochreiter"``).

        Each marked value has E[X²] = 1/3, except that the first pair's value is 0 when it is
        marked, which happens with probability p₀ = P(first marker at 0) + P(second at 0).
        """
        if self.variant == "le":
            return 1.0 / 6.0
        window = self.length // 2 - 1
        # The first marker is uniform on 0…9; the second uniform on the window without it.
        p0 = 0.1 + sum(0.1 / (window - (f < window)) for f in range(1, 10))
        return (2.0 - p0) / 48.0

    def sample(self, batch: int, rng: RngLike = None) -> Batch:
        """Return ``batch`` sequences.

        Parameters
        ----------
        batch : int
            B, ≥ 1.
        rng : numpy.random.Generator, int or None
            Random source or seed; None means seed 0.

        Returns
        -------
        Batch
            ``x`` (T, B, 2): values in channel 0, markers in channel 1; ``y`` (B, 1).

        Raises
        ------
        ValueError, TypeError
            If ``batch`` is not an integer ≥ 1 or ``rng`` is not a Generator or seed.
        """
        B = check_int("batch", batch, minimum=1)
        gen = as_generator(rng)
        T = self.length
        x = np.zeros((T, B, 2))
        rows = np.arange(B)
        if self.variant == "le":
            x[:, :, 0] = gen.random((T, B))
            first = gen.integers(0, T // 2, size=B)
            second = gen.integers(T // 2, T, size=B)
        else:
            x[:, :, 0] = gen.uniform(-1.0, 1.0, (T, B))
            first = gen.integers(0, 10, size=B)
            # One of the first T/2 − 1 pairs other than the first marked: draw among the
            # candidates that remain and skip over ``first``.
            window = T // 2 - 1
            second = gen.integers(0, window - (first < window), size=B)
            second += second >= first
            x[0, :, 1] = x[T - 1, :, 1] = -1.0
        x[first, rows, 1] = x[second, rows, 1] = 1.0
        if self.variant == "hochreiter":
            x[0, x[0, :, 1] == 1.0, 0] = 0.0  # a marked first pair counts 0
        total = x[first, rows, 0] + x[second, rows, 0]
        y = total if self.variant == "le" else 0.5 + total / 4.0
        return Batch(x, y[:, None])

    def score(self, outputs: ArrayLike, y: ArrayLike) -> float:
        """Return the mean squared error of ``outputs`` (B, 1) against ``y`` (B, 1)."""
        out, target = self._pair(outputs, y)
        return float(np.mean((out - target) ** 2))

    def solved(self, outputs: ArrayLike, y: ArrayLike) -> bool:
        """MSE < baseline/10 (``"le"``), or every abs(error) < 0.04 (``"hochreiter"``)."""
        out, target = self._pair(outputs, y)
        if self.variant == "le":
            return self.score(out, target) < self.SOLVED_FRACTION_OF_BASELINE * self.baseline
        return bool(np.all(np.abs(out - target) < self.TOLERANCE))

    def _pair(self, outputs: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
        target = as_float_array("y", y, shape=("B", 1))
        return _outputs(outputs, target.shape[0], self.n_out), target


# ============================================================================ agreement task
class Word(NamedTuple):
    """A token of :class:`AgreementTask`: the Russian word, its English gloss and its role."""

    ru: str
    en: str
    role: str  # "subject", "noun", "filler" or "verb"
    gender: str  # "m", "f" or "" (no gender)


def _words(role: str, gender: str, pairs: str) -> tuple[Word, ...]:
    glossed = (pair.split("/") for pair in pairs.split())
    return tuple(Word(ru, en, role, gender) for ru, en in glossed)


#: The vocabulary of :class:`AgreementTask`: token i is ``VOCABULARY[i]``.  The fillers have
#: no gender, so that nothing but the nouns can hint at the verb's form.
VOCABULARY: tuple[Word, ...] = (
    _words("subject", "m", "человек/man мальчик/boy брат/brother")
    + _words("subject", "f", "женщина/woman девочка/girl сестра/sister")
    + _words("noun", "m", "шарф/scarf зонт/umbrella портфель/briefcase")
    + _words("noun", "f", "шляпа/hat голова/head сумка/bag")
    + _words("filler", "", "на/on с/with под/under и/and в/in там/there")
    + (Word("…", "…", "verb", ""),)  # the slot where the verb goes: time to answer
)

#: The two answers: class 0 agrees with a masculine subject, class 1 with a feminine one.
VERB_FORMS: tuple[Word, Word] = (
    Word("зашёл", "walked in (m.)", "verb", "m"),
    Word("зашла", "walked in (f.)", "verb", "f"),
)


def _token_ids(role: str, gender: str = "") -> NDArray[np.intp]:
    ids = [i for i, w in enumerate(VOCABULARY) if w.role == role and w.gender == gender]
    return np.array(ids, dtype=np.intp)


@dataclass(frozen=True)
class AgreementTask:
    """Subject–verb gender agreement across a clause: pick «зашёл» or «зашла».

    A sequence is built like the chapter's sentence «Человек, на голове которого была шляпа
    с павлиньим пером, зашёл в бар», reduced to what matters for agreement:

        subject, clause of L tokens, verb slot  →  the verb form (the label)

    * The subject is a masculine or a feminine noun, with equal probability, the only token that
      decides the answer.
    * The clause holds L − 2 gender-less fillers (на, с, под, …) and two nouns at random
      places: the *attractor*, of the other gender than the subject (like «шляпа»), and one
      of the subject's gender.  The second noun is what keeps the task honest: with the
      attractor alone, its gender would give the answer away a few steps before the verb.
      With both, the clause is distributed alike for both answers and the nearest noun is
      the attractor half of the time, so a network that has forgotten the subject scores
      the chance level 50 %.
    * The last input is the verb slot «…», where the network answers: class 0 = «зашёл»
      (masculine subject), class 1 = «зашла» (feminine).

    The subject is T − 1 = L + 1 steps before the answer.  The sequences are a bag of the
    sentence's parts, not grammatical Russian; :meth:`render` prints one in either language.

    Parameters
    ----------
    clause_length : int
        L, at least 2 (room for the two nouns).

    Raises
    ------
    ValueError, TypeError
        If ``clause_length`` is not an integer ≥ 2.
    """

    clause_length: int

    head: ClassVar[str] = "softmax"
    metric: ClassVar[str] = "accuracy"
    SOLVED_ACCURACY: ClassVar[float] = 0.95

    def __post_init__(self) -> None:
        L = check_int("clause_length", self.clause_length, minimum=2)
        object.__setattr__(self, "clause_length", L)

    @property
    def length(self) -> int:
        """T = L + 2: the subject, the clause and the verb slot."""
        return self.clause_length + 2

    @property
    def n_in(self) -> int:
        """The size of :data:`VOCABULARY` (one-hot inputs)."""
        return len(VOCABULARY)

    @property
    def n_out(self) -> int:
        """2: «зашёл» or «зашла»."""
        return 2

    @property
    def baseline(self) -> float:
        """0.5: the accuracy of a coin (the two answers are equally likely)."""
        return 0.5

    def tokens(self, batch: int, rng: RngLike = None) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Return ``batch`` sequences as token ids into :data:`VOCABULARY`, and their labels.

        Parameters
        ----------
        batch : int
            B, ≥ 1.
        rng : numpy.random.Generator, int or None
            Random source or seed; None means seed 0.

        Returns
        -------
        tokens : ndarray of int, shape (T, B)
        labels : ndarray of int, shape (B,)
            0 for a masculine subject («зашёл»), 1 for a feminine one («зашла»).

        Raises
        ------
        ValueError, TypeError
            If ``batch`` is not an integer ≥ 1 or ``rng`` is not a Generator or seed.
        """
        B = check_int("batch", batch, minimum=1)
        gen = as_generator(rng)
        L, rows = self.clause_length, np.arange(B)
        subjects, nouns, fillers = _by_gender("subject"), _by_gender("noun"), _token_ids("filler")
        gender = gen.integers(0, 2, size=B)
        tokens = np.empty((self.length, B), dtype=np.intp)
        tokens[0] = subjects[gender, gen.integers(0, subjects.shape[1], size=B)]
        clause = tokens[1 : L + 1]
        clause[:] = fillers[gen.integers(0, len(fillers), size=(L, B))]
        attractor = gen.integers(0, L, size=B)
        match = gen.integers(0, L - 1, size=B)
        match += match >= attractor  # a different place
        clause[attractor, rows] = nouns[1 - gender, gen.integers(0, nouns.shape[1], size=B)]
        clause[match, rows] = nouns[gender, gen.integers(0, nouns.shape[1], size=B)]
        tokens[L + 1] = _token_ids("verb")[0]
        return tokens, gender.astype(np.intp)

    def sample(self, batch: int, rng: RngLike = None) -> Batch:
        """Return ``batch`` sequences as one-hot inputs (see :meth:`tokens`).

        Returns
        -------
        Batch
            ``x`` (T, B, len(VOCABULARY)) one-hot float64; ``y`` (B,) integer labels.

        Raises
        ------
        ValueError, TypeError
            If ``batch`` is not an integer ≥ 1 or ``rng`` is not a Generator or seed.
        """
        tokens, labels = self.tokens(batch, rng)
        return Batch(np.eye(self.n_in)[tokens], labels)

    def score(self, outputs: ArrayLike, y: ArrayLike) -> float:
        """Return the accuracy: the fraction of sequences whose larger output is the label."""
        out, labels = self._pair(outputs, y)
        return float(np.mean(np.argmax(out, axis=1) == labels))

    def solved(self, outputs: ArrayLike, y: ArrayLike) -> bool:
        """Accuracy ≥ 0.95 on the held-out sequences."""
        return self.score(outputs, y) >= self.SOLVED_ACCURACY

    def render(self, sequence: ArrayLike, label: int | None = None, lang: str = "ru") -> str:
        """Return one sequence as words, in Russian or as English glosses.

        Parameters
        ----------
        sequence : array_like
            Token ids (T,) as from :meth:`tokens`, or one-hot inputs (T, n_in) as from
            :meth:`sample`, of one sequence.
        label : int, optional
            0 or 1: the verb slot is shown as that verb form; as «…» if None.
        lang : {"ru", "en"}
            Russian words or their English glosses.

        Returns
        -------
        str
            E.g. ``"женщина на шарф с шляпа зашла"`` or
            ``"woman on scarf with hat walked in (f.)"``.

        Raises
        ------
        ValueError, TypeError
            If ``sequence`` is not ids or one-hot rows of this task's length, ``label`` is not
            0 or 1, or ``lang`` is unknown.
        """
        check_choice("lang", lang, LANGUAGES)
        ids = _as_token_ids(sequence, self.length, self.n_in)
        words = [VOCABULARY[i] for i in ids]
        if label is not None:
            if check_int("label", label, minimum=0) > 1:
                raise ValueError(f"label must be 0 or 1, got {label}")
            words[-1] = VERB_FORMS[label]
        return " ".join(getattr(w, lang) for w in words)

    def _pair(self, outputs: ArrayLike, y: ArrayLike) -> tuple[FloatArray, NDArray[Any]]:
        labels = np.asarray(y)
        if labels.dtype.kind not in "iu":
            raise TypeError(f"y must hold integer class labels, got dtype {labels.dtype}")
        check_shape("y", labels, ("B",))
        return _outputs(outputs, labels.shape[0], self.n_out), labels


def _by_gender(role: str) -> NDArray[np.intp]:
    """Token ids of ``role``, masculine in row 0 and feminine in row 1 (equally many)."""
    return np.stack([_token_ids(role, "m"), _token_ids(role, "f")])


def _as_token_ids(sequence: ArrayLike, length: int, vocabulary: int) -> NDArray[np.intp]:
    arr = np.asarray(sequence)
    if arr.ndim == 2:
        one_hot = as_float_array("sequence", arr, shape=(length, vocabulary))
        if not np.all(np.sort(one_hot, axis=1)[:, -2:] == [0.0, 1.0]):
            raise ValueError("sequence must be one-hot: one 1 and zeros in every row")
        ids: NDArray[np.intp] = np.argmax(one_hot, axis=1)
        return ids
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"sequence must hold integer token ids or one-hot rows, got dtype {arr.dtype}"
        )
    check_shape("sequence", arr, (length,))
    if arr.min() < 0 or arr.max() >= vocabulary:
        raise ValueError(
            f"sequence must hold token ids in [0, {vocabulary}), got {arr.min()}..{arr.max()}"
        )
    return arr.astype(np.intp)
