"""The interactive explorer (Textual): imported only by ``auger explore``, never by the gate."""
