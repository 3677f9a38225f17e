"""Character-level language-model data and recurrent networks (chapter 12).

Being written in this session; the notebooks that teach these helpers are named here when added.
"""
__all__: list = []
