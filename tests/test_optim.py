"""d2l.optim: 2-D traces, the airfoil data and the chapter-9 training loops."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import mxnet as mx  # noqa: E402
from mxnet import nd  # noqa: E402

import d2l  # noqa: E402
from d2l import optim  # noqa: E402


def halve(x1, x2, s1, s2):
    return x1 / 2, x2 / 2, s1 + 1, s2


def sgd(params, states, hyperparams):
    for p in params:
        p[:] -= hyperparams["lr"] * p.grad


def synthetic(n=200, seed=0):
    """A noiseless linear problem: the best loss is 0 and the weights are known."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    return nd.array(X, ctx=mx.cpu()), nd.array(y, ctx=mx.cpu())


def test_train_2d_starts_at_minus_5_minus_2_and_passes_the_state(capsys):
    seen_states = []

    def trainer(x1, x2, s1, s2):
        seen_states.append(s1)
        return halve(x1, x2, s1, s2)

    path = d2l.train_2d(trainer)
    assert len(path) == 21 and path[0] == (-5.0, -2.0)
    assert path[-1] == pytest.approx((-5 / 2 ** 20, -2 / 2 ** 20))
    assert seen_states == list(range(20)), "the state returned by one step goes into the next"
    assert capsys.readouterr().out.startswith("step 20, x1 -0.000005, x2 -0.000002")
    assert len(d2l.train_2d(halve, num_steps=3)) == 4


def test_train_2d_rejects_bad_trainers_and_step_counts():
    with pytest.raises(ValueError, match="x1, x2, s1, s2"):
        d2l.train_2d(lambda x1, x2, s1, s2: (x1, x2))
    with pytest.raises(ValueError, match="num_steps"):
        d2l.train_2d(halve, num_steps=0)


def test_show_trace_2d_draws_the_path_and_widens_the_grid():
    d2l.plt.close("all")
    f = lambda x1, x2: x1 ** 2 + 2 * x2 ** 2  # noqa: E731
    path = [(-5.0, -2.0), (3.0, 4.0), (0.0, 0.0)]
    d2l.show_trace_2d(f, path)
    ax = d2l.plt.gca()
    line = ax.get_lines()[-1]
    assert list(line.get_xdata()) == [-5.0, 3.0, 0.0] and list(line.get_ydata()) == [-2.0, 4.0, 0.0]
    x_low, x_high = ax.get_xlim()
    y_low, y_high = ax.get_ylim()
    assert x_low <= -5.5 and x_high >= 3.5 and y_low <= -3.0 and y_high >= 4.5
    d2l.plt.close("all")
    with pytest.raises(ValueError, match="diverged"):
        d2l.show_trace_2d(f, [(0.0, 0.0), (float("inf"), 1.0)])
    with pytest.raises(ValueError, match="points"):
        d2l.show_trace_2d(f, [1.0, 2.0])


def test_get_data_ch7_is_standardized_airfoil(real_data_dir, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(real_data_dir))
    features, labels = d2l.get_data_ch7(ctx=mx.cpu())
    assert features.shape == (1500, 5) and labels.shape == (1500,)
    assert features.dtype == np.float32 and features.context == mx.cpu() == labels.context
    X = features.asnumpy()
    # standardized over all 1,503 rows, so the first 1,500 are close to mean 0, std 1
    assert np.abs(X.mean(axis=0)).max() < 0.01 and np.abs(X.std(axis=0) - 1).max() < 0.01
    assert abs(float(labels.asnumpy().mean())) < 0.01
    # the first row: 800 Hz, angle 0, chord 0.3048 m, 71.3 m/s, thickness 0.00266337
    assert X[0, 0] < 0 and X[0, 1] < 0 and X[0, 2] > 1
    default_features, _ = d2l.get_data_ch7()
    assert default_features.context == d2l.try_gpu(), "by default the data goes to d2l.try_gpu()"


def test_train_ch7_fits_and_records_every_100_examples(capsys):
    d2l.set_seed(0)
    features, labels = synthetic()
    history = d2l.train_ch7(sgd, None, {"lr": 0.1}, features, labels, batch_size=10, num_epochs=3, plot=False)
    # records at 0, every 100 examples and at epoch ends: 200 examples per epoch -> 2 per epoch
    assert history["epoch"] == pytest.approx([0, 0.5, 1, 1.5, 2, 2.5, 3])
    assert len(history["loss"]) == len(history["seconds"]) == 7
    assert history["loss"][0] > 1 and history["loss"][-1] < 1e-4
    assert history["seconds"] == sorted(history["seconds"]) and history["seconds"][0] == 0
    out = capsys.readouterr().out
    assert out.startswith(f"loss {history['loss'][-1]:.6f}, ") and "sec per epoch" in out


