"""Files: safetensors model files (numpynn's schema), checkpoints and atomic writes."""

from .checkpoints import read_latest_checkpoint, write_checkpoint
from .model_files import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ModelContents,
    read_model_file,
    write_model_file,
)

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ModelContents",
    "write_model_file",
    "read_model_file",
    "write_checkpoint",
    "read_latest_checkpoint",
]
