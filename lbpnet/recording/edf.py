"""Read EDF, EDF+, BDF and BDF+ files (via pyedflib) into a :class:`Recording`.

An EDF file stores every signal on one clock, each at its own rate. Signals are
grouped into one :class:`Stream` per distinct sampling rate; each stream holds
physical values as ``float32`` of shape ``(n_samples, n_channels)``. EDF+
annotations become the recording's :class:`Annotations` (seconds from the
file's start).

Privacy by default: the subject id is a pseudonym (a keyed hash, see
:mod:`lbpnet.recording.pseudonym`) of the EDF+ patient code or, without one, of the
file name; the start date-time is dropped (times stay seconds from the file's
start) unless ``keep_dates=True``. Patient name, birth date, sex, admin code,
technician and equipment fields are never read.

Every failure (missing file, not an EDF, truncated or corrupt header) raises
:class:`~lbpnet.errors.ReaderError` naming the file, what is wrong and the fix.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from lbpnet.errors import ReaderError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.pseudonym import pseudonym
from lbpnet.recording.recording import Recording
from lbpnet.recording.scaled import ScaledArray, edf_gain_offset
from lbpnet.recording.stream import Stream
from lbpnet.recording.units import canonical_unit, known_units

_FILETYPES = {0: "EDF", 1: "EDF+", 2: "BDF", 3: "BDF+"}

# (pattern searched in "label transducer", BIDS channel type), first match wins
_TYPE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bemg\b|^emg|emg$", "EMG"),
    (r"\becg\b|\bekg\b|^ecg|^ekg", "ECG"),
    (r"\beeg\b|^eeg", "EEG"),
    (r"\beog\b|^eog", "EOG"),
    (r"\bacc(el)?\b|accelerometer|^acc[_ ]?[xyz]?\b|^acc", "ACCEL"),
    (r"\bgyr(o|oscope)?\b|^gyr", "GYRO"),
    (r"\bmag(n|net(ometer)?)?\b|^mag", "MAGN"),
    (r"\beda\b|\bgsr\b|skin conductance|^eda|^gsr", "EDA"),
    (r"\bppg\b|pleth|^ppg", "PPG"),
    (r"\bresp(iration|iratory)?\b|^resp", "RESP"),
    (r"\btemp(erature)?\b|^temp", "TEMP"),
    (r"\bnirs\b|\bhbo2?\b|\bhbr\b|^nirs", "NIRS"),
)
# stream name derived from the dominant channel type
_STREAM_NAMES = {"ACCEL": "imu", "GYRO": "imu", "MAGN": "imu"}

LabelFilter = None | str | Iterable[str] | Callable[[str], bool]


def guess_channel_type(label: str, transducer: str = "") -> str:
    """BIDS channel type (``EMG``, ``ECG``, ``ACCEL``…) from an EDF label and
    transducer, or ``"MISC"`` when neither says it plainly."""
    for text in (label, transducer):
        text = str(text).strip().lower()
        for pattern, kind in _TYPE_PATTERNS:
            if text and re.search(pattern, text):
                return kind
    return "MISC"


def _fail(path: Path, problem: str, field: str | None = None, fix: str | None = None):
    return ReaderError(problem, source=str(path), field=field, fix=fix)


def _open(path: Path):
    """Open ``path`` with pyedflib, turning every failure into a ReaderError."""
    import pyedflib

    if not path.exists():
        raise _fail(path, "file not found",
                    fix="check the path (and the current directory); EDF/BDF files end in .edf/.bdf")
    if path.is_dir():
        raise _fail(path, "is a folder, not an EDF/BDF file",
                    fix="point to the .edf/.bdf file inside it (or use read_bids for a BIDS folder)")
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise _fail(path, f"cannot be opened ({exc.strerror or exc})",
                    fix="check the file's permissions") from exc
    if len(head) < 8 or not (head == b"0       " or head == b"\xffBIOSEMI"):
        raise _fail(path, f"is not an EDF/BDF file (it starts with {head[:8]!r}, an EDF file "
                          "starts with '0' and a BDF file with '\\xffBIOSEMI')",
                    field="header", fix="check that this is the right file; convert other formats "
                                        "to EDF+/BDF+ or use the matching reader")
    try:
        return pyedflib.EdfReader(str(path))
    except Exception as exc:  # pyedflib raises OSError with terse reasons
        text = str(exc)
        if "Filesize" in text or "read error" in text:
            problem = ("is truncated or its data records do not match its header "
                       f"(pyedflib: {text.split(':')[-1].strip()})")
            fix = "copy or export the file again; the file on disk is incomplete"
        else:
            problem = f"has a corrupt or non-compliant header (pyedflib: {text.split(':')[-1].strip()})"
            fix = ("repair the header (e.g. with EDFbrowser's header editor) or export the "
                   "file again as EDF+/BDF+")
        raise _fail(path, problem, field="header", fix=fix) from exc


def _keep(label: str, label_filter: LabelFilter) -> bool:
    if label_filter is None:
        return True
    if isinstance(label_filter, str):
        return re.search(label_filter, label) is not None
    if callable(label_filter):
        return bool(label_filter(label))
    return label in set(label_filter)


def _per_signal(path: Path, what: str, given, labels: list[str], default: list[str]) -> list[str]:
    """Resolve an override (mapping by EDF label, or a sequence in file order)."""
    if given is None:
        return list(default)
    if isinstance(given, Mapping):
        unknown = sorted(set(given) - set(labels))
        if unknown:
            raise _fail(path, f"{what} given for unknown channel(s) {unknown}; the file's "
                              f"channels are {labels}", field=what,
                        fix="key the mapping by the EDF signal labels")
        return [str(given.get(lab, d)) for lab, d in zip(labels, default)]
    if isinstance(given, str) or not isinstance(given, Sequence) or len(given) != len(labels):
        raise _fail(path, f"{len(given) if isinstance(given, Sequence) else 'a non-list'} "
                          f"{what} given for {len(labels)} channels {labels}", field=what,
                    fix=f"give one {what} entry per kept channel, in file order, or a dict by label")
    return [str(v) for v in given]


def read_edf_header(path: str | Path) -> dict:
    """Channel labels, rates (Hz), units, transducers and file type of an EDF/BDF.

    Reads the header only; raises :class:`ReaderError` as :func:`read_edf` does.
    """
    path = Path(path)
    reader = _open(path)
    try:
        n = reader.signals_in_file
        return {"labels": [reader.getLabel(i).strip() for i in range(n)],
                "sampling_rates": [float(r) for r in reader.getSampleFrequencies()],
                "units": [reader.getPhysicalDimension(i).strip() for i in range(n)],
                "transducers": [reader.getTransducer(i).strip() for i in range(n)],
                "n_samples": [int(s) for s in reader.getNSamples()],
                "file_type": _FILETYPES.get(reader.filetype, str(reader.filetype))}
    finally:
        reader.close()


def read_edf(path: str | Path, modality: str | None = None, label_filter: LabelFilter = None,
             channel_names=None, channel_types=None, units=None,
             subject: str | None = None, keep_dates: bool = False,
             pseudonym_key: str | Path | None = None) -> Recording:
    """Read an EDF/EDF+/BDF/BDF+ file into a :class:`Recording`.

    Parameters
    ----------
    path : str or Path
        The ``.edf`` / ``.bdf`` file.
    modality : str, optional
        Stream name (``"emg"``). Default: derived from the channel types
        (``EMG`` -> ``"emg"``, ``ACCEL``/``GYRO``/``MAGN`` -> ``"imu"``, …).
        Streams whose names would collide (several rates) get a rate suffix,
        e.g. ``"emg_2000hz"`` and ``"emg_100hz"``.
    label_filter : str, iterable of str or callable, optional
        Which signals to keep: a regular expression searched in the label, a set
        of exact labels, or a predicate ``label -> bool``. Default: all.
    channel_names, channel_types, units : dict or sequence of str, optional
        Overrides, either by EDF label or one per kept signal in file order.
        Types default to a guess from label/transducer (else ``"MISC"``); units
        to the EDF physical dimension (empty -> ``"n/a"``).
    subject : str, optional
        Subject id, used as given. Default: the pseudonym of the EDF+ patient
        code, else of the file stem (8 hex digits, keyed: the same code gives
        the same pseudonym in every file and run that uses the same key).
    keep_dates : bool
        Keep the file's start date-time (ISO 8601) in
        ``metadata["start_datetime"]``. Default ``False``: no date is kept.
    pseudonym_key : str or Path, optional
        The key file of the pseudonyms. Default: ``$LBPNET_PSEUDONYM_KEY_FILE``,
        else ``~/.config/lbpnet/pseudonym.key`` (created, mode 0600, on first use).

    Returns
    -------
    Recording
        One stream per sampling rate, data a ScaledArray read as ``float32
        (n_samples, n_channels)`` in physical units (integers kept), all starting at 0 s; annotations in seconds
        (an unknown EDF+ duration becomes 0). Validated.

    Raises
    ------
    ReaderError
        Missing, non-EDF, truncated or corrupt file; unknown unit; no signal
        left after ``label_filter``.
    """
    path = Path(path)
    reader = _open(path)
    try:
        recording = _read(reader, path, modality, label_filter, channel_names,
                          channel_types, units, subject, keep_dates, pseudonym_key)
    except ReaderError:
        raise
    except (OSError, ValueError, RuntimeError, MemoryError) as exc:
        raise _fail(path, f"could not read the signal data ({type(exc).__name__}: {exc})",
                    fix="check that the file is complete; export it again if needed") from exc
    finally:
        reader.close()
    return recording.validate()


def _counts(reader, signals: list[int], length: int, dtype) -> ScaledArray:
    """The digital samples of ``signals`` (EDF: 16-bit, BDF: 24-bit in int32) with each
    signal's digital->physical map from the header, as a ScaledArray (length, n)."""
    counts = np.empty((length, len(signals)), dtype=dtype)
    gain, offset = np.empty(len(signals)), np.empty(len(signals))
    for col, i in enumerate(signals):
        counts[:, col] = reader.readSignal(i, 0, length, digital=True)
        gain[col], offset[col] = edf_gain_offset(
            reader.getPhysicalMinimum(i), reader.getPhysicalMaximum(i),
            reader.getDigitalMinimum(i), reader.getDigitalMaximum(i))
    return ScaledArray(counts, gain, offset)


