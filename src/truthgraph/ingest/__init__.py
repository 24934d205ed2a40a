"""Reading sources, splitting documents into sentences, and loading them into a store."""
