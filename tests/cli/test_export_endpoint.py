"""Posting an exported bundle to a FHIR endpoint.

No real FHIR server can run here (HAPI FHIR needs a download from outside PyPI; the
pip-installable ones found do not validate), so the endpoint is an in-process HTTP server
(``http.server`` in a thread) that validates what it receives as the server would — with
fhir.resources and with fhirclient's FHIR R4 4.0.1 models — and answers 201 Created with a
Location, or 400 with an OperationOutcome. The bundle is built from a real BasicMotions case.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lbpnet.datasets import load_basic_motions
from lbpnet.errors import ReaderError
from lbpnet.reports.fhir_bundle import ModelInfo, PatientInputs, patient_bundle, write_bundle
from lbpnet.reports.fhir_post import post_bundle


class FhirLikeEndpoint(BaseHTTPRequestHandler):
    """``POST /fhir/Bundle``: validate, store, answer 201; anything invalid: 400."""

    stored: dict = {}

    def log_message(self, *args):            # quiet
        pass

    def _answer(self, status, body, location=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/fhir+json")
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):                        # noqa: N802 - http.server's name
        from fhir.resources.R4B.bundle import Bundle
        from fhirclient.models.bundle import Bundle as R4Bundle

        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/fhir/Bundle":
            return self._answer(404, {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "not-found", "diagnostics": self.path}]})
        if not self.headers.get("Content-Type", "").startswith("application/fhir+json"):
            return self._answer(415, {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "not-supported"}]})
        try:
            bundle = Bundle.model_validate_json(body)
            R4Bundle(json.loads(body), strict=True)
        except Exception as err:              # noqa: BLE001 - any invalid resource: 400
            return self._answer(400, {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "invalid", "diagnostics": str(err)[:500]}]})
        self.stored[bundle.id] = json.loads(body)
        return self._answer(201, {"resourceType": "Bundle", "id": bundle.id},
                            location=f"/fhir/Bundle/{bundle.id}/_history/1")


@pytest.fixture
def endpoint():
    FhirLikeEndpoint.stored = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FhirLikeEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/fhir"
    server.shutdown()
    server.server_close()


@pytest.fixture
def real_bundle(tmp_path):
    rec = load_basic_motions()[0]                                  # a real UEA BasicMotions case
    model = ModelInfo("basic_motions", {"name": "checkpoints/last.ckpt", "sha256": "0" * 64})
    bundle = patient_bundle(PatientInputs(str(rec.subject), [rec], {rec.key: {"duration": 10.0}}),
                            model, waveform_seconds=1.0)
    return write_bundle(bundle, tmp_path / "bundle.json")


def test_a_posted_bundle_is_validated_and_created(endpoint, real_bundle):
    status, answer = post_bundle(endpoint, real_bundle)
    sent = json.loads(real_bundle.read_text())
    assert status == 201 and answer["id"] == sent["id"]
    assert FhirLikeEndpoint.stored[sent["id"]] == sent


def test_an_invalid_bundle_is_refused_with_an_operation_outcome(endpoint, real_bundle):
    bad = json.loads(real_bundle.read_text())
    bad["entry"][0]["resource"]["birthDate"] = "19.07.03"          # not a FHIR date
    status, answer = post_bundle(endpoint, bad)
    assert status == 400 and answer["resourceType"] == "OperationOutcome"
    assert "birthDate" in answer["issue"][0]["diagnostics"] and not FhirLikeEndpoint.stored


def test_an_unreachable_server_is_a_clear_error(real_bundle):
    with pytest.raises(ReaderError, match="cannot reach the FHIR server"):
        post_bundle("http://127.0.0.1:9/fhir", real_bundle, timeout_s=2)
