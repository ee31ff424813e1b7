"""Code systems, codes and UCUM units of lbpnet's FHIR export.

LOINC is used where a code exists (looked up on loinc.org / the FHIR specification):

- ``97909-6`` Oswestry disability index score ODI (https://loinc.org/97909-6; panel
  97908-8 "Oswestry Disability Index"; example UCUM unit ``{score}``);
- ``72514-3`` Pain severity - 0-10 verbal numeric rating [Score] - Reported
  (https://loinc.org/72514-3, the code of the HL7 Belgium patient-monitoring pain scale);
- ``8867-4`` Heart rate (the code fixed by the FHIR R4 heart-rate vital-signs profile,
  http://hl7.org/fhir/StructureDefinition/heartrate; UCUM ``/min``).

Everything else (EMG amplitude and median frequency, trunk movement, RMSSD, skin conductance,
model findings, sensor types) has no LOINC code that we found, and is coded in lbpnet's own
code systems under ``https://lbpnet.org/fhir/CodeSystem/`` — honest local codes, not
standard terminology.
"""

from __future__ import annotations

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
BASE = "https://lbpnet.org/fhir"
MEASURES = f"{BASE}/CodeSystem/measures"          # session measures, model findings
OUTCOMES = f"{BASE}/CodeSystem/outcomes"          # outcome instruments without a LOINC code
SENSORS = f"{BASE}/CodeSystem/sensor-types"       # Device.type
DEVICE_PROPERTIES = f"{BASE}/CodeSystem/device-properties"
RULES = f"{BASE}/CodeSystem/monitoring-rules"     # Flag / DetectedIssue codes (rule ids)
PATIENT_IDS = f"{BASE}/sid/pseudonym"             # Patient.identifier system
# extensions (StructureDefinition URLs of lbpnet's own extensions)
EXT_RELATIVE_TIME = f"{BASE}/StructureDefinition/relative-time"
EXT_INTERVAL = f"{BASE}/StructureDefinition/prediction-interval"
EXT_SYNTHETIC = f"{BASE}/StructureDefinition/synthetic-data"
EXT_RULE = f"{BASE}/StructureDefinition/monitoring-rule"
EXT_EVIDENCE = f"{BASE}/StructureDefinition/evidence"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
PROVENANCE_ACTIVITY = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"

# outcome instrument -> (system, code, display, UCUM unit code)
OUTCOME_CODES = {
    "odi": (LOINC, "97909-6", "Oswestry disability index score ODI", "{score}"),
    "nrs": (LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            "{score}"),
}

# session measure (the part before "/") -> (system, code, display, UCUM code, scale)
# scale converts lbpnet's number to the unit (emg_log_rms is log10 uV: 10**x uV)
MEASURE_CODES = {
    "emg_log_rms": (MEASURES, "emg-rms", "sEMG RMS amplitude over repetitive tasks", "uV", "exp10"),
    "emg_median_freq": (MEASURES, "emg-median-frequency", "sEMG median frequency in lifting",
                        "Hz", None),
    "trunk_acc_sd": (MEASURES, "trunk-acc-sd", "SD of trunk acceleration magnitude", "[g]", None),
    "trunk_gyro_rms": (MEASURES, "trunk-gyro-rms", "RMS trunk angular rate", "rad/s", None),
    "hrv": None,                                # by the part after "/" (HRV_CODES)
    "eda": (MEASURES, "eda-mean", "Mean skin conductance", "uS", None),
    "acc_magnitude_mean": (MEASURES, "acc-magnitude-mean",
                           "Mean acceleration magnitude over the recording", None, None),
    "duration": (MEASURES, "recording-duration", "Recorded duration", "s", None),
}
HRV_CODES = {
    "mean_nn_ms": (MEASURES, "mean-nn", "Mean NN interval", "ms", None),
    "rmssd_ms": (MEASURES, "rmssd", "RMSSD of NN intervals", "ms", None),
}
HEART_RATE = (LOINC, "8867-4", "Heart rate", "/min")

# lbpnet unit strings -> UCUM codes (https://ucum.org: "uV" microvolt, "[g]" standard
# acceleration of free fall, "uS" microsiemens, "Cel" degree Celsius)
UCUM_OF_UNIT = {"uV": "uV", "µV": "uV", "mV": "mV", "V": "V", "g": "[g]", "m/s^2": "m/s2",
                "m/s2": "m/s2", "rad/s": "rad/s", "deg/s": "deg/s", "uS": "uS", "µS": "uS",
                "degC": "Cel", "°C": "Cel", "Hz": "Hz", "ms": "ms", "s": "s", "%": "%",
                "uT": "uT", "µT": "uT", "bpm": "/min", "a.u.": "1", "au": "1", "": "1"}


def ucum(unit: str | None) -> str:
    """The UCUM code of an lbpnet unit string (``"g"`` → ``"[g]"``); an unknown unit is
    given as a UCUM annotation ``{unit}`` (dimensionless, the text kept)."""
    if unit is None:
        return "1"
    unit = str(unit).strip()
    if unit in UCUM_OF_UNIT:
        return UCUM_OF_UNIT[unit]
    safe = "".join(c for c in unit if c.isalnum() or c in "_-.")
    return "{" + (safe or "unit") + "}"
