"""Model files of table networks: round trips (one network and ensembles), and every
damage refused with a message before a tensor is used."""

import json

import numpy as np
import pytest

pytest.importorskip("safetensors")

from safetensors.numpy import load_file, save_file  # noqa: E402

from numpynn import ModelFileError, NeuralNetwork, load  # noqa: E402
from numpynn.tabular_network import (  # noqa: E402
    TabularNetwork,
    load_tabular_network,
    load_tabular_networks,
    save_tabular_networks,
)


def _net(seed=0, front_scale=True):
    net = TabularNetwork(3, (5, 4), 2, embeddings=[(4, 2), (6, 3)], front_scale=front_scale,
                         hidden_activation=["mish", "selu"], seed=seed)
    net.metadata = {"features": ["a", "b"], "n": 3}
    return net


@pytest.mark.parametrize("front_scale", [True, False])
def test_round_trip(tmp_path, front_scale):
    net = _net(front_scale=front_scale)
    net.save(tmp_path / "t.safetensors")
    back = load_tabular_network(tmp_path / "t.safetensors")
    np.testing.assert_array_equal(back.theta, net.theta)
    assert back.metadata == net.metadata and back.hidden_activations == ("mish", "selu")
    assert back.input_layout == net.input_layout
    tensors = load_file(tmp_path / "t.safetensors")
    assert tensors["embeddings.1"].shape == (6, 3) and tensors["layers.0.weight"].shape == (8, 5)
    assert ("feature_scale" in tensors) == front_scale


def test_ensembles_share_one_file(tmp_path):
    members = [_net(seed) for seed in range(3)]
    save_tabular_networks(tmp_path / "e.safetensors", members, {"k": 3})
    back = load_tabular_networks(tmp_path / "e.safetensors")
    assert len(back) == 3 and back[2].metadata == {"k": 3}
    for a, b in zip(members, back):
        np.testing.assert_array_equal(a.theta, b.theta)
    assert "members.2.embeddings.0" in load_file(tmp_path / "e.safetensors")
    with pytest.raises(ModelFileError, match="3 networks"):
        load_tabular_network(tmp_path / "e.safetensors")
    other = TabularNetwork(3, (5,), 2, embeddings=[(4, 2), (6, 3)])
    with pytest.raises(ValueError, match="share their architecture"):
        save_tabular_networks(tmp_path / "x.safetensors", [members[0], other])


def _rewrite(path, tensors=None, meta=None):
    """Write the file again with changed tensors or metadata."""
    from safetensors import safe_open

    with safe_open(path, "np") as f:
        raw = dict(f.metadata())
    loaded = load_file(path)
    if tensors:
        loaded.update(tensors)
    for name in [k for k, v in (tensors or {}).items() if v is None]:
        loaded.pop(name)
    if meta:
        numpynn = json.loads(raw["numpynn"])
        meta(numpynn)
        raw["numpynn"] = json.dumps(numpynn)
    save_file({k: v for k, v in loaded.items() if v is not None}, path, metadata=raw)


@pytest.mark.parametrize("damage, message", [
    (lambda p: _rewrite(p, {"embeddings.0": np.zeros((5, 2), np.float32)}), "embeddings.0"),
    (lambda p: _rewrite(p, {"feature_scale": None}), "feature_scale' is missing"),
    (lambda p: _rewrite(p, {"extra.thing": np.zeros(2, np.float32)}), "unexpected"),
    (lambda p: _rewrite(p, {"embeddings.1": np.full((6, 3), np.nan, np.float32)}),
     "non-finite"),
    (lambda p: _rewrite(p, meta=lambda m: m["input_layers"].update(n_dense=4)),
     "do not start with"),
    (lambda p: _rewrite(p, meta=lambda m: m["input_layers"].update(kind="dense")),
     "input_layers must be"),
    (lambda p: _rewrite(p, meta=lambda m: m["input_layers"].update(members=0)), "members"),
    (lambda p: _rewrite(p, meta=lambda m: m["input_layers"].update(embeddings=[[0, 2],
                                                                               [6, 3]])),
     "input_layers"),
    (lambda p: _rewrite(p, meta=lambda m: m.pop("input_layers")), "not a table network"),
    (lambda p: _rewrite(p, meta=lambda m: m.update(hidden_activations=["mish", "swish"])),
     "hidden_activations"),
])
def test_damage_is_refused(tmp_path, damage, message):
    path = tmp_path / "t.safetensors"
    _net().save(path)
    damage(path)
    with pytest.raises(ModelFileError, match=message):
        load_tabular_network(path)


def test_plain_and_table_files_are_told_apart(tmp_path):
    _net().save(tmp_path / "t.safetensors")
    NeuralNetwork(3, 4, 2).save(tmp_path / "d.safetensors")
    with pytest.raises(ModelFileError, match="a table network's model file.*"
                                             "load_tabular_networks"):
        load(tmp_path / "t.safetensors")
    with pytest.raises(ModelFileError, match="numpynn.load"):
        load_tabular_network(tmp_path / "d.safetensors")
