"""Attribution: which package and which Dockerfile line put the bytes in an image, and what a
change would really save.

Package databases are read from the few small files the scanner captured
(:mod:`auger.layers.capture`); files of the final filesystem and wasted bytes are mapped to
the packages that own them (:mod:`~auger.attribution.ownership`), grouped into what a
multi-stage build or a cleanup would remove (:mod:`~auger.attribution.groups`); layers are
mapped to the Dockerfile instructions that made them (:mod:`~auger.attribution.dockerfile`);
and changes are simulated by stacking the scanned layers again (:mod:`~auger.attribution.whatif`).
Everything here is pure: bytes and entries in, records out.
"""
