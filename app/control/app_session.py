"""AppSession: the whole of a session's commands in one object, composed of its parts (session, studies,
exports) over one set of services. The Qt controller wraps one with a thread-pool executor; tests and
property tests build one with the manual executor and stub pipelines."""

from __future__ import annotations

from typing import Any

from ..model.store import SessionStore
from .executor import Executor
from .exports import ExportCommands
from .services import Services
from .session import RUN_PRODUCES, SessionCommands
from .studies import StudyCommands
from .view_work import ViewWork


class AppSession:
    def __init__(self, store: SessionStore, executor: Executor, pipelines: Any, models: Any):
        self.store = store
        self.services = Services(store, executor, pipelines, models)
        self.view_work = ViewWork(self.services, run_produces=RUN_PRODUCES)
        self.commands = SessionCommands(self.services, looking_at=self.view_work.looking_at)
        self.view_work.restart_comparison = self.commands.run
        self.studies = StudyCommands(self.services)
        self.exports = ExportCommands(self.services)
        # The commands, by the names the menus, scripts and tests use.
        c, st, ex = self.commands, self.studies, self.exports
        self.open_image, self.open_array, self.update_settings = c.open_image, c.open_array, c.update_settings
        self.set_scale, self.set_weights, self.set_sr_model = c.set_scale, c.set_weights, c.set_sr_model
        self.run, self.restore, self.resample, self.cancel = c.run, c.restore, c.resample, c.cancel
        self.set_jpeg_quality, self.set_view = c.set_jpeg_quality, c.set_view
        self.sample, self.show_draw, self.cancel_study = st.sample, st.show_draw, st.cancel_study
        self.temperature_study, self.jpeg_study = st.temperature_study, st.jpeg_study
        self.save_result, self.save_metrics, self.save_text = ex.save_result, ex.save_metrics, ex.save_text
        self.save_figure, self.process_folder, self.cancel_batch = ex.save_figure, ex.process_folder, ex.cancel_batch

    def shutdown(self) -> None:
        for kind in list(self.store.jobs.policies):
            self.services.cancel(kind)
