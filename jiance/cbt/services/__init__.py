"""Writes of computer-based tests: the item banks (`bank`), sittings and deliveries driven by the
technician and the proctors (`console`), the student's PC (`student`)."""
