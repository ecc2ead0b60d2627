"""The EPJ plugin's launch side: SMART App Launch 2.x from inside the patient's chart
(`launch.py`), the server-side sessions it opens (`sessions.py`) and their tables."""
