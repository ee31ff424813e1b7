"""Hand-crafted, interpretable measures: EMG spectra, HRV, IMU acceleration magnitude.

Every measure documents its formula, units and literature source; invalid input (too
short, constant, NaN, gaps) raises :class:`FeatureError` naming the field and the fix,
or, where a function offers ``on_invalid="mask"``, gives a masked value with its reason.
"""

from lbpnet.errors import LbpnetError


class FeatureError(LbpnetError):
    """A measure cannot be computed on this input (too short, constant, NaN, gaps)."""


# imported after FeatureError: the submodules import it from here
from lbpnet.features.emg_spectrum import (  # noqa: E402
    emg_spectral_frequencies, mean_frequency, median_frequency, welch_psd)
from lbpnet.features.hrv import hrv_frequency_domain, hrv_time_domain  # noqa: E402
from lbpnet.features.imu import acc_magnitude, acc_magnitude_stats  # noqa: E402

__all__ = ["FeatureError", "acc_magnitude", "acc_magnitude_stats", "emg_spectral_frequencies",
           "hrv_frequency_domain", "hrv_time_domain", "mean_frequency", "median_frequency",
           "welch_psd"]
