from truthgraph.reading.sentences import MAX_SENTENCE_CHARS, split_sentences


def test_sentences_keep_offsets_into_the_document() -> None:
    text = "Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3.\n\nA new paragraph."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Dr. Smith went to Washington.",
        "He arrived at 5 p.m. on Jan. 3.",
        "A new paragraph.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_paragraph_break_ends_a_sentence_without_punctuation() -> None:
    sentences = split_sentences("A heading\n\nBody text here.")
    assert [s.text for s in sentences] == ["A heading", "Body text here."]


def test_very_long_run_is_cut_at_white_space() -> None:
    text = " ".join(["word"] * 600)
    sentences = split_sentences(text)
    assert len(sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_blank_text_has_no_sentences() -> None:
    assert split_sentences("  \n\n \t ") == []
