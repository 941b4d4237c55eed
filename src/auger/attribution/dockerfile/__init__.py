"""Dockerfiles: parse one (:mod:`.syntax`, :mod:`.words`, :mod:`.stages`) and map an image's
layers to the instructions that made them (:mod:`.history`)."""
