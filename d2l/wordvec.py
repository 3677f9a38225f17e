"""Count-based word vectors and word2vec helpers (chapter 13, NLP from scratch).

Being written in this session; the notebooks that teach these helpers are named here when added.
"""
__all__: list = []
