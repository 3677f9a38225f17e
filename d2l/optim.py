"""Optimization algorithms on toy functions and the airfoil data (chapter 9).

Being written in this session; the notebooks that teach these helpers are named here when added.
"""
__all__: list = []
