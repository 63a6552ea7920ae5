"""Run eark-validator without the network (executed by `.venv-validators/bin/python`, never imported by Sohoa).

eark-validator 1.1.3 builds its Schematron vocabulary tests at import time
(`eark_validator/ipxml/schematron.py`, `SchematronTests.__create_vocabulary_test`) by calling
`urllib.request.urlopen("https://earkcsip.dilcis.eu/schema/CSIPVocabulary….xml")` for four vocabularies,
although the same vocabularies are shipped in its own package (`eark_validator/ipxml/resources/vocabs/`).
It has no option or environment variable to stop this. This wrapper installs a urllib opener that answers
exactly those `https://earkcsip.dilcis.eu/schema/<name>.xml` addresses from the shipped copies and refuses every
other address (so a run can never reach the network), then runs the validator's own command line unchanged.

Usage: .venv-validators/bin/python tests/preservation/_eark_offline.py [eark-validator arguments] PACKAGE…
"""

from __future__ import annotations

import email.message
import importlib.util
import io
import sys
import urllib.error
import urllib.request
import urllib.response
from pathlib import Path

_PREFIX = "https://earkcsip.dilcis.eu/schema/"


def _vocabs_dir() -> Path:
    spec = importlib.util.find_spec("eark_validator")
    if spec is None or spec.origin is None:
        raise SystemExit("eark_validator is not installed in this interpreter")
    return Path(spec.origin).parent / "ipxml" / "resources" / "vocabs"


class _ShippedVocabularies(urllib.request.BaseHandler):
    """Serve the DILCIS vocabularies from the package; refuse any other URL."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _answer(self, req: urllib.request.Request) -> urllib.response.addinfourl:
        url = req.full_url
        name = url[len(_PREFIX) :] if url.startswith(_PREFIX) else ""
        path = self.directory / name
        if not name or "/" in name or not path.is_file():
            raise urllib.error.URLError(f"offline eark-validator: no shipped copy of {url}")
        headers = email.message.Message()
        headers["Content-Type"] = "application/xml"
        return urllib.response.addinfourl(io.BytesIO(path.read_bytes()), headers, url, 200)

    def https_open(self, req: urllib.request.Request) -> urllib.response.addinfourl:
        return self._answer(req)

    def http_open(self, req: urllib.request.Request) -> urllib.response.addinfourl:
        return self._answer(req)


def main() -> None:
    opener = urllib.request.OpenerDirector()
    opener.add_handler(_ShippedVocabularies(_vocabs_dir()))
    urllib.request.install_opener(opener)
    from eark_validator.cli.app import main as eark_main

    sys.argv[0] = "eark-validator"
    eark_main()


if __name__ == "__main__":
    main()
