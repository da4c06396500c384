"""Core: the vocabulary every stage shares (models, the error tree, the clock, reason codes with their
Thai notes, Thai dates and digits, text normalisation, atomic file writes).
Takes in nothing; may use no other stage."""
