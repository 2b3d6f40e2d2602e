"""Published figures: the claim model and parsing, judging against the network or a user layer."""
