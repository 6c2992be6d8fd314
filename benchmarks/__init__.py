"""The suite's engine (knows no paper) and, in sub-packages, one study per paper group; NumPy/pandas only."""
