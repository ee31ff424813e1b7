"""Zero-phase Butterworth and notch filters of ``(batch, channels, time)`` signals.

The coefficients are designed once with scipy (``butter(..., output="sos")``,
``iirnotch``); the filtering is torch (:class:`~lbpnet.preprocess.zero_phase.ZeroPhaseSos`),
so it runs batched on the GPU and equals ``scipy.signal.sosfiltfilt`` /
``scipy.signal.filtfilt`` within the tolerances stated in ``tests/preprocess``.
Forward-backward filtering doubles the order and squares the magnitude response: a
4th-order band-pass is -6 dB (not -3 dB) at its edges.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.signal import butter, iirnotch

from lbpnet.errors import ConfigError
from lbpnet.preprocess.checks import check_cutoffs, check_order, check_rate
from lbpnet.preprocess.zero_phase import ZeroPhaseSos

BTYPES = {"bandpass": 2, "bandstop": 2, "lowpass": 1, "highpass": 1}


class Butterworth(ZeroPhaseSos):
    """Zero-phase Butterworth band-pass, band-stop, low-pass or high-pass.

    Parameters
    ----------
    fs : float
        Sampling rate of the input (Hz).
    cutoff_hz : float or [low, high]
        Cut-off frequency (Hz) of a low/high-pass, band edges (Hz) of a band-pass/stop; each
        strictly between 0 and ``fs / 2``.
    btype : {"bandpass", "bandstop", "lowpass", "highpass"}
        Filter type.
    order : int
        Butterworth order of the design (a band filter has ``2 order`` poles); the
        forward-backward pass doubles it.
    padtype, padlen, check_finite
        As :class:`~lbpnet.preprocess.zero_phase.ZeroPhaseSos` (scipy's defaults).

    Examples
    --------
    Surface EMG band of SENIAM (20–450 Hz), 4th order, on a 2 kHz ``(batch, channels, time)``
    tensor: ``Butterworth(2000.0, [20, 450], "bandpass", 4)(x)``.
    """

    def __init__(self, fs: float, cutoff_hz: float | Sequence[float], btype: str = "bandpass",
                 order: int = 4, padtype: str | None = "odd", padlen: int | None = None,
                 check_finite: bool = True, name: str = "preprocess.butterworth") -> None:
        if btype not in BTYPES:
            raise ConfigError(f"unknown filter type {btype!r}", field=f"{name}.btype",
                              fix=f"use one of {sorted(BTYPES)}")
        fs = check_rate(fs, f"{name}.fs")
        order = check_order(order, f"{name}.order")
        edges = check_cutoffs(cutoff_hz, fs, BTYPES[btype], f"{name}.cutoff_hz")
        sos = butter(order, edges if len(edges) == 2 else edges[0], btype=btype, fs=fs,
                     output="sos")
        super().__init__(sos, padtype, padlen, check_finite, name)
        self.fs, self.cutoff_hz, self.btype, self.order = fs, edges, btype, order

    def extra_repr(self) -> str:
        """The filter's parameters for ``repr`` (type, cutoff in Hz, order, rate in Hz)."""
        return (f"{self.btype}, cutoff_hz={self.cutoff_hz}, order={self.order}, fs={self.fs:g}, "
                + super().extra_repr())


class Notch(ZeroPhaseSos):
    """Zero-phase IIR notch (``scipy.signal.iirnotch``), e.g. 50 or 60 Hz power-line.

    Parameters
    ----------
    fs : float
        Sampling rate (Hz).
    freq_hz : float
        Centre frequency (Hz), strictly between 0 and ``fs / 2``.
    quality : float
        Quality factor ``Q = freq_hz / bandwidth`` (-3 dB bandwidth of one pass); 30 removes
        a band of about 1.7 Hz at 50 Hz.
    padtype, padlen, check_finite
        As :class:`~lbpnet.preprocess.zero_phase.ZeroPhaseSos`; the defaults equal
        ``scipy.signal.filtfilt(b, a, x)`` (padlen 9, odd extension).
    """

    def __init__(self, fs: float, freq_hz: float = 50.0, quality: float = 30.0,
                 padtype: str | None = "odd", padlen: int | None = None,
                 check_finite: bool = True, name: str = "preprocess.notch") -> None:
        fs = check_rate(fs, f"{name}.fs")
        freq = check_cutoffs(freq_hz, fs, 1, f"{name}.freq_hz")[0]
        if not float(quality) > 0:
            raise ConfigError(f"quality factor must be > 0, got {quality}", field=f"{name}.quality",
                              fix="use e.g. 30 (narrow) or 10 (wide)")
        b, a = iirnotch(freq, float(quality), fs=fs)
        sos = np.concatenate([b, a])[None] / a[0]
        super().__init__(sos, padtype, padlen, check_finite, name)
        self.fs, self.freq_hz, self.quality = fs, freq, float(quality)

    def extra_repr(self) -> str:
        """The notch's parameters for ``repr`` (frequency in Hz, quality, rate in Hz)."""
        return f"freq_hz={self.freq_hz:g}, quality={self.quality:g}, fs={self.fs:g}, " \
               + super().extra_repr()
