"""The Qt-free session store: what is open, what is chosen, what has been computed and whether it is still
current, and where the panes look. Plain pytest drives it; Qt views redraw from its ``changed`` event."""

from .events import EventEmitter
from .kinds import COMPARED_KINDS, KINDS, LR_KINDS, MAP_KINDS
from .results import SessionResult
from .store import SessionStore

__all__ = ["EventEmitter", "KINDS", "LR_KINDS", "COMPARED_KINDS", "MAP_KINDS", "SessionResult", "SessionStore"]
