"""PE field test (体育现场测试): the record card's rules as plain Python (no Django)."""
