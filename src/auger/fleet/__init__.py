"""The fleet: many images read into one record each and one summary of them all.

:mod:`.inputs` turns reference lists, ``kubectl`` JSON and registry tag listings into targets;
:mod:`.outline` learns each image's layers from its manifest and config without reading a
layer; :mod:`.plan` deduplicates the images and shards them, keeping images that share base
layers together; :mod:`.run` analyses a shard's images one by one into :mod:`.records`, which
are written as JSON lines; :mod:`.summary` computes the fleet's summary from records alone, so a
merge of shards gives exactly what one process gives. The package never prints: the command
line (``auger fleet``) and the formatters in :mod:`auger.report` show what it computes.
"""
