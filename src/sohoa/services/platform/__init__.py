"""Platform services every other group relies on: the application context, the audit log and its checkpoints, the
object records, background threads and the page-job pool.
"""
