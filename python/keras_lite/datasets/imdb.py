"""IMDB movie reviews: 50,000 reviews labelled positive (1) or negative (0), each a list of word indices, as
``keras.datasets.imdb``.

The file (``imdb.npz``) is downloaded on first use into Keras's cache (``~/.keras/datasets``, or under
``$KERAS_HOME``) from the address Keras uses, and checked against the same hash. Its sequences are pickled
lists: they are read by an unpickler that rebuilds NumPy arrays and refuses anything else. The reviews come
from Maas et al., "Learning Word Vectors for Sentiment Analysis" (ACL 2011).

Words are indexed by frequency (index ``i`` is the ``i``-th most frequent word), shifted by ``index_from``; 0 is
left for padding, ``start_char`` marks the start of a review and ``oov_char`` a word cut by ``num_words`` or
``skip_top``. For a dense network, turn each review into a multi-hot vector of ``num_words`` values.

Example:
    >>> (x_train, y_train), (x_test, y_test) = keras_lite.datasets.imdb.load_data(num_words=10000)
    >>> multi_hot = np.zeros((len(x_train), 10000), "float32")
    >>> for i, review in enumerate(x_train):
    ...     multi_hot[i, review] = 1.0
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
from ._split import ORIGIN, shuffled

__all__ = ["get_word_index", "load_data"]

FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(
    path: Any = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    **kwargs: Any,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads the IMDB reviews, each part shuffled, prepared as Keras prepares them.

    Args:
        path: The file's name in the cache folder.
        num_words: Keep the ``num_words`` most frequent words (indices from ``index_from``); None keeps all
            but the largest index, as Keras does.
        skip_top: Cut the ``skip_top`` most frequent words (counted as the indices below it).
        maxlen: Drop the reviews of ``maxlen`` indices or more (the start mark counted).
        seed: Seed of the ``np.random.RandomState`` that shuffles the training part, then the test part.
        start_char: The index that starts every review (None: no mark).
        oov_char: The index that replaces a cut word (None: cut words are dropped).
        index_from: The offset added to every word's index.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: one-dimensional object arrays of lists of ints, and int
        label arrays (25,000 of each before ``maxlen``).

    Raises:
        TypeError: an argument Keras's loader does not take.
        ValueError: a negative or non-integer count, a ``maxlen`` that keeps no review, or a damaged file.
        OSError: the file is not cached and cannot be downloaded.
    """
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    check_arguments(num_words, skip_top, maxlen, index_from)
    file = get_file(fname=path, origin=f"{ORIGIN}imdb.npz", file_hash=FILE_HASH)
    x_train, y_train, x_test, y_test = read_npz(
        file, ("x_train", "y_train", "x_test", "y_test"), objects=True
    )
    rng = np.random.RandomState(seed)
    order = shuffled(rng, len(x_train))
    x_train, y_train = x_train[order], y_train[order]
    order = shuffled(rng, len(x_test))
    x_test, y_test = x_test[order], y_test[order]
    train, y_train = drop_long(index_words(x_train, start_char, index_from), y_train, maxlen)
    test, y_test = drop_long(index_words(x_test, start_char, index_from), y_test, maxlen)
    check_kept(maxlen, train, test)
    xs = limit_words(train + test, num_words, skip_top, oov_char)
    return (object_array(xs[: len(train)]), y_train), (object_array(xs[len(train) :]), y_test)


def get_word_index(path: Any = "imdb_word_index.json") -> dict[str, int]:
    """The word index of the reviews: a dict of word to index (before ``index_from`` is added).

    Downloaded on first use into Keras's cache, checked against Keras's hash.
    """
    return read_word_index(
        get_file(fname=path, origin=f"{ORIGIN}imdb_word_index.json", file_hash=WORD_INDEX_HASH)
    )
