"""Sphinx configuration of numpynn's documentation.

Build from the repository root with the ``docs`` extra installed::

    python -m sphinx -W -b html docs docs/_build

Everything is made locally at build time: the API reference from the docstrings
(autosummary + numpydoc), the gallery by running ``examples/`` (sphinx-gallery), the
command-line ``--help`` texts and the article's Figure 2 by running numpynn itself
(``_ext/numpynn_docs.py``).  Nothing is fetched from the network.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# a fresh clone without `pip install .`: document the source tree
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(DOCS / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import numpynn  # noqa: E402

project = "numpynn"
author = "numpynn developers"
copyright = "numpynn developers"
release = numpynn.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "numpynn_docs",  # before the gallery: its Figure 2 is the article demo's thumbnail
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_generated", "**.ipynb_checkpoints"]

# -- the reference: autosummary writes one page per name into api/generated/
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc sections say the types, with shapes and dtypes
numpydoc_show_class_members = False  # the class template lists the members itself
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

# -- Markdown pages (the user guide, shared with the README's conventions)
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- the gallery: every examples/*.py runs at build time, output and figures kept
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    # numpynn writes its pictures to files: gallery_files moves them into the page
    "image_scrapers": ("matplotlib", "gallery_files.image_file_scraper"),
    "reset_modules": ("matplotlib", "gallery_files.remove_example_outputs"),
    "reset_modules_order": "both",
    "matplotlib_animations": False,
    "show_memory": False,
    "abort_on_example_error": True,
    "default_thumb_file": None,
    "capture_repr": (),  # what an example prints is shown, not its last value's repr
    "reference_url": {},
    "backreferences_dir": None,
    "doc_module": (),
}

# -- no network at build time: no intersphinx, no remote images, no analytics
html_theme = "pydata_sphinx_theme"
html_title = f"numpynn {release}"
html_static_path = ["_static"]
html_css_files = ["numpynn.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "icon_links": [],
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
html_copy_source = False
pygments_style = "sphinx"
