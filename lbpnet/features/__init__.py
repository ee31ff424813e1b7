"""Hand-crafted, interpretable measures: EMG, co-contraction, IMU, HRV/ECG, NIRS, EDA.

Every measure documents its formula, units and literature source, works on batches with
time last (``(..., n_samples)``, vectors as ``(..., 3, n_samples)``), and refuses invalid
input (too short, constant, NaN, gaps) with :class:`~lbpnet.errors.FeatureError` naming the
field and the fix, or, where a function offers ``on_invalid="mask"``, gives a masked value
with its reason.
"""

from lbpnet.errors import FeatureError
from lbpnet.features.asymmetry import asymmetry_index
from lbpnet.features.co_contraction import antagonist_agonist_ratio, co_contraction_index
from lbpnet.features.daily_activity import activity_counts, step_cadence, time_in_posture
from lbpnet.features.walking_bouts import gait_stretches, walking_bouts
from lbpnet.features.ecg_peaks import detect_r_peaks, hrv_from_ecg, nn_intervals
from lbpnet.features.eda import eda_decompose, eda_measures, scr_peaks
from lbpnet.features.emg_fatigue import fatigue_index, median_frequency_course
from lbpnet.features.emg_spectrum import (emg_spectral_frequencies, mean_frequency,
                                          median_frequency, welch_psd)
from lbpnet.features.emg_time import (hudgins_features, mean_absolute_value, rms,
                                      slope_sign_changes, waveform_length, zero_crossings)
from lbpnet.features.flexion_relaxation import flexion_relaxation_ratio, moving_rms
from lbpnet.features.hrv import hrv_frequency_domain, hrv_time_domain
from lbpnet.features.imu import (acc_magnitude, acc_magnitude_stats,
                                 vertical_horizontal_acceleration)
from lbpnet.features.movement_quality import (angular_velocity, log_dimensionless_jerk,
                                              movement_variability, rms_jerk, time_normalise)
from lbpnet.features.nirs import deoxygenation_slope, mean_tsi, recovery_half_time
from lbpnet.features.orientation import (complementary_sagittal_angle, gravity_in_sensor,
                                         inclination, lumbar_flexion, madgwick_imu, sagittal_angle)

__all__ = ["FeatureError", "acc_magnitude", "acc_magnitude_stats", "activity_counts",
           "angular_velocity", "antagonist_agonist_ratio", "asymmetry_index",
           "co_contraction_index", "complementary_sagittal_angle", "deoxygenation_slope",
           "detect_r_peaks", "eda_decompose", "eda_measures", "emg_spectral_frequencies",
           "fatigue_index", "flexion_relaxation_ratio", "gravity_in_sensor",
           "hrv_frequency_domain", "hrv_from_ecg", "hrv_time_domain", "hudgins_features",
           "inclination",
           "log_dimensionless_jerk", "lumbar_flexion", "madgwick_imu", "mean_absolute_value",
           "mean_frequency", "mean_tsi", "median_frequency", "median_frequency_course",
           "movement_variability", "moving_rms", "nn_intervals", "recovery_half_time", "rms",
           "rms_jerk", "sagittal_angle", "scr_peaks", "slope_sign_changes", "step_cadence", "gait_stretches", "walking_bouts",
           "time_in_posture", "time_normalise", "vertical_horizontal_acceleration",
           "waveform_length", "welch_psd",
           "zero_crossings"]
