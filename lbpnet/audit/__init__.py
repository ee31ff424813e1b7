"""Audit trail: fingerprints of models, configs and data, and run manifests."""

from lbpnet.audit.fingerprint import (config_hash, data_fingerprint, file_sha256,
                                      recording_fingerprint)
from lbpnet.audit.manifest import RunManifest, git_state, make_manifest

__all__ = ["RunManifest", "config_hash", "data_fingerprint", "file_sha256", "git_state",
           "make_manifest", "recording_fingerprint"]
