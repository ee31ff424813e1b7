"""Real OpenSignals (PLUX) HDF5 samples shipped in the PyPI wheel ``biosignalsnotebooks==0.6.14``.

The biosignalsnotebooks wheel (PLUX; MIT licence) carries short real recordings from PLUX
devices under ``biosignalsnotebooks/notebook_files/osf_files/signal_samples/``, e.g.
``emg_bursts.h5`` (biceps brachii, cyclic contractions, 1 kHz, 16 bit), ``emg_fatigue.h5``
(biceps, fatiguing flexion/extension, 1 kHz, 12 bit, partly saturated), ``ecg_5_min.h5``
(ECG at rest, 1 kHz); each ``<name>.h5`` has a ``<name>_info.json`` (type, observations).
The wheel is fetched with ``pip download --no-deps`` (never installed nor imported) and
only those ``*.h5`` / ``*_info.json`` files are extracted, atomically, into
``$LBPNET_CACHE/biosignalsnotebooks`` (default ``~/.cache/lbpnet/biosignalsnotebooks``).
:func:`lbpnet.datasets.pypi_files.fetch_package_files` fetches the archive.

OpenSignals HDF5 layout: one group per device (its MAC address) with attributes
``sampling rate`` (Hz), ``channels`` (ports), ``resolution`` (bits per channel),
``device``; datasets ``raw/channel_<port>`` (n, 1) of ADC counts, attribute ``sensor``.

ADC counts become physical units with the transfer functions of the PLUX sensor
datasheets (biosignalsplux EMG / ECG / EEG / EDA / RESPIRATION sensor data sheets, PLUX
Wireless Biosignals S.A., https://www.pluxbiosignals.com); ``n`` = resolution (bits),
``VCC = 3 V``:

* EMG: ``(ADC/2**n - 0.5) * VCC / 1000`` V, reported in **mV** (gain ``G_EMG = 1000``);
* ECG: ``(ADC/2**n - 0.5) * VCC / 1100`` V, in **mV** (``G_ECG = 1100``);
* EEG: ``(ADC/2**n - 0.5) * VCC / 41782`` V, in **uV** (``G_EEG = 41782``);
* EDA: ``(ADC/2**n) * VCC / 0.12`` **uS**; RESPIRATION (PZT): ``(ADC/2**n - 0.5) * 100`` **%**;
* BITalino (r)evolution (``device`` ``bitalino_rev``, sensors ``*BITREV``): ``VCC = 3.3 V``,
  ``G_EMG = 1009``, ``G_ECG = 1100``, EDA divisor 0.132; the analog resolutions are the last
  ``len(channels)`` entries of ``resolution`` (sequence number and digital inputs come first);
* accelerometers (``ACC``, ``XYZ``, ``cACC``) need the device calibration
  ``ACC(g) = 2 (ADC - C_min) / (C_max - C_min) - 1``, which the files lack: they stay in ADC
  counts, unit ``"a.u."``, like BVP, SpO2, TEMP, goniometer and unknown sensors.

A channel touching 0 or ``2**n - 1`` is listed in ``metadata["saturated_channels"]``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

import numpy as np

from lbpnet.datasets.cache import cache_root
from lbpnet.datasets.pypi_files import fetch_package_files
from lbpnet.errors import ReaderError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream

PACKAGE = "biosignalsnotebooks"
VERSION = "0.6.14"
SAMPLES_DIR = "biosignalsnotebooks/notebook_files/osf_files/signal_samples/"
VCC = 3.0
"""Supply voltage (V) of the PLUX transfer functions."""
GAINS = {"EMG": 1000.0, "ECG": 1100.0, "EEG": 41782.0}
"""Amplifier gains of the PLUX EMG, ECG and EEG sensors (datasheets)."""
BITALINO = {"VCC": 3.3, "EMG": 1009.0, "ECG": 1100.0, "EDA": 0.132}
"""BITalino (r)evolution constants: supply (V), EMG/ECG gains, EDA divisor (datasheets)."""
_BIDS_TYPE = {"EMG": "EMG", "ECG": "ECG", "EEG": "EEG", "EDA": "EDA", "ACC": "ACCEL",
              "XYZ": "ACCEL", "CACC": "ACCEL", "RESPIRATION": "RESP", "RESP": "RESP",
              "BVP": "PPG", "TEMP": "TEMP"}


def _is_sample(member: str) -> bool:
    name = PurePosixPath(member).name
    return member.startswith(SAMPLES_DIR) and "/" not in member[len(SAMPLES_DIR):] and (
        name.endswith(".h5") or name.endswith("_info.json"))


def _samples_dir(cache_dir, download: bool = True) -> Path:
    folder = (cache_root() / PACKAGE) if cache_dir is None else Path(cache_dir).expanduser()
    if not any(folder.glob("*.h5")):
        if not download:
            raise ReaderError("the samples are not cached", source=str(folder), field="cache_dir",
                              fix="allow the download, or copy the *.h5 files there")
        fetch_package_files(f"{PACKAGE}=={VERSION}", _is_sample, folder)
    return folder


def list_opensignals_samples(cache_dir: str | os.PathLike | None = None,
                             download: bool = True) -> list[str]:
    """Names (file stems, e.g. ``"emg_bursts"``) of the HDF5 samples, sorted.

    Downloads and extracts the samples on first use (see module docstring).
    """
    return sorted(p.stem for p in _samples_dir(cache_dir, download).glob("*.h5"))


def to_physical(raw: np.ndarray, sensor: str, resolution: int,
                bitalino: bool = False) -> tuple[np.ndarray, str]:
    """Convert PLUX ADC counts to physical units with the datasheet transfer function.

    Parameters
    ----------
    raw : array
        ADC counts (any shape).
    sensor : str
        The OpenSignals ``sensor`` attribute (``"EMG"``, ``"ECG"``, ``"cACC"``…).
    resolution : int
        ADC resolution ``n`` in bits.
    bitalino : bool
        Use the BITalino (r)evolution constants (also implied by a ``BITREV`` suffix).

    Returns
    -------
    values : array of float64
        Converted samples (table in the module docstring).
    unit : str
        ``"mV"``, ``"uV"``, ``"uS"``, ``"%"`` or ``"a.u."`` (left in ADC counts).
    """
    key = sensor.upper()
    if key.endswith("BITREV"):
        key, bitalino = key[:-len("BITREV")], True
    x = np.asarray(raw, dtype=np.float64)
    full = float(2 ** int(resolution))
    vcc = BITALINO["VCC"] if bitalino else VCC
    if key in ("EMG", "ECG"):
        gain = BITALINO[key] if bitalino else GAINS[key]
        return (x / full - 0.5) * vcc / gain * 1e3, "mV"
    if key == "EEG" and not bitalino:
        return (x / full - 0.5) * VCC / GAINS[key] * 1e6, "uV"
    if key == "EDA":
        return (x / full) * vcc / (BITALINO["EDA"] if bitalino else 0.12), "uS"
    if key in ("RESPIRATION", "RESP"):
        return (x / full - 0.5) * 100.0, "%"
    return x, "a.u."


def _corrupt(problem: str, where: str, field: str) -> ReaderError:
    return ReaderError(problem, source=where, field=field,
                       fix="use an unmodified OpenSignals .h5 file (delete the cached copy to "
                           "download it again)")


def _read_device(device, path: Path) -> tuple[dict[str, Stream], list[str], dict]:
    where = f"{path} [{device.name}]"
    for name in ("sampling rate", "channels", "resolution"):
        if name not in device.attrs:
            raise _corrupt(f"attribute '{name}' is missing", where, name)
    rate = float(np.asarray(device.attrs["sampling rate"]).reshape(-1)[0])
    ports = [int(p) for p in np.asarray(device.attrs["channels"]).reshape(-1)]
    bits = [int(b) for b in np.asarray(device.attrs["resolution"]).reshape(-1)]
    bitalino = str(device.attrs.get("device", "")).lower().startswith("bitalino")
    if len(bits) == 1 and len(ports) > 1:
        bits = bits * len(ports)
    elif bitalino and len(bits) > len(ports):
        bits = bits[-len(ports):]
    if len(bits) != len(ports):
        raise _corrupt(f"{len(bits)} resolutions for {len(ports)} channels", where, "resolution")
    by_sensor: dict[str, list] = {}
    saturated = []
    for port, n_bits in zip(ports, bits):
        if f"raw/channel_{port}" not in device:
            raise _corrupt(f"dataset raw/channel_{port} is missing", where, f"raw/channel_{port}")
        ds = device[f"raw/channel_{port}"]
        sensor = ds.attrs.get("sensor", "RAW")
        sensor = sensor.decode() if isinstance(sensor, bytes) else str(sensor)
        raw = np.asarray(ds[()]).reshape(-1)
        values, unit = to_physical(raw, sensor, n_bits, bitalino)
        sensor = sensor[:-len("BITREV")] if sensor.upper().endswith("BITREV") else sensor
        name = f"{sensor.lower()}_port{port}"
        if raw.size and (raw.min() <= 0 or raw.max() >= 2 ** n_bits - 1):
            saturated.append(name)
        by_sensor.setdefault(sensor, []).append((name, values, unit))
    streams = {}
    for sensor, chans in by_sensor.items():
        data = np.stack([c[1] for c in chans], axis=1).astype(np.float32)
        btype = _BIDS_TYPE.get(sensor.upper(), "MISC")
        streams[sensor.lower()] = Stream(sensor.lower(), data, rate, [c[0] for c in chans],
                                         [btype] * len(chans), [c[2] for c in chans])
    info = {"device": str(device.attrs.get("device", "")), "sampling_rate_hz": rate,
            "resolution_bits": bits, "ports": ports, "mac": device.name.strip("/"),
            "date": str(device.attrs.get("date", "")), "time": str(device.attrs.get("time", ""))}
    return streams, saturated, info


def load_opensignals_file(path: str | os.PathLike, info_json: dict | None = None) -> Recording:
    """Read one OpenSignals HDF5 file to a :class:`Recording` (see module docstring).

    Streams are grouped by device and sensor type: ``"emg"``, ``"ecg"``, ``"cacc"``… (a
    second device with the same sensor type gets ``"emg_dev2"``); channels are named
    ``<sensor>_port<port>``; data shape (n_samples, n_channels) float32 in the units of
    :func:`to_physical`. No annotations (the files carry none).

    Raises
    ------
    ReaderError
        Missing, unreadable or corrupt file, or a missing attribute/dataset.
    """
    import h5py  # optional dependency: the ``datasets`` extra

    path = Path(path)
    if not path.is_file():
        raise ReaderError("file not found", source=str(path), field="path",
                          fix="check the name with list_opensignals_samples()")
    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise ReaderError(f"not a readable HDF5 file ({exc})", source=str(path), field="file",
                          fix="delete it from the cache and load it again to re-download") from None
    streams: dict[str, Stream] = {}
    saturated: list[str] = []
    devices = []
    with handle:
        groups = [g for g in handle.values() if isinstance(g, h5py.Group)]
        if not groups:
            raise _corrupt("no device group", str(path), "device")
        for i, device in enumerate(groups):
            try:
                found, sat, info = _read_device(device, path)
            except ReaderError:
                raise
            except (OSError, KeyError, ValueError, TypeError) as exc:
                raise _corrupt(f"corrupt device group ({exc})", f"{path} [{device.name}]",
                               "raw") from None
            for name, stream in found.items():
                if name in streams:
                    name = stream.name = f"{name}_dev{i + 1}"
                streams[name] = stream
            saturated += sat
            devices.append(info)
    recording = Recording(
        streams=streams, annotations=Annotations(), subject="biosignalsnotebooks",
        task=path.stem, source=str(path),
        metadata={"dataset": f"biosignalsnotebooks=={VERSION} OpenSignals samples",
                  "synthetic": False, "source": str(path), "devices": devices,
                  "info": info_json or {}, "saturated_channels": saturated,
                  "units_conversion": "PLUX datasheet transfer functions (see "
                                      "lbpnet.datasets.biosignalsnotebooks)", "licence": "MIT"})
    return recording.validate()


def load_opensignals_sample(name: str, cache_dir: str | os.PathLike | None = None,
                            download: bool = True) -> Recording:
    """Load one real OpenSignals sample of ``biosignalsnotebooks==0.6.14`` by name.

    Parameters
    ----------
    name : str
        File stem (``"emg_bursts"``, ``"ecg_5_min"``…); see :func:`list_opensignals_samples`.
    cache_dir : str or path-like, optional
        Folder of the extracted samples (default ``$LBPNET_CACHE/biosignalsnotebooks``).
    download : bool
        Allow ``pip download`` when the samples are not cached.

    Returns
    -------
    Recording
        As :func:`load_opensignals_file`; ``metadata["info"]`` holds ``<name>_info.json``
        (signal type, observations such as the muscle), ``metadata["synthetic"]`` is False.

    Raises
    ------
    ReaderError
        Unknown name (the message lists the known ones), download failure, corrupt file.
    """
    folder = _samples_dir(cache_dir, download)
    stem = name[:-3] if name.endswith(".h5") else name
    path = folder / f"{stem}.h5"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.h5"))
        raise ReaderError(f"no sample named '{stem}'", source=str(folder), field="name",
                          fix=f"use one of {', '.join(known)}")
    info = {}
    info_path = folder / f"{stem}_info.json"
    if info_path.is_file():
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ReaderError(f"invalid JSON ({exc})", source=str(info_path), field="info",
                              fix="delete the cached file and load the sample again") from None
    return load_opensignals_file(path, info)
