"""IRN Studio's desktop app (PySide6 + pyqtgraph). Holds no model math and never imports torch:
it calls irn_core in worker threads and shows the numpy arrays that come back."""
