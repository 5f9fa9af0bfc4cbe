"""The Qt-free session model: what is open, what is chosen, what has been computed and whether it is
still current. Plain pytest drives it; Qt views bind to its events through the controller."""

from .events import EventEmitter
from .kinds import COMPARED_KINDS, KINDS, LR_KINDS, MAP_KINDS
from .session import SessionModel, SessionResult

__all__ = ["EventEmitter", "KINDS", "LR_KINDS", "COMPARED_KINDS", "MAP_KINDS", "SessionModel", "SessionResult"]