def test_train_ch7_records_at_epoch_ends_when_batches_do_not_divide_100():
    d2l.set_seed(0)
    features, labels = synthetic(n=150)
    history = d2l.train_ch7(sgd, None, {"lr": 0.05}, features, labels, batch_size=40, num_epochs=2, plot=False)
    # examples used after each batch: 40 80 120 150 | 190 230 270 300 -> records at 120, 150, 230, 300
    assert history["epoch"] == pytest.approx([0, 120 / 150, 1, 230 / 150, 2])


def test_train_ch7_hands_states_and_hyperparams_to_the_trainer():
    calls = []

    def counting(params, states, hyperparams):
        calls.append((len(params), states, hyperparams["tag"]))
        assert params[0].shape == (3, 1) and params[1].shape == (1,)

    features, labels = synthetic(n=50)
    history = d2l.train_ch7(counting, "S", {"tag": 7}, features, labels, batch_size=25, num_epochs=2, plot=False)
    assert calls == [(2, "S", 7)] * 4
    assert len(set(history["loss"])) == 1, "a trainer that does nothing leaves the loss unchanged"


def test_gluon_and_scratch_sgd_agree():
    features, labels = synthetic(n=100)
    d2l.set_seed(3)
    scratch = d2l.train_ch7(sgd, None, {"lr": 0.05}, features, labels, batch_size=10, num_epochs=1, plot=False)
    d2l.set_seed(3)
    gluon = d2l.train_gluon_ch7("sgd", {"learning_rate": 0.05}, features, labels, batch_size=10,
                                num_epochs=1, plot=False)
    # same seed: same initial weights, same minibatch order, same updates
    assert gluon["loss"] == pytest.approx(scratch["loss"], rel=1e-4)


def test_gluon_adam_converges_and_trains_on_the_given_context():
    d2l.set_seed(0)
    features, labels = synthetic()
    history = d2l.train_gluon_ch7("adam", {"learning_rate": 0.1}, features, labels, batch_size=20,
                                  num_epochs=4, ctx=mx.cpu(0), plot=False)
    assert history["loss"][-1] < 0.01 * history["loss"][0]


def test_train_ch7_plots_loss_against_epoch():
    d2l.plt.close("all")
    features, labels = synthetic(n=100)
    history = d2l.train_ch7(sgd, None, {"lr": 0.05}, features, labels, batch_size=50, num_epochs=1)
    line = d2l.plt.gca().get_lines()[-1]
    assert list(line.get_xdata()) == history["epoch"] and list(line.get_ydata()) == history["loss"]
    d2l.plt.close("all")


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0}, "batch_size"),
    ({"num_epochs": 0}, "num_epochs"),
    ({"labels": nd.zeros(7)}, "examples"),
    ({"features": nd.zeros(10)}, "2-D"),
])
def test_training_loops_reject_bad_arguments(kwargs, message):
    features, labels = synthetic(n=10)
    args = {"features": features, "labels": labels, "batch_size": 5, "num_epochs": 1, "plot": False}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        d2l.train_ch7(sgd, None, {"lr": 0.1}, **args)
    with pytest.raises(ValueError, match=message):
        d2l.train_gluon_ch7("sgd", {"learning_rate": 0.1}, **args)


def test_train_gluon_ch7_names_an_unknown_optimizer():
    features, labels = synthetic(n=10)
    with pytest.raises(ValueError, match="'adamw2'"):
        d2l.train_gluon_ch7("adamw2", {}, features, labels)


def test_book_signatures_are_kept():
    import inspect

    assert list(inspect.signature(d2l.train_ch7).parameters)[:7] == [
        "trainer_fn", "states", "hyperparams", "features", "labels", "batch_size", "num_epochs"]
    assert list(inspect.signature(d2l.train_gluon_ch7).parameters)[:6] == [
        "trainer_name", "trainer_hyperparams", "features", "labels", "batch_size", "num_epochs"]
    assert inspect.signature(d2l.train_ch7).parameters["batch_size"].default == 10
    assert inspect.signature(d2l.train_ch7).parameters["num_epochs"].default == 2
    assert set(optim.__all__) <= set(d2l.__all__)
