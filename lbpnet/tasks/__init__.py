"""Tasks: LightningModules and DataModules, one per task."""

from lbpnet.tasks.activity import ActivityRecognition
from lbpnet.tasks.augmentation import SignalAugment
from lbpnet.tasks.base import WindowTask
from lbpnet.tasks.strategy import StrategyDetection
from lbpnet.tasks.window_datamodule import WindowDataModule

__all__ = ["ActivityRecognition", "SignalAugment", "StrategyDetection", "WindowDataModule",
           "WindowTask"]
