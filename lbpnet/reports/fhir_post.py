"""Send a written bundle to a FHIR server: ``POST [base]/Bundle`` (a ``collection`` bundle
is stored as one Bundle resource), with only the standard library."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from lbpnet.errors import ReaderError

CONTENT_TYPE = "application/fhir+json"


def post_bundle(base_url: str, bundle: str | os.PathLike | dict, timeout_s: float = 30.0
                ) -> tuple[int, dict]:
    """POST one bundle (a file path or its JSON object) to ``<base_url>/Bundle``.

    Returns
    -------
    (int, dict)
        The HTTP status (201 when created) and the server's JSON answer ({} when empty;
        an ``OperationOutcome`` on a refusal). Network failures raise ReaderError.
    """
    if not isinstance(bundle, dict):
        bundle = json.loads(Path(bundle).read_text(encoding="utf-8"))
    request = urllib.request.Request(base_url.rstrip("/") + "/Bundle",
                                     data=json.dumps(bundle).encode("utf-8"), method="POST",
                                     headers={"Content-Type": CONTENT_TYPE,
                                              "Accept": CONTENT_TYPE})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, err.read()
    except (urllib.error.URLError, OSError) as err:
        raise ReaderError(f"cannot reach the FHIR server ({err})", source=base_url,
                          fix="check the server's base URL and that it is running") from err
    try:
        return status, json.loads(body) if body else {}
    except json.JSONDecodeError:
        return status, {"text": body.decode("utf-8", "replace")[:2000]}
