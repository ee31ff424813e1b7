"""Hand-crafted, interpretable measures: EMG spectra, HRV, IMU acceleration magnitude.

Every measure documents its formula, units and literature source; invalid input (too
short, constant, NaN, gaps) raises :class:`~lbpnet.errors.FeatureError` naming the field
and the fix, or, where a function offers ``on_invalid="mask"``, gives a masked value with
its reason.
"""

from lbpnet.errors import FeatureError
from lbpnet.features.emg_spectrum import (emg_spectral_frequencies, mean_frequency,
                                          median_frequency, welch_psd)
from lbpnet.features.hrv import hrv_frequency_domain, hrv_time_domain
from lbpnet.features.imu import acc_magnitude, acc_magnitude_stats

__all__ = ["FeatureError", "acc_magnitude", "acc_magnitude_stats", "emg_spectral_frequencies",
           "hrv_frequency_domain", "hrv_time_domain", "mean_frequency", "median_frequency",
           "welch_psd"]
