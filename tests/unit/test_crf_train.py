"""The CRF trainer's objective and optimiser against definitions computed the slow way."""
import itertools

import numpy as np
import pytest

from news_assets.ner.crf_train import CrfData, CrfObjective, owlqn, train_crf

LABELS = ["O", "B-PERS", "I-PERS"]


def _random_sequences(seed: int, n_seq: int = 8, max_len: int = 4):
    """Sequences whose tokens share a few attribute lists (as words do) and add single attributes."""
    rng = np.random.default_rng(seed)
    attrs = [f"a{i}" for i in range(12)]
    shared = [[a for a in attrs if rng.random() < 0.3] or ["a0"] for _ in range(5)]
    seqs = []
    for _ in range(n_seq):
        n = int(rng.integers(1, max_len + 1))
        groups = [[shared[int(rng.integers(5))], attrs[int(rng.integers(12))]] for _ in range(n)]
        seqs.append((groups, [LABELS[int(rng.integers(3))] for _ in range(n)]))
    return seqs


def _brute_force_loss(seqs, obj: CrfObjective, theta: np.ndarray, c2: float) -> float:
    """Negative log-likelihood by enumerating every label path, plus c2 * |theta|^2."""
    w, t = obj.unpack(theta)
    d = obj.d
    lid = {y: i for i, y in enumerate(d.labels)}
    aid = {a: i for i, a in enumerate(d.attrs)}
    total = 0.0
    for groups, ys in seqs:
        xs = [[aid[a] for g in gs for a in ([g] if isinstance(g, str) else g)] for gs in groups]

        def score(path):
            return (sum(w[xs[k], p].sum() for k, p in enumerate(path))
                    + sum(t[path[k - 1], path[k]] for k in range(1, len(path))))

        log_z = np.logaddexp.reduce([score(p) for p in itertools.product(range(len(d.labels)), repeat=len(ys))])
        total += log_z - score([lid[y] for y in ys])
    return total + c2 * float(theta @ theta)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_objective_is_the_enumerated_likelihood_and_its_gradient(seed):
    seqs = _random_sequences(seed)
    obj = CrfObjective(CrfData(seqs), c2=0.1, minfreq=0)
    theta = np.random.default_rng(seed + 10).normal(size=obj.size)
    f, g = obj(theta)
    assert f == pytest.approx(_brute_force_loss(seqs, obj, theta, 0.1), rel=1e-10)
    eps = 1e-6
    numeric = np.array([(obj(theta + eps * e)[0] - obj(theta - eps * e)[0]) / (2 * eps) for e in np.eye(obj.size)])
    assert np.allclose(numeric, g, atol=1e-6)


def test_numpy_products_give_torchs_objective():
    """Without torch the products are numpy's gathers and segment sums: the same loss and gradient."""
    seqs = _random_sequences(3, n_seq=30, max_len=9)
    with_torch = CrfObjective(CrfData(seqs), c2=0.05)
    data = CrfData(seqs)
    data._torch = False  # as if torch could not be imported
    with_numpy = CrfObjective(data, c2=0.05)
    theta = np.random.default_rng(4).normal(size=with_torch.size)
    (f1, g1), (f2, g2) = with_torch(theta), with_numpy(theta)
    assert with_torch.d._products() is not None and data._products() is None
    assert f1 == pytest.approx(f2, rel=1e-12) and np.allclose(g1, g2, atol=1e-10)


def test_state_features_are_the_attribute_label_pairs_seen():
    seqs = [([["a", "b"], "c"], ["O", "B-PERS"]), ([["a", "b"]], ["B-PERS"]), (["a"], ["B-PERS"])]
    obj = CrfObjective(CrfData(seqs), c2=0.0)
    d = obj.d
    n = len(d.labels)

    def pairs(o):
        return {(d.attrs[k // n], d.labels[k % n]) for k in o.feature_index}

    assert pairs(obj) == {("a", "O"), ("b", "O"), ("a", "B-PERS"), ("b", "B-PERS"), ("c", "B-PERS")}
    assert obj.size == 5 + 1  # plus the one label pair seen, O -> B-PERS
    assert obj.gold_trans[d.labels.index("O"), d.labels.index("B-PERS")] == 1
    assert CrfObjective(d, 0.0, minfreq=0).size == 5 + n * n  # every label pair's transition
    twice = CrfObjective(d, 0.0, minfreq=2)
    assert pairs(twice) == {("a", "B-PERS")} and twice.size == 1  # seen at least twice


def test_owlqn_finds_the_lasso_solution():
    """min 0.5*|x - b|^2 + c1*|x|_1 is soft-thresholding: x = sign(b) * max(|b| - c1, 0)."""
    b = np.array([3.0, -0.2, 0.5, -2.0, 0.05, 0.0])

    def fun(x):
        return 0.5 * float((x - b) @ (x - b)), x - b

    x, stats = owlqn(fun, np.zeros_like(b), c1=0.3, max_iterations=200)
    assert np.allclose(x, np.sign(b) * np.maximum(np.abs(b) - 0.3, 0), atol=1e-6)
    assert stats["stopped"] == "converged"
    assert (x[[1, 4, 5]] == 0).all()  # exactly zero, not merely small


def test_training_learns_a_separable_pattern_and_drops_weak_features():
    seqs = [([["w=" + w, "x=" + w[-1]]], ["B-PERS" if w.startswith("z") else "O"]) for w in ["za", "zb", "qa", "qb"] * 5]
    model, stats = train_crf(seqs, c1=0.5, c2=0.0, max_iterations=100)
    assert stats["iterations"] >= 1
    assert model["labels"] == ["B-PERS", "O"]
    w = {k: v for k, v in model["state"].items()}
    # the word decides; the shared last letter carries no evidence and L1 keeps it at zero
    assert ("x=a", "O") not in w and ("x=a", "B-PERS") not in w
    assert w[("w=za", "B-PERS")] > 0 and w[("w=qa", "O")] > 0


def test_data_checks_its_input():
    with pytest.raises(ValueError, match="labels"):
        CrfData([([["a"], ["b"]], ["O"])])
    with pytest.raises(ValueError, match="no training tokens"):
        CrfData([([], [])])
