"""Reuters newswires: 11,228 short articles labelled with one of 46 topics, each a list of word indices, as
``keras.datasets.reuters``.

The file (``reuters.npz``) is downloaded on first use into Keras's cache (``~/.keras/datasets``, or under
``$KERAS_HOME``) from the address Keras uses, and checked against the same hash. Its sequences are pickled
lists: they are read by an unpickler that rebuilds NumPy arrays and refuses anything else. The articles are
the Reuters-21578 collection (David D. Lewis). Words are indexed as in `imdb`.

Example:
    >>> (x_train, y_train), (x_test, y_test) = keras_lite.datasets.reuters.load_data(num_words=10000)
    >>> keras_lite.datasets.reuters.get_label_names()[y_train[0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._download import get_file
from ._read import read_npz, read_word_index
from ._sequences import (
    check_arguments,
    check_kept,
    drop_long,
    index_words,
    limit_words,
    object_array,
)
from ._split import ORIGIN, check_test_split, shuffled

__all__ = ["get_label_names", "get_word_index", "load_data"]

FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"

# The topics, in the order of their label ids (as Keras lists them).
LABEL_NAMES = (
    "cocoa grain veg-oil earn acq wheat copper housing money-supply coffee sugar trade reserves ship cotton "
    "carcass crude nat-gas cpi money-fx interest gnp meal-feed alum oilseed gold tin strategic-metal livestock "
    "retail ipi iron-steel rubber heat jobs lei bop zinc orange pet-chem dlr gas silver wpi hog lead"
).split()


def load_data(
    path: Any = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the Reuters newswires, shuffled, prepared and split as Keras does.

    Args:
        path: The file's name in the cache folder.
        num_words, skip_top, maxlen, start_char, oov_char, index_from: As in `imdb.load_data`.
        test_split: Fraction of the articles for the test part, in ``[0, 1)``; the split comes after
            ``maxlen`` has dropped articles.
        seed: Seed of the ``np.random.RandomState`` that shuffles the articles.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: one-dimensional object arrays of lists of ints, and int
        topic ids 0 to 45 (`get_label_names`).

    Raises:
        TypeError, ValueError: an argument Keras's loader does not take, a ``maxlen`` that keeps no article,
            or a damaged file.
        OSError: the file is not cached and cannot be downloaded.
    """
    check_test_split(test_split)
    check_arguments(num_words, skip_top, maxlen, index_from)
    file = get_file(fname=path, origin=f"{ORIGIN}reuters.npz", file_hash=FILE_HASH)
    xs, labels = read_npz(file, ("x", "y"), objects=True)
    order = shuffled(np.random.RandomState(seed), len(xs))
    seqs, labels = drop_long(index_words(xs[order], start_char, index_from), labels[order], maxlen)
    check_kept(maxlen, seqs)
    seqs = limit_words(seqs, num_words, skip_top, oov_char)
    at = int(len(seqs) * (1 - test_split))
    return (object_array(seqs[:at]), np.array(labels[:at])), (object_array(seqs[at:]), np.array(labels[at:]))


def get_word_index(path: Any = "reuters_word_index.json") -> dict[str, int]:
    """The word index of the articles: a dict of word to index (before ``index_from`` is added).

    Downloaded on first use into Keras's cache, checked against Keras's hash.
    """
    return read_word_index(
        get_file(path, origin=f"{ORIGIN}reuters_word_index.json", file_hash=WORD_INDEX_HASH)
    )


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed by label id."""
    return tuple(LABEL_NAMES)
