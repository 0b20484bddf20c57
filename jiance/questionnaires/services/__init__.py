"""Services of the questionnaires app: versions (upload, publish), respondents (accounts, slips,
parent links), answering (open, save, submit)."""
