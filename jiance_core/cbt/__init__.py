"""Computer-based tests (网络测试系统, SPEC §5, §7, seed 003): items as data in the QTI 3 interaction
vocabulary (`items`), the delivery state machine on the server's clock (`delivery`)."""
