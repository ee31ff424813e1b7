"""lbpnet: deep learning on wearable biosignals for personalised low-back-pain care.

Decision support for research use only; never a diagnosis.
"""

__version__ = "0.1.0"
