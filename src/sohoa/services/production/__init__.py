"""Production: the work of digitization — intake, arrangement, scanning, ingest, review, QC, progress, and the
printed forms they use.
"""
