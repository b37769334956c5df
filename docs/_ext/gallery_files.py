"""sphinx-gallery helpers: the pictures an example writes to files, and a clean tree.

numpynn draws with matplotlib's ``Figure`` directly, never through pyplot, and writes
image files (``plot_history(history, "curves.png")``, ``numpynn train --plot``,
``numpynn inspect --diagram``), so sphinx-gallery's matplotlib scraper does not see its
pictures.  :func:`image_file_scraper` takes the image files a code block wrote into the
example's directory (sphinx-gallery runs every example there) and moves them into the
gallery as that block's images; :func:`remove_example_outputs` removes every other file an
example wrote there (model files, CSV files), so a build leaves ``examples/`` as it was.

Both are named in ``sphinx_gallery_conf`` as strings (``"gallery_files.image_file_scraper"``)
so that the configuration stays picklable.
"""

from __future__ import annotations

import shutil
from pathlib import Path

IMAGE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".gif")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_before: dict[Path, set[Path]] = {}


def _files(directory: Path) -> set[Path]:
    return {p for p in directory.iterdir() if p.is_file()}


def image_file_scraper(block, block_vars, gallery_conf) -> str:
    """Move the images written by the block just run into the gallery; their reST."""
    from sphinx_gallery.scrapers import figure_rst

    directory = Path(block_vars["src_file"]).parent
    known = _before.get(directory, set())
    written = sorted((p for p in _files(directory) - known
                      if p.suffix.lower() in IMAGE_SUFFIXES), key=lambda p: p.stat().st_mtime)
    image_paths = []
    for image, target in zip(written, block_vars["image_path_iterator"]):
        target = Path(target).with_suffix(image.suffix.lower())
        shutil.move(image, target)
        image_paths.append(target)
    return figure_rst(image_paths, gallery_conf["src_dir"])


def remove_example_outputs(gallery_conf, fname, when: str) -> None:
    """Before an example: note the files of ``examples/``; after it: remove the new ones."""
    if fname is None:
        return
    if when == "before":
        _before[EXAMPLES] = _files(EXAMPLES)
        return
    for path in _files(EXAMPLES) - _before.get(EXAMPLES, set()):
        path.unlink()
