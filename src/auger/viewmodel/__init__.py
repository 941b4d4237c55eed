"""The explorer's view model: what the file tree and panes show, answered without Textual."""
