"""The natural-language-inference verifier: model, training data, training."""
