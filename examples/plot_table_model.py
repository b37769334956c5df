"""
A table model, end to end
=========================

Train on a CSV file, predict and evaluate, with the ``numpynn`` command run from Python
(:func:`numpynn.cli.main` takes the command's arguments as a list; in a shell, the same
lines are ``numpynn train ...``). The file is a copy of the iris CSV bundled with numpynn
(:func:`numpynn.tabular.datasets.iris_path` says where it is). See
:doc:`/guide/command_line` for a table with ID columns and missing values.
"""

import shutil

from numpynn.cli import main
from numpynn.tabular import read_csv
from numpynn.tabular.datasets import iris_path

iris = shutil.copy(iris_path(), "iris.csv")
table = read_csv(iris)
print(f"{table.n_rows} rows, columns {table.columns}")

# %%
# Train: numeric columns are standardised (text ones would be one-hot encoded), the
# statistics go into the model file with the weights. ``--plot`` draws the curves.

main(["train", iris, "--target", "species", "--hidden", "16,16", "--epochs", "150",
      "--patience", "20", "--quiet", "--out", "iris.safetensors", "--plot", "curves.png"])

# %%
# Predict: the stored preprocessing is applied to the rows, and the labels come back as
# the original text, with ``--proba`` each class's probability beside them. Here the
# predictions go to a file and a few rows are read back.

main(["predict", "iris.safetensors", iris, "--proba", "--out", "probabilities.csv"])
predictions = read_csv("probabilities.csv")
label, *probability_columns = predictions.columns
print(predictions.columns)
for row in range(0, 150, 50):
    print(predictions.column(label)[row],
          [f"{float(predictions.column(c)[row]):.3f}" for c in probability_columns])

# %%
# Evaluate on labelled rows (here the training file itself, so the figures are
# optimistic; use held-out rows in practice):

main(["evaluate", "iris.safetensors", iris])

# %%
# And look inside the model file, with a diagram of the network:

main(["inspect", "iris.safetensors", "--no-weights", "--diagram", "net.png"])