def offsets_from_first(recordings: Sequence[Recording], keep_dates: bool = False
                       ) -> list[Recording]:
    """Give each recording ``metadata["start_offset_s"]``: seconds from its subject's
    first recording among ``recordings`` (read with ``keep_dates=True``), so that
    sessions stay ordered and spaced without a calendar date. The dates themselves
    are then dropped unless ``keep_dates``. A recording without a readable date
    gets ``None``. Returns ``recordings`` (changed in place)."""
    from datetime import datetime

    starts = {}
    for rec in recordings:
        text = rec.metadata.get("start_datetime")
        starts[id(rec)] = datetime.fromisoformat(text) if text else None
    first: dict[str, datetime] = {}
    for rec in recordings:
        start = starts[id(rec)]
        if start is not None and (rec.subject not in first or start < first[rec.subject]):
            first[rec.subject] = start
    for rec in recordings:
        start = starts[id(rec)]
        rec.metadata["start_offset_s"] = (None if start is None else
                                          (start - first[rec.subject]).total_seconds())
        if not keep_dates:
            rec.metadata.pop("start_datetime", None)
    return list(recordings)


def _read(reader, path, modality, label_filter, channel_names, channel_types, units, subject,
          keep_dates=False, pseudonym_key=None):
    n = reader.signals_in_file
    all_labels = [reader.getLabel(i).strip() for i in range(n)]
    if n == 0:
        raise _fail(path, "holds no signals (annotations only)", field="signals",
                    fix="read the annotations with the matching data file, or export the signals")
    keep = [i for i in range(n) if _keep(all_labels[i], label_filter)]
    if not keep:
        raise _fail(path, f"no signal left after label_filter={label_filter!r}; the file has "
                          f"{all_labels}", field="label_filter",
                    fix="change label_filter so that it matches at least one label")
    labels = [all_labels[i] for i in keep]
    names = _per_signal(path, "channel_names", channel_names, labels, labels)
    guessed = [guess_channel_type(all_labels[i], reader.getTransducer(i)) for i in keep]
    types = [t.upper() for t in _per_signal(path, "channel_types", channel_types, labels, guessed)]
    raw_units = _per_signal(path, "units", units, labels,
                            [reader.getPhysicalDimension(i).strip() for i in keep])
    canon = []
    for label, unit in zip(labels, raw_units):
        c = canonical_unit(unit)
        if c is None:
            raise _fail(path, f"channel '{label}' has unknown physical dimension '{unit}'",
                        field="units", fix=f"pass units={{'{label}': ...}} with one of "
                                           f"{', '.join(known_units())}")
        canon.append(c)
    rates = reader.getSampleFrequencies()
    n_samples = reader.getNSamples()
    groups: dict[float, list[int]] = {}
    for j, i in enumerate(keep):
        rate = float(rates[i])
        if not np.isfinite(rate) or rate <= 0:
            raise _fail(path, f"signal '{labels[j]}' has sampling rate {rate!r} Hz",
                        field="samples per record / record duration",
                        fix="repair the header's samples-per-record and record duration")
        groups.setdefault(round(rate, 6), []).append(j)

    def base_name(members: list[int]) -> str:
        if modality:
            return modality
        kind = Counter(types[j] for j in members).most_common(1)[0][0]
        return _STREAM_NAMES.get(kind, kind.lower())

    file_type = _FILETYPES.get(reader.filetype, str(reader.filetype))
    bases = {rate: base_name(members) for rate, members in groups.items()}
    counts = Counter(bases.values())
    streams: dict[str, Stream] = {}
    for rate, members in groups.items():
        name = bases[rate] if counts[bases[rate]] == 1 else f"{bases[rate]}_{rate:g}hz"
        length = min(int(n_samples[keep[j]]) for j in members)
        data = _counts(reader, [keep[j] for j in members], length,
                       np.int32 if file_type.startswith("BDF") else np.int16)
        streams[name] = Stream(name=name, data=data, sampling_rate=rate,
                               channel_names=[names[j] for j in members],
                               channel_types=[types[j] for j in members],
                               units=[canon[j] for j in members], start_time=0.0)

    onsets, durations, texts = reader.readAnnotations()
    durations = np.asarray([0.0 if d is None or not np.isfinite(float(d)) or float(d) < 0
                            else float(d) for d in durations], dtype=float)
    labels_text = [t.decode("utf-8", "replace") if isinstance(t, bytes) else str(t)
                   for t in texts]
    annotations = Annotations(np.asarray(onsets, dtype=float), durations, labels_text)

    if subject is None:
        code = (reader.getPatientCode() or "").strip() if file_type.endswith("+") else ""
        subject = pseudonym(code if code and code.upper() != "X" else path.stem, pseudonym_key)
    metadata = {"format": file_type,
                "transducers": {names[j]: reader.getTransducer(keep[j]).strip()
                                for j in range(len(keep))}}
    if keep_dates:
        try:
            metadata["start_datetime"] = reader.getStartdatetime().isoformat()
        except Exception:  # a malformed date is not worth failing the read
            metadata["start_datetime"] = None
    return Recording(streams=streams, annotations=annotations, subject=str(subject),
                     source=str(path), metadata=metadata)
