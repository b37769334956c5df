"""A ``numpynn train`` model exported with its preprocessing: onnxruntime on the raw rows of a
CSV with text and missing values gives what ``numpynn predict`` gives.

Three targets (text class labels, numeric class labels, a regression), opsets 13 and 17
(text columns through ai.onnx.ml's LabelEncoder) and 19 and 21 (string Equal), double and
float inputs; the graph's inputs, outputs and metadata; reading the network back.
"""

from __future__ import annotations

import csv
import json
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytest.importorskip("safetensors")

import numpynn  # noqa: E402
from numpynn.cli import main  # noqa: E402
from numpynn.tabular import Preprocessor, TargetEncoder, is_missing, read_csv  # noqa: E402
from numpynn.tabular.onnx import table_model_to_onnx  # noqa: E402

COLUMNS = ["age", "height", "color", "city", "kind", "grade", "price"]
TARGETS = ["kind", "grade", "price"]


def make_rows(n: int, seed: int, unseen: bool = False) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    colors = ["red", "green", "blue", "", "NA"] + (["purple"] if unseen else [])
    rows = []
    for i in range(n):
        age = rng.uniform(18, 80)
        color = colors[int(rng.integers(len(colors)))]
        city = ["Oslo", "Lima", "Pune"][int(rng.integers(3))] if i % 9 else " NA "
        score = (age - 50) / 15 + 1.5 * (color == "red") - 1.5 * (color == "blue")
        kind = "cat" if score > 0.5 else "dog" if score < -0.5 else "bird"
        grade = str(1 + int(age > 40) + int(age > 60))
        price = 3 * age + 40 * (city == "Oslo") + rng.normal(0, 5)
        rows.append(["" if i % 11 == 3 else f"{age:.1f}",
                     "nan" if i % 7 == 2 else f"{rng.normal(170, 10):.2f}",
                     color, city, kind, grade, f"{price:.2f}"])
    return rows


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Models from ``numpynn train`` for each target, and rows to predict."""
    directory = tmp_path_factory.mktemp("table")
    data = write_csv(directory / "train.csv", make_rows(160, seed=0))
    models = {}
    for target in TARGETS:
        models[target] = directory / f"{target}.safetensors"
        code = main(["train", str(data), "--target", target, "--epochs", "30", "--quiet",
                     "--hidden", "8,6", "--out", str(models[target])])
        assert code == 0
    return {"models": models, "new": write_csv(directory / "new.csv",
                                               make_rows(60, seed=1, unseen=True))}


def session(model):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def run_raw_rows(model, path, numeric=np.float64) -> dict[str, np.ndarray]:
    """onnxruntime on the CSV's cells: numbers as read (NaN when missing), text as written
    (stripped: "", "NA" and "nan" stay as they are, for the graph to read as gaps)."""
    sess = session(model)
    with open(path, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    feeds = {}
    for item in sess.get_inputs():
        values = [row[header.index(item.name)].strip() for row in rows]
        if item.type == "tensor(string)":
            feeds[item.name] = np.array(values, dtype=object).reshape(-1, 1)
        else:
            feeds[item.name] = np.array([np.nan if is_missing(v) else float(v) for v in values],
                                        dtype=numeric).reshape(-1, 1)
    return dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds), strict=True))


def cli_predict(capsys, *args) -> list[list[str]]:
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["predict", *map(str, args)]) == 0
    return list(csv.reader(capsys.readouterr().out.splitlines()))


def library_outputs(model_path, data_path):
    net = numpynn.load(model_path)
    pre = Preprocessor.from_dict(net.metadata["preprocessor"])
    enc = TargetEncoder.from_dict(net.metadata["target_encoder"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return net.eval(pre.transform(read_csv(data_path))), enc


@pytest.mark.parametrize("opset", [13, 17, 19, 21])
@pytest.mark.parametrize("target", TARGETS)
def test_onnxruntime_on_raw_rows_gives_numpynn_predicts_answers(trained, target, opset, capsys):
    model_path, new = trained["models"][target], trained["new"]
    model = numpynn.to_onnx(model_path, opset=opset)
    onnx.checker.check_model(model, full_check=True)
    outputs = run_raw_rows(model, new)
    predicted = cli_predict(capsys, model_path, new)
    assert predicted[0] == [target]
    expected, enc = library_outputs(model_path, new)
    if target == "price":
        np.testing.assert_allclose(outputs["output"], enc.inverse_transform(expected),
                                   rtol=1e-6, atol=1e-4)
        np.testing.assert_allclose(outputs["output"][:, 0],
                                   [float(row[0]) for row in predicted[1:]], rtol=1e-6)
        return
    labels = outputs["label"]
    if target == "grade":  # numeric class labels come out as numbers
        assert labels.dtype == np.int64
        assert labels.tolist() == [int(row[0]) for row in predicted[1:]]
    else:
        assert labels.tolist() == [row[0] for row in predicted[1:]]
    assert len(set(labels.tolist())) > 1  # the rows do not all get one class
    np.testing.assert_allclose(outputs["probabilities"], expected, rtol=0, atol=1e-6)
    proba = cli_predict(capsys, model_path, new, "--proba")
    assert proba[0] == [target, *(f"P({c})" for c in enc.classes)]  # the label, then P
    np.testing.assert_allclose(outputs["probabilities"],
                               np.array([row[1:] for row in proba[1:]], dtype=float),
                               rtol=1e-5, atol=1e-6)


def test_float_inputs_give_the_same_labels(trained):
    model_path, new = trained["models"]["kind"], trained["new"]
    model = numpynn.to_onnx(model_path, numeric_type="float32")
    assert {i.type.tensor_type.elem_type for i in model.graph.input} == {
        onnx.TensorProto.FLOAT, onnx.TensorProto.STRING}
    as_float = run_raw_rows(model, new, numeric=np.float32)
    as_double = run_raw_rows(numpynn.to_onnx(model_path), new)
    np.testing.assert_array_equal(as_float["label"], as_double["label"])
    np.testing.assert_allclose(as_float["probabilities"], as_double["probabilities"], atol=1e-5)


@pytest.mark.parametrize("opset", [17, 21])
def test_the_graphs_inputs_outputs_and_metadata(trained, opset):
    net = numpynn.load(trained["models"]["kind"])
    model = numpynn.to_onnx(net, opset=opset)
    graph = model.graph
    assert [i.name for i in graph.input] == ["age", "height", "color", "city", "grade", "price"]
    types = {i.name: i.type.tensor_type for i in graph.input}
    assert types["age"].elem_type == onnx.TensorProto.DOUBLE
    assert types["color"].elem_type == onnx.TensorProto.STRING
    assert [d.dim_param or d.dim_value for d in types["city"].shape.dim] == ["N", 1]
    assert [o.name for o in graph.output] == ["probabilities", "label"]
    assert graph.output[1].type.tensor_type.elem_type == onnx.TensorProto.STRING
    domains = {n.domain for n in graph.node}
    assert domains == ({""} if opset >= 19 else {"", "ai.onnx.ml"})
    assert "ZipMap" not in {n.op_type for n in graph.node}
    props = {p.key: p.value for p in model.metadata_props}
    assert json.loads(props["numpynn.classes"]) == ["bird", "cat", "dog"]
    assert props["numpynn.target"] == "kind"
    assert {f"layers.{i}.weight" for i in range(3)} <= {t.name for t in graph.initializer}


def test_the_network_alone_on_request(trained):
    net = numpynn.load(trained["models"]["price"])
    model = numpynn.to_onnx(net, preprocessing=False)
    assert [i.name for i in model.graph.input] == ["input"]
    assert model.graph.input[0].type.tensor_type.shape.dim[1].dim_value == net.sizes[0]


@pytest.mark.parametrize("target", TARGETS)
def test_from_onnx_gives_the_trained_model_back(trained, target, tmp_path, capsys):
    net = numpynn.load(trained["models"][target])
    back = numpynn.from_onnx(numpynn.to_onnx(net, opset=21))
    assert back.theta.tobytes() == net.theta.tobytes()
    assert back.activations == net.activations
    assert back.metadata == net.metadata
    back.save(tmp_path / "back.safetensors")
    assert cli_predict(capsys, tmp_path / "back.safetensors", trained["new"]) == \
        cli_predict(capsys, trained["models"][target], trained["new"])


def test_preprocessing_that_does_not_fit_the_network(trained):
    net = numpynn.load(trained["models"]["kind"])
    pre = Preprocessor.from_dict(net.metadata["preprocessor"])
    enc = TargetEncoder.from_dict(net.metadata["target_encoder"])
    other = numpynn.NeuralNetwork(net.sizes[0] + 1, 3)
    with pytest.raises(ValueError, match="does not match the network"):
        table_model_to_onnx(other, pre, enc)
    with pytest.raises(ValueError, match="numeric_type must be one of"):
        table_model_to_onnx(net, pre, enc, numeric_type="int8")
    damaged = numpynn.load(trained["models"]["kind"])
    damaged.metadata["preprocessor"]["columns"][0]["std"] = -1.0
    with pytest.raises(ValueError, match="preprocessing metadata is damaged"):
        numpynn.to_onnx(damaged)


def test_a_column_named_like_an_output_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows([["label", "y"]] + [[str(i), "ab"[i % 2]] for i in range(20)])
    table = read_csv(path)
    pre, enc = Preprocessor.fit(table, "y"), TargetEncoder.fit(table, "y")
    net = numpynn.NeuralNetwork(pre.n_features, 2)
    with pytest.raises(ValueError, match="column 'label' has the name of an ONNX output"):
        table_model_to_onnx(net, pre, enc)


def _version_1(state):
    """A version-2 preprocessor state as numpynn 0.1 wrote it (no fills, no gap features)."""
    columns = [{k: v for k, v in c.items()
                if k not in ("fill", "indicator", "missing_category", "numbers")}
               for c in state["columns"]]
    return {**state, "version": 1, "columns": columns}


@pytest.mark.parametrize("opset", [13, 21])
def test_a_version_1_preprocessor_exports_as_before(trained, opset):
    """0.1 files: a numeric gap is the training mean (0 after standardising), a text gap
    all zeros; the graph does what that preprocessor's transform does."""
    net = numpynn.load(trained["models"]["kind"])
    pre = Preprocessor.from_dict(_version_1(net.metadata["preprocessor"]))
    enc = TargetEncoder.from_dict(net.metadata["target_encoder"])
    old = numpynn.NeuralNetwork(pre.n_features, 5, len(enc.classes), seed=0)
    outputs = run_raw_rows(table_model_to_onnx(old, pre, enc, opset=opset), trained["new"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = old.eval(pre.transform(read_csv(trained["new"])))
    np.testing.assert_allclose(outputs["probabilities"], expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("opset", [13, 21])
def test_number_categories_and_na_values(tmp_path, capsys, opset):
    """--categorical on a number column (a double input compared by value, NaN a gap of
    its own) and --na-values (a text cell so spelled is a gap)."""
    rows = make_rows(160, seed=2)
    for i, row in enumerate(rows):
        row[2] = "unknown" if i % 13 == 5 else row[2]  # color: one more gap spelling
        row[5] = "" if i % 17 == 4 else row[5]  # grade: a gap in a number category
    data, model_path = write_csv(tmp_path / "t.csv", rows), tmp_path / "m.safetensors"
    assert main(["train", str(data), "--target", "kind", "--epochs", "20", "--quiet",
                 "--categorical", "grade", "--na-values", "unknown", "--out",
                 str(model_path)]) == 0
    net = numpynn.load(model_path)
    assert {"grade=1", "grade=(missing)", "color=(missing)"} <= set(net.metadata["feature_names"])
    model = numpynn.to_onnx(model_path, opset=opset)
    assert {i.name: i.type.tensor_type.elem_type for i in model.graph.input}["grade"] == \
        onnx.TensorProto.DOUBLE
    new = write_csv(tmp_path / "new.csv", rows[:80])
    outputs = run_raw_rows(model, new)
    proba = cli_predict(capsys, model_path, new, "--proba")
    np.testing.assert_allclose(outputs["probabilities"],
                               np.array([row[1:] for row in proba[1:]], dtype=float),
                               rtol=1e-5, atol=1e-6)
    assert outputs["label"].tolist() == [row[0] for row in proba[1:]]
