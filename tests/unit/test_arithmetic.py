from truthgraph.bench.arithmetic import encoder_flops


def test_encoder_flops_by_hand() -> None:
    # one layer, hidden 2, intermediate 4, 3 tokens:
    # per token 2 * (4*4 + 2*2*4) = 64; attention 2 * 2 * 3 * 2 = 24; (64 + 24) * 3 = 264
    assert encoder_flops(2, 4, 1, 3) == 264
    # all-MiniLM-L6-v2 at 34 tokens: about 0.73 GFLOP
    assert 0.72e9 < encoder_flops(384, 1536, 6, 34) < 0.74e9
