"""Showing images and image augmentation (chapter 11).

Being written in this session; the notebooks that teach these helpers are named here when added.
"""
__all__: list = []
