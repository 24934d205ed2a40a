"""What every measured result uses: metrics over verdicts (``metrics``), percentiles
(``stats``) and the commit a result came from (``revision``)."""
