"""Audit trail: fingerprints of models, configs and data, run manifests, the hash-chained
audit log (:mod:`lbpnet.audit.log`), the model registry (:mod:`lbpnet.audit.registry`,
:mod:`lbpnet.audit.promotion`) and model cards (:mod:`lbpnet.audit.model_card`)."""

from lbpnet.audit.fingerprint import (config_hash, data_fingerprint, file_sha256,
                                      recording_fingerprint)
from lbpnet.audit.log import append_entry, log_path_of, read_entries
from lbpnet.audit.manifest import RunManifest, git_state, make_manifest
from lbpnet.audit.verify import verify_log

__all__ = ["RunManifest", "append_entry", "config_hash", "data_fingerprint", "file_sha256",
           "git_state", "log_path_of", "make_manifest", "read_entries", "recording_fingerprint",
           "verify_log"]
