"""Singing and spoken-English recordings (演唱与英语口语测试, issue 13, seed 001): the recording
task as an item (`tasks`), the check of a recording's sound (`checks`, numpy) and its decoding
(`audio`, PyAV)."""
