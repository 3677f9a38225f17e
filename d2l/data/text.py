"""Readers for the text corpora of the course (Penn Treebank for now).

``load_ptb`` is introduced in notebook 13.2 (count-based word vectors) and reused by the
word2vec and language-model notebooks of chapter 13.
"""
import zipfile
from typing import Dict, List, Tuple

import numpy as np

from .hub import download

PTB_SPLITS = ("train", "valid", "test")


def read_ptb(split: str = "train", root=None) -> List[List[str]]:
    """Sentences of a Penn Treebank split as lists of tokens (``<unk>`` kept, no ``<eos>``)."""
    if split not in PTB_SPLITS:
        raise ValueError(f"split must be one of {PTB_SPLITS}, got {split!r}")
    with zipfile.ZipFile(download("ptb.zip", root)) as archive:
        text = archive.read(f"ptb/ptb.{split}.txt").decode("utf-8")
    return [line.split() for line in text.split("\n") if line.strip()]


def load_ptb(split: str = "train", root=None, vocab_from: str = "train"
             ) -> Tuple[np.ndarray, Dict[str, int], Dict[int, str]]:
    """A PTB split as one int32 array of word ids, with ``<eos>`` closing every sentence.

    Word ids come from the ``vocab_from`` split (by first appearance), so the train, valid and
    test corpora share one vocabulary. Returns ``(corpus, word_to_id, id_to_word)``.
    """
    word_to_id: Dict[str, int] = {}
    for sentence in read_ptb(vocab_from, root):
        for word in sentence + ["<eos>"]:
            word_to_id.setdefault(word, len(word_to_id))
    corpus = []
    for sentence in read_ptb(split, root):
        for word in sentence + ["<eos>"]:
            if word not in word_to_id:
                raise KeyError(f"{word!r} in ptb.{split} is not in the {vocab_from} vocabulary")
            corpus.append(word_to_id[word])
    id_to_word = {i: w for w, i in word_to_id.items()}
    return np.array(corpus, dtype=np.int32), word_to_id, id_to_word
