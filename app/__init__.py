"""IRN Studio, the desktop app (installed as the ``irn_studio`` package): a Qt-free session model
(``model``) and Qt views, controller glue and workers (``qt``)."""
