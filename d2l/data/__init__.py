"""Data hub (download, search path, checksums) and readers for the course's data sets."""
from .hub import (REGISTRY, ChecksumError, DataFile, DataHubError, cache_dir, download, find,
                  search_path, sha1_of)
from .idx import read_idx
from .vision import get_fashion_mnist_labels, load_data_fashion_mnist, load_idx_dataset, show_fashion_mnist

__all__ = ["REGISTRY", "ChecksumError", "DataFile", "DataHubError", "cache_dir", "download", "find",
           "search_path", "sha1_of", "read_idx", "load_idx_dataset",
           "get_fashion_mnist_labels", "load_data_fashion_mnist", "show_fashion_mnist"]
