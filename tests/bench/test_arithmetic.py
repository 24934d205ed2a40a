from truthgraph.bench.arithmetic import encoder_flops


def test_encoder_flops_by_hand() -> None:
    # one layer, hidden 2, intermediate 4, 3 tokens:
    # per token 2 * (4*4 + 2*2*4) = 64; attention 2 * 2 * 3 * 2 = 24; (64 + 24) * 3 = 264
    assert encoder_flops(2, 4, 1, 3) == 264
    # all-MiniLM-L6-v2 at 34 tokens: about 0.73 GFLOP
    assert 0.72e9 < encoder_flops(384, 1536, 6, 34) < 0.74e9


def test_the_vector_target_is_met_only_by_a_fast_enough_accurate_row_at_a_million() -> None:
    from truthgraph.bench.results import vector_target_row

    def row(p50: float, recall: float) -> dict[str, object]:
        return {"latency_ms": {"p50": p50}, "recall_at_k": recall, "index": "hnsw"}

    small = {"corpus_size": 10_000, "results": [row(1.0, 0.99)]}
    big = {"corpus_size": 1_000_000, "results": [row(3.0, 0.90), row(4.5, 0.96), row(4.0, 0.951)]}
    assert vector_target_row([small]) is None
    assert vector_target_row([small, big]) == row(4.0, 0.951)
    slow = {"corpus_size": 1_000_000, "results": [row(5.2, 0.97), row(2.0, 0.94)]}
    assert vector_target_row([slow]) is None
