"""The tasks are deterministic for a seed, and their labels follow from their inputs."""

from __future__ import annotations

import numpy as np
import pytest

from rnngrad.tasks import VERB_FORMS, VOCABULARY, AddingProblem, AgreementTask, Task

ROLE = np.array([w.role for w in VOCABULARY])
GENDER = np.array([w.gender for w in VOCABULARY])


@pytest.mark.parametrize(
    "task",
    [AddingProblem(12), AddingProblem(24, "hochreiter"), AgreementTask(5)],
    ids=["le", "hochreiter", "agreement"],
)
def test_same_seed_same_batch(task: Task) -> None:
    a, b, c = task.sample(16, rng=7), task.sample(16, rng=7), task.sample(16, rng=8)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)
    assert a.x.shape == (task.length, 16, task.n_in)
    assert a.x.dtype == np.float64
    assert isinstance(task, Task)


# ---------------------------------------------------------------- adding problem
def test_le_adding_marks_one_value_in_each_half_and_asks_for_their_sum() -> None:
    T = 11
    x, y = AddingProblem(T).sample(500, rng=1)
    values, markers = x[:, :, 0], x[:, :, 1]
    assert np.all((values >= 0) & (values <= 1))
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers[: T // 2].sum(axis=0) == 1)
    assert np.all(markers[T // 2 :].sum(axis=0) == 1)
    np.testing.assert_allclose(y[:, 0], (values * markers).sum(axis=0))


def test_hochreiter_adding_follows_the_1997_recipe() -> None:
    T = 30
    x, y = AddingProblem(T, "hochreiter").sample(2000, rng=2)
    values, markers = x[:, :, 0], x[:, :, 1]
    assert np.all(np.abs(values) <= 1)
    marked = markers == 1.0
    assert np.all(marked.sum(axis=0) == 2)
    first = np.argmax(marked, axis=0)
    second = T - 1 - np.argmax(marked[::-1], axis=0)
    assert first.max() < 10
    assert second.max() < T // 2 - 1
    assert np.all(markers[T - 1] == -1)
    assert np.all((markers[0] == -1) | marked[0])
    unmarked_inside = ~marked[1:-1]
    assert np.all(markers[1:-1][unmarked_inside] == 0)
    assert np.all(values[0][marked[0]] == 0)  # X1 = 0 when the first pair is marked
    np.testing.assert_allclose(y[:, 0], 0.5 + (values * marked).sum(axis=0) / 4)


@pytest.mark.parametrize(("variant", "constant"), [("le", 1.0), ("hochreiter", 0.5)])
def test_the_baseline_is_the_mse_of_the_best_constant(variant: str, constant: float) -> None:
    task = AddingProblem(40, variant)
    _, y = task.sample(100_000, rng=3)
    assert np.mean(y) == pytest.approx(constant, abs=0.01)
    assert task.score(np.full_like(y, constant), y) == pytest.approx(task.baseline, rel=0.02)
    assert not task.solved(np.full_like(y, constant), y)
    assert task.solved(y + 0.01, y)


# ---------------------------------------------------------------- agreement task
def test_agreement_label_is_the_gender_of_the_subject() -> None:
    task = AgreementTask(6)
    tokens, labels = task.tokens(400, rng=4)
    x, y = task.sample(400, rng=4)
    np.testing.assert_array_equal(x.argmax(axis=2), tokens)
    np.testing.assert_array_equal(x.sum(axis=2), 1.0)
    np.testing.assert_array_equal(y, labels)
    assert np.all(ROLE[tokens[0]] == "subject")
    np.testing.assert_array_equal(y, (GENDER[tokens[0]] == "f").astype(int))
    assert np.all(ROLE[tokens[-1]] == "verb")
    assert 0.4 < y.mean() < 0.6


def test_the_clause_holds_an_attractor_and_tells_nothing_about_the_answer() -> None:
    task = AgreementTask(8)
    tokens, labels = task.tokens(2000, rng=5)
    clause = tokens[1:-1]
    nouns = ROLE[clause] == "noun"
    assert np.all(nouns.sum(axis=0) == 2)
    assert np.all(GENDER[clause][~nouns] == "")  # fillers carry no gender
    subject = GENDER[tokens[0]]
    attractors = nouns & (GENDER[clause] != subject)
    assert np.all(attractors.sum(axis=0) == 1)
    # The nearest noun to the verb is the attractor about half of the time, so guessing
    # from it is no better than a coin.
    nearest = clause.shape[0] - 1 - np.argmax(nouns[::-1], axis=0)
    guess = (GENDER[clause[nearest, np.arange(2000)]] == "f").astype(int)
    assert 0.45 < np.mean(guess == labels) < 0.55


def test_render_prints_a_sequence_in_either_language() -> None:
    task = AgreementTask(3)
    tokens, labels = task.tokens(1, rng=6)
    ru = task.render(tokens[:, 0], labels[0])
    en = task.render(task.sample(1, rng=6).x[:, 0], labels[0], lang="en")
    assert ru.split()[0] == VOCABULARY[tokens[0, 0]].ru
    assert ru.endswith(VERB_FORMS[labels[0]].ru)
    assert en.startswith(VOCABULARY[tokens[0, 0]].en)
    assert en.endswith(VERB_FORMS[labels[0]].en)
    assert task.render(tokens[:, 0]).endswith("…")


def test_agreement_scores_accuracy() -> None:
    task = AgreementTask(2)
    labels = np.array([0, 1, 1, 0])
    right = np.eye(2)[labels]
    assert task.score(right, labels) == 1.0
    assert task.score(right[:, ::-1], labels) == 0.0
    assert task.solved(right, labels)
    assert not task.solved(right[:, ::-1], labels)
