"""Refit the score calibration: `python -m threadline.indicators.calibrate --count 20000`.

A separate entry point so that running it does not re-import the package's own
calibration module (see `threadline.indicators.calibration` for the method).
"""

from threadline.indicators.calibration import main

if __name__ == "__main__":
    main()
