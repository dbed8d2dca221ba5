"""Bad input fails at the door, naming the argument, what was expected and what was given."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import Case, refused

import rnngrad as rg
from rnngrad import RNN
from rnngrad.experiments import run as run_experiment
from rnngrad.experiments import run_many

N_IN, N_H, N_OUT, T, B = 3, 4, 5, 6, 2
MODEL = RNN.random(N_IN, N_H, N_OUT, rng=1)
BARE = RNN.random(N_IN, N_H, rng=1)
X = np.random.default_rng(0).standard_normal((T, B, N_IN))
SEQ = X[:, 0]
Y = np.zeros((T, B), dtype=int)
HS, CACHE = MODEL.forward(X)
J = MODEL.state_jacobians(SEQ)
W = MODEL.W
GOOD_SD = MODEL.to_torch_state_dict()
ADDER = RNN.random(2, N_H, 1, head="linear", rng=1)

CASES: dict[str, Case] = {
    # ---- RNN construction
    "RNN W not square": (
        lambda: RNN(np.ones((4, 2)), np.ones((4, 3)), np.zeros(4)),
        ValueError,
        r"W must be square .*got \(4, 3\)",
    ),
    "RNN U complex": (
        lambda: RNN(np.ones((2, 2), complex), np.eye(2), np.zeros(2)),
        TypeError,
        r"U must hold real numbers .*complex128",
    ),
    "RNN unknown activation": (
        lambda: RNN(np.ones((2, 2)), np.eye(2), np.zeros(2), "gelu"),
        ValueError,
        r"activation must be one of .*'tanh'.*got 'gelu'",
    ),
    # ---- forward / backward
    "forward x inf": (
        lambda: MODEL.forward(np.full((1, 1, 3), np.inf)),
        ValueError,
        r"x must be finite",
    ),
    "forward x strings": (
        lambda: MODEL.forward(np.array([[["a", "b", "c"]]])),
        TypeError,
        r"x must hold real",
    ),
    "forward x ragged": (lambda: MODEL.forward([[1.0], [1.0, 2.0]]), TypeError, r"x must be an"),
    "forward h0 nan": (
        lambda: MODEL.forward(X, np.full((B, N_H), np.nan)),
        ValueError,
        r"h0 must be finite",
    ),
    "backward truncate negative": (
        lambda: MODEL.backward(HS, CACHE, truncate=-1),
        ValueError,
        r"truncate must be >= 0",
    ),
    "backward truncate float": (
        lambda: MODEL.backward(HS, CACHE, truncate=2.5),
        TypeError,
        r"truncate must be an integer",
    ),
    # ---- heads and losses
    "loss_and_gradients truncate": (
        lambda: MODEL.loss_and_gradients(X, Y, truncate=-3),
        ValueError,
        r"truncate must be >= 0",
    ),
    "states x 3-d": (
        lambda: MODEL.states(X),
        ValueError,
        r"x must have shape \(T, 3\), got \(6, 2, 3\)",
    ),
    "states h0 batch": (
        lambda: MODEL.states(SEQ, np.zeros((1, N_H))),
        ValueError,
        r"h0 must have shape \(4,\)",
    ),
    # ---- interop
    "from_torch_state_dict unknown nonlinearity": (
        lambda: RNN.from_torch_state_dict(GOOD_SD, nonlinearity="gelu"),
        ValueError,
        r"activation must be one of",
    ),
    # ---- bptt
    "bptt_terms t zero": (
        lambda: rg.bptt_terms(MODEL, SEQ, 0, y_t=1),
        ValueError,
        r"t must be >= 1, got 0",
    ),
    "bptt_terms t beyond T": (
        lambda: rg.bptt_terms(MODEL, SEQ, 7, y_t=1),
        ValueError,
        r"t must be <= T = 6.*got 7",
    ),
    "bptt_terms both targets": (
        lambda: rg.bptt_terms(MODEL, SEQ, 2, y_t=1, grad_s_t=np.ones(N_H)),
        ValueError,
        r"exactly one of y_t .* and grad_s_t",
    ),
    "bptt_terms grad wrong shape": (
        lambda: rg.bptt_terms(MODEL, SEQ, 2, grad_s_t=np.ones(3)),
        ValueError,
        r"grad_s_t must have shape \(4,\), got \(3,\)",
    ),
    "bptt_terms label out of range": (
        lambda: rg.bptt_terms(MODEL, SEQ, 2, y_t=9),
        ValueError,
        r"y_t must hold class labels",
    ),
    "bptt_terms y_t without head": (
        lambda: rg.bptt_terms(BARE, SEQ, 2, y_t=1),
        ValueError,
        r"y_t needs a head",
    ),
    "gradient_norm_regulariser t beyond T": (
        lambda: rg.gradient_norm_regulariser(MODEL, SEQ, 7, grad_s_t=np.ones(N_H)),
        ValueError,
        r"t must be <= T = 6.*got 7",
    ),
    "gradient_norm_regulariser grad wrong shape": (
        lambda: rg.gradient_norm_regulariser(MODEL, SEQ, 2, grad_s_t=np.ones(3)),
        ValueError,
        r"grad_s_t must have shape \(4,\), got \(3,\)",
    ),
    "bptt_terms model type": (
        lambda: rg.bptt_terms("rnn", SEQ, 2, y_t=1),
        TypeError,
        r"model must be an rnngrad.RNN",
    ),
    "bptt_terms x batch": (
        lambda: rg.bptt_terms(MODEL, X, 2, y_t=1),
        ValueError,
        r"x must have shape \(T, 3\)",
    ),
    "BPTTTerms.norms unknown param": (
        lambda: rg.bptt_terms(MODEL, SEQ, 2, y_t=1).norms("V"),
        ValueError,
        r"param must be one of 'U', 'W', 'b', got 'V'",
    ),
    "immediate_derivative k beyond T": (
        lambda: rg.immediate_derivative(MODEL, SEQ, 7),
        ValueError,
        r"k must be <= T = 6",
    ),
    "immediate_derivative param": (
        lambda: rg.immediate_derivative(MODEL, SEQ, 1, param="c"),
        ValueError,
        r"param must be",
    ),
    "total_derivative k negative": (
        lambda: rg.total_derivative(MODEL, SEQ, -1),
        ValueError,
        r"k must be >= 0",
    ),
    "total_derivative h0 nan": (
        lambda: rg.total_derivative(MODEL, SEQ, 1, h0=np.full(N_H, np.nan)),
        ValueError,
        r"h0 must be finite",
    ),
    # ---- jacobians
    "state_jacobian s_j wrong size": (
        lambda: rg.state_jacobian(W, np.ones(3)),
        ValueError,
        r"s_j must have shape \(4,\)",
    ),
    "state_jacobian W not square": (
        lambda: rg.state_jacobian(np.ones((4, 3)), np.ones(4)),
        ValueError,
        r"W must be square",
    ),
    "jacobian_product k > t": (
        lambda: rg.jacobian_product(J, 2, 3),
        ValueError,
        r"need 0 <= k <= t <= T = 6",
    ),
    "jacobian_product t > T": (
        lambda: rg.jacobian_product(J, 9, 0),
        ValueError,
        r"got k = 0, t = 9",
    ),
    "jacobian_product not a stack": (
        lambda: rg.jacobian_product(W, 1, 0),
        ValueError,
        r"jacobians must have shape \(T, n_h, n_h\), got \(4, 4\)",
    ),
    "jacobian_norm_table not square": (
        lambda: rg.jacobian_norm_table(np.ones((3, 4, 2))),
        ValueError,
        r"jacobians must have shape \(T, 4, 4\), got \(3, 4, 2\)",
    ),
    "jacobian_norm_table nan": (
        lambda: rg.jacobian_norm_table(np.full((2, 2, 2), np.nan)),
        ValueError,
        r"jacobians must be finite",
    ),
    "product_norms_by_lag t bool": (
        lambda: rg.product_norms_by_lag(J, True),
        TypeError,
        r"t must be an integer",
    ),
    "product_norms_by_lag t beyond T": (
        lambda: rg.product_norms_by_lag(J, 7),
        ValueError,
        r"t must be <= T = 6 \(the number of Jacobians\), got 7",
    ),
    "product_norms_by_lag not square": (
        lambda: rg.product_norms_by_lag(np.ones((3, 4, 2)), 1),
        ValueError,
        r"jacobians must have shape \(T, 4, 4\), got \(3, 4, 2\)",
    ),
    # ---- spectral
    "singular_values 1-d": (
        lambda: rg.singular_values(np.ones(4)),
        ValueError,
        r"W must have shape \(n, n\)",
    ),
    "eigenvalues not square": (
        lambda: rg.eigenvalues(np.ones((2, 3))),
        ValueError,
        r"W must be square.*got \(2, 3\)",
    ),
    "spectral_norm inf": (
        lambda: rg.spectral_norm(np.full((2, 2), np.inf)),
        ValueError,
        r"W must be finite",
    ),
    "spectral_radius complex": (
        lambda: rg.spectral_radius(np.eye(2) * 1j),
        TypeError,
        r"W must hold real numbers",
    ),
    "rescale_spectral_norm target zero": (
        lambda: rg.rescale_spectral_norm(W, 0.0),
        ValueError,
        r"target must be > 0, got 0.0",
    ),
    "rescale_spectral_norm zero matrix": (
        lambda: rg.rescale_spectral_norm(np.zeros((2, 2)), 1.0),
        ValueError,
        r"W has spectral norm 0",
    ),
    "rescale_spectral_radius nilpotent": (
        lambda: rg.rescale_spectral_radius(np.array([[0.0, 1.0], [0.0, 0.0]]), 1.0),
        ValueError,
        r"W has spectral radius 0",
    ),
    "rescale_spectral_radius target nan": (
        lambda: rg.rescale_spectral_radius(W, float("nan")),
        ValueError,
        r"target must be finite",
    ),
    "gaussian_mean h not callable": (
        lambda: rg.gaussian_mean(1.0, 1.0),  # type: ignore[arg-type]
        TypeError,
        r"h must be a function of z, got float",
    ),
    "second_moments variance zero": (
        lambda: rg.second_moments("tanh", 0.0),
        ValueError,
        r"variance must be > 0, got 0.0",
    ),
    "mean_field unknown activation": (
        lambda: rg.mean_field("softplus", 1.0),
        ValueError,
        r"activation must be one of",
    ),
    "rms_rate derivatives 1-d": (
        lambda: rg.rms_rate(np.ones(3), 1.0),
        ValueError,
        r"derivatives must have shape \(T, n\), got \(3,\)",
    ),
    "geometric_rate gain zero": (
        lambda: rg.geometric_rate(np.ones((2, 2)), 0.0),
        ValueError,
        r"gain must be > 0, got 0.0",
    ),
    "finite_width lag zero": (
        lambda: rg.finite_width(np.ones((2, 2)), 0),
        ValueError,
        r"lag must be >= 1, got 0",
    ),
    "measured_rate one norm": (
        lambda: rg.measured_rate([1.0]),
        ValueError,
        r"norms must hold ≥ 2 norms ≥ 0",
    ),
    "orthogonal n zero": (lambda: rg.orthogonal(0), ValueError, r"n must be >= 1, got 0"),
    "orthogonal gain negative": (
        lambda: rg.orthogonal(3, gain=-1.0),
        ValueError,
        r"gain must be > 0",
    ),
    "identity_init n str": (lambda: rg.identity_init("3"), TypeError, r"n must be an integer"),
    "pascanu_bound max_lag negative": (
        lambda: rg.pascanu_bound(W, -1),
        ValueError,
        r"max_lag must be >= 0, got -1",
    ),
    "pascanu_bound activation": (
        lambda: rg.pascanu_bound(W, 3, activation="elu"),
        ValueError,
        r"activation must be one of",
    ),
    # ---- sweep
    "sweep_spectral_norm scales empty": (
        lambda: rg.sweep_spectral_norm([]),
        ValueError,
        r"scales must be a non-empty list of numbers > 0, got \[\]",
    ),
    "sweep_spectral_norm scale negative": (
        lambda: rg.sweep_spectral_norm([1.0, -2.0]),
        ValueError,
        r"scales must be a non-empty list of numbers > 0",
    ),
    "sweep_spectral_norm n_h zero": (
        lambda: rg.sweep_spectral_norm([1.0], n_h=0),
        ValueError,
        r"n_h must be >= 1, got 0",
    ),
    "sweep_spectral_norm activation": (
        lambda: rg.sweep_spectral_norm([1.0], activation="elu"),
        ValueError,
        r"activation must be one of",
    ),
    # ---- gradcheck
    "numerical_gradient not callable": (
        lambda: rg.numerical_gradient(3, np.ones(2)),
        TypeError,
        r"f must be callable, got int",
    ),
    "numerical_gradient vector-valued f": (
        lambda: rg.numerical_gradient(lambda v: v, np.ones(2)),
        TypeError,
        r"f must return a real scalar, got ndarray \(2,\)",
    ),
    "numerical_gradient nan f": (
        lambda: rg.numerical_gradient(lambda v: np.nan, np.ones(2)),
        ValueError,
        r"f\(x\) must be finite",
    ),
    "numerical_gradient x nan": (
        lambda: rg.numerical_gradient(np.sum, np.array([np.nan])),
        ValueError,
        r"x must be finite",
    ),
    "numerical_gradient h zero": (
        lambda: rg.numerical_gradient(np.sum, np.ones(2), h=0.0),
        ValueError,
        r"h must be > 0",
    ),
    "numerical_jacobian not callable": (
        lambda: rg.numerical_jacobian(None, np.ones(2)),
        TypeError,
        r"f must be callable, got NoneType",
    ),
    "numerical_jacobian text-valued f": (
        lambda: rg.numerical_jacobian(lambda v: np.array(["a"]), np.ones(2)),
        TypeError,
        r"f must return a real array, got ndarray <U1",
    ),
    "numerical_jacobian changing shape": (
        lambda: rg.numerical_jacobian(lambda v: v[v > 1.0], np.array([1.0, 2.0])),
        ValueError,
        r"f\(x\) must have shape \(1,\), got \(2,\)",
    ),
    "numerical_jacobian nan f": (
        lambda: rg.numerical_jacobian(lambda v: v * np.nan, np.ones(2)),
        ValueError,
        r"f\(x\) must be finite",
    ),
    "relative_error shapes": (
        lambda: rg.relative_error(np.ones(3), np.ones(4)),
        ValueError,
        r"b must have shape \(3,\), got \(4,\)",
    ),
    "relative_error atol": (
        lambda: rg.relative_error(np.ones(3), np.ones(3), atol=-1.0),
        ValueError,
        r"atol must be",
    ),
    # ---- optim
    "global_norm strings": (
        lambda: rg.global_norm({"b": np.array(["a"])}),
        TypeError,
        r"grads\['b'\] must hold real numbers",
    ),
    "clip_by_global_norm threshold zero": (
        lambda: rg.clip_by_global_norm({"W": W}, 0.0),
        ValueError,
        r"threshold must be > 0, got 0.0",
    ),
    "clip_by_global_norm not a mapping": (
        lambda: rg.clip_by_global_norm([W], 1.0),
        TypeError,
        r"grads must be a mapping of names to arrays, got list",
    ),
    "clip_by_value nan": (
        lambda: rg.clip_by_value({"W": [np.nan]}, 1.0),
        ValueError,
        r"grads\['W'\] must be finite",
    ),
    "SGD momentum one": (lambda: rg.SGD(0.1, momentum=1.0), ValueError, r"momentum must be in"),
    "Adam lr negative": (lambda: rg.Adam(-1e-3), ValueError, r"lr must be > 0, got -0.001"),
    "Adam eps zero": (lambda: rg.Adam(eps=0), ValueError, r"eps must be > 0"),
    "Optimizer.step gradient missing": (
        lambda: rg.Adam().step({"W": W, "b": MODEL.b}, {"W": W}),
        ValueError,
        r"grads is missing the key\(s\) \['b'\]",
    ),
    "Optimizer.step gradient wrong shape": (
        lambda: rg.SGD(0.1).step({"W": W}, {"W": W[:2]}),
        ValueError,
        r"grads\['W'\] must have shape \(4, 4\), got \(2, 4\)",
    ),
    "Optimizer.update not a model": (
        lambda: rg.SGD(0.1).update({"W": W}, {"W": W}),
        TypeError,
        r"model must be an rnngrad model .*got dict",
    ),
    # ---- tasks
    "AddingProblem length one": (
        lambda: rg.AddingProblem(1),
        ValueError,
        r"length must be >= 2, got 1",
    ),
    "AddingProblem hochreiter too short": (
        lambda: rg.AddingProblem(10, "hochreiter"),
        ValueError,
        r"length must be >= 20, got 10",
    ),
    "AddingProblem variant": (
        lambda: rg.AddingProblem(10, "arjovsky"),
        ValueError,
        r"variant must be one of 'hochreiter', 'le', got 'arjovsky'",
    ),
    "AddingProblem.sample batch zero": (
        lambda: rg.AddingProblem(10).sample(0),
        ValueError,
        r"batch must be >= 1, got 0",
    ),
    "AddingProblem.score wrong shape": (
        lambda: rg.AddingProblem(10).score(np.zeros((3, 2)), np.zeros((3, 1))),
        ValueError,
        r"outputs must have shape \(3, 1\), got \(3, 2\)",
    ),
    "AgreementTask clause_length float": (
        lambda: rg.AgreementTask(5.0),
        TypeError,
        r"clause_length must be an integer",
    ),
    "AgreementTask.score float labels": (
        lambda: rg.AgreementTask(3).score(np.zeros((2, 2)), np.zeros(2)),
        TypeError,
        r"y must hold integer class labels",
    ),
    "AgreementTask.render lang": (
        lambda: rg.AgreementTask(3).render(np.zeros(5, int), lang="de"),
        ValueError,
        r"lang must be one of 'en', 'ru', got 'de'",
    ),
    "AgreementTask.render label": (
        lambda: rg.AgreementTask(3).render(np.zeros(5, int), 2),
        ValueError,
        r"label must be 0 or 1, got 2",
    ),
    "AgreementTask.render wrong length": (
        lambda: rg.AgreementTask(3).render(np.zeros(4, int)),
        ValueError,
        r"sequence must have shape \(5,\), got \(4,\)",
    ),
    "AgreementTask.render not one-hot": (
        lambda: rg.AgreementTask(3).render(np.ones((5, rg.AgreementTask(3).n_in))),
        ValueError,
        r"sequence must be one-hot",
    ),
    # ---- train
    "train model does not fit the task": (
        lambda: rg.train(MODEL, rg.AddingProblem(5), rg.Adam(), steps=1),
        ValueError,
        r"model must have n_in = 2 and a 'linear' head with 1 outputs .*got n_in = 3",
    ),
    "train steps zero": (
        lambda: rg.train(ADDER, rg.AddingProblem(5), rg.Adam(), steps=0),
        ValueError,
        r"steps must be >= 1, got 0",
    ),
    "train optimizer": (
        lambda: rg.train(ADDER, rg.AddingProblem(5), "adam", steps=1),
        TypeError,
        r"optimizer must be an rnngrad Optimizer, got str",
    ),
    "train task": (
        lambda: rg.train(ADDER, "adding", rg.Adam(), steps=1),
        TypeError,
        r"task must be an rnngrad task, got str",
    ),
    "train gradient_sequences": (
        lambda: rg.train(ADDER, rg.AddingProblem(5), rg.Adam(), steps=1, eval_batch=2),
        ValueError,
        r"gradient_sequences must be <= eval_batch, got 4 > 2",
    ),
    "train clip zero": (
        lambda: rg.train(ADDER, rg.AddingProblem(5), rg.Adam(), steps=1, clip=0),
        ValueError,
        r"clip must be > 0",
    ),
    "state_gradient_norms model type": (
        lambda: rg.state_gradient_norms("rnn", X, Y[-1]),
        TypeError,
        r"model must be an rnngrad recurrent layer \(RNN, LSTM or GRU\) or an LRUBlock, got str",
    ),
    "state_gradient_norms without head": (
        lambda: rg.state_gradient_norms(BARE, X, Y[-1]),
        ValueError,
        r"this RNN has no head",
    ),
    "state_gradient_norms labels wrong shape": (
        lambda: rg.state_gradient_norms(MODEL, X, Y),
        ValueError,
        r"y must have shape \(2,\), got \(6, 2\)",
    ),
    # ---- experiments
    "make_model kind": (
        lambda: rg.make_model("transformer", 2, 4, 1, head="linear"),
        ValueError,
        r"kind must be one of .*'rnn'.*got 'transformer'",
    ),
    "make_model init of another model": (
        lambda: rg.make_model("lstm", 2, 4, 1, head="linear", init="identity"),
        ValueError,
        r"init must be one of 'gaussian', 'orthogonal', got 'identity'",
    ),
    "scaled_gaussian radius zero": (
        lambda: rg.scaled_gaussian(4, 0.0),
        ValueError,
        r"radius must be > 0, got 0.0",
    ),
    "chapter_experiments seed negative": (
        lambda: rg.chapter_experiments(seeds=[-1]),
        ValueError,
        r"seed must be >= 0, got -1",
    ),
    "ExperimentConfig model": (
        lambda: rg.ExperimentConfig(model="elman"),
        ValueError,
        r"model must be one of 'gru', 'irnn', 'lru', 'lstm', 'rnn', got 'elman'",
    ),
    "ExperimentConfig lag short for hochreiter": (
        lambda: rg.ExperimentConfig(task="adding-hochreiter", lag=10),
        ValueError,
        r"length must be >= 20, got 10",
    ),
    "ExperimentConfig steps float": (
        lambda: rg.ExperimentConfig(steps=1e3),
        TypeError,
        r"steps must be an integer",
    ),
    "run config type": (
        lambda: run_experiment({"task": "adding"}),
        TypeError,
        r"config must be an ExperimentConfig, got dict",
    ),
    "run cache_dir type": (
        lambda: run_experiment(rg.ExperimentConfig(), cache_dir=3),
        TypeError,
        r"cache_dir must be a path or None, got int",
    ),
    "run_many not a sequence": (
        lambda: run_many(rg.ExperimentConfig()),
        TypeError,
        r"configs must be a sequence of ExperimentConfig",
    ),
    "run_many processes zero": (
        lambda: run_many([], processes=0),
        ValueError,
        r"processes must be >= 1, got 0",
    ),
    # ---- truncation (rnngrad.truncation)
    "tbptt_gradients k2 below k1": (
        lambda: rg.tbptt_gradients(MODEL, X, Y, k1=3, k2=2),
        ValueError,
        r"k2 must be >= k1 = 3 .*got 2",
    ),
    "tbptt_gradients layer a string": (
        lambda: rg.tbptt_gradients("rnn", X, Y, k1=1, k2=1),
        TypeError,
        r"layer must be an RNN, LSTM or GRU, got str",
    ),
    "gradient_by_lag steps unknown": (
        lambda: rg.gradient_by_lag(MODEL, X, Y, steps="first"),
        ValueError,
        r"steps must be one of .*got 'first'",
    ),
    "truncated_gradient tau negative": (
        lambda: rg.truncated_gradient({"W": np.zeros((T, N_H, N_H))}, -1),
        ValueError,
        r"tau must be >= 0, got -1",
    ),
    "randomised_truncation_gradient p zero": (
        lambda: rg.randomised_truncation_gradient({"W": np.zeros((T, N_H, N_H))}, 0.0),
        ValueError,
        r"continue_probability must be > 0",
    ),
    "randomised_truncation_moments p above one": (
        lambda: rg.randomised_truncation_moments({"W": np.zeros((T, N_H, N_H))}, 1.5),
        ValueError,
        r"continue_probability must be in \(0, 1\], got 1.5",
    ),
    "randomised_truncation_moments nothing by lag": (
        lambda: rg.randomised_truncation_moments({}, 0.5),
        ValueError,
        r"by_lag must hold at least one parameter",
    ),
    "truncation_probabilities no lags": (
        lambda: rg.truncation_probabilities(0, 0.5),
        ValueError,
        r"lags must be >= 1, got 0",
    ),
    "truncation_bias zero gradient": (
        lambda: rg.truncation_bias({"W": np.zeros((T, N_H, N_H))}, [0.5]),
        ValueError,
        r"by_lag must have a non-zero full gradient",
    ),
    "gradient_costs length zero": (
        lambda: rg.gradient_costs(MODEL, 0),
        ValueError,
        r"length must be >= 1, got 0",
    ),
    "gradient_costs k2 alone": (
        lambda: rg.gradient_costs(MODEL, T, k2=3),
        TypeError,
        r"k1 must be an integer, got NoneType None",
    ),
    "gradient_costs k2 beyond the length": (
        lambda: rg.gradient_costs(MODEL, T, k1=2, k2=T + 1),
        ValueError,
        rf"k2 must be <= length = {T}, got {T + 1}",
    ),
    "gain_explorable no sweep": (
        lambda: rg.gain_explorable([], lang="en"),
        ValueError,
        r"sweeps must hold at least one SpectralSweep, got none",
    ),
    "heatmap_explorable fewer gains": (
        lambda: rg.heatmap_explorable([np.ones((2, 2))], [], lang="en"),
        ValueError,
        r"tables and gains must be non-empty and as many, got 1 and 0",
    ),
    "training_explorable points": (
        lambda: rg.training_explorable({}, points=1, lang="en"),
        ValueError,
        r"points must be >= 2, got 1",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_is_refused_with_a_clear_message(case: str) -> None:
    refused(CASES[case])


def test_every_public_function_has_a_bad_input_case() -> None:
    """A new public function or RNN method must come with its own row in CASES (a method of
    every layer: in test_layers.py)."""
    covered = {case.split(" ")[0] for case in CASES}
    functions = {n for n in rg.__all__ if callable(getattr(rg, n)) and n.islower()}
    # The contract's methods have their cases in test_layers.py; the RNN's own ones are here.
    methods = {n for n in vars(RNN) if not n.startswith("_") and callable(getattr(RNN, n))}
    own = methods - set(dir(rg.RecurrentLayer))
    takes_input = (functions - {"get_activation"}) | own | {"RNN"}
    assert takes_input - covered == set()
