"""Taking in information packages (`sohoa ingest-package`): a SIP or AIP from this or another archive, as a
directory, a zip or a BagIt bag; and the round trip that proves an AIP keeps everything (:mod:`.compare`)."""
