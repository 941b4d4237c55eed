"""The explorer's screens: loading, main, and the dialogs over it."""
