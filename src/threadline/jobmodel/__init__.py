"""The job-ad model: a learned, explained classifier of recruitment risk, for review.

    from threadline.jobmodel import JobAd, load_default
    prediction = load_default().predict(JobAd(text, title=title, lang="en", region="US"))
    prediction.probability, prediction.top_features, prediction.model_version

See MODEL.md (the model card) for what it was trained on and how it scores.
"""

from threadline.jobmodel.features import JobAd, Prepared, prepare
from threadline.jobmodel.model import (
    FeatureContribution,
    JobModel,
    JobPrediction,
    ModelError,
    load,
    load_default,
)

__all__ = [
    "FeatureContribution",
    "JobAd",
    "JobModel",
    "JobPrediction",
    "ModelError",
    "Prepared",
    "load",
    "load_default",
    "prepare",
]
