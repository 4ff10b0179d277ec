"""Optimisation for the FCs with OR-Tools, on plain dataclasses in and out.

Walking distances, pick paths, wave batching, slotting and last-mile routing arrive with the
outbound and delivery issues. This package imports nothing of `wms`: a stranger could reuse it.
"""
