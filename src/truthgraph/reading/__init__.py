"""How a document is read: its sentences with character offsets (``sentences``) and the
premise the verifier reads for each evidence sentence (``premise``)."""
