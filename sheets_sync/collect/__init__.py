"""Collect: pure. A URL cell's text becomes URL candidates, each valid or invalid with a reason, with
its row key. Takes submission rows; gives submissions. May use `core`, `config`."""
