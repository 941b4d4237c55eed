"""The layer cache: scans of layers kept on disk by diff ID, so a layer is read once.

A layer's scan is a pure function of its uncompressed bytes, which its diff ID names. The cache
keeps each scan as a compact, checksummed binary record (:mod:`auger.cache.records`) in a
directory shared safely by concurrent processes and machines, capped in size with
least-recently-used eviction (:mod:`auger.cache.store`).
"""
