"""Online questionnaires: XLSForm compiled to snapshots, the expression evaluator, answers, windows."""
