"""Two-phase commit as sans-IO cores, a port of protocheck's protocols/two-phase-commit/impl.

Each core is a pure function step(config, state, event) -> Taken | Refused: no I/O, no clock,
no randomness. The network (SentMessages) and the driver (driver.py) are thin layers over them.
"""

from .messages import ABORT, BUGS, COMMIT, Abort, Address, Commit, Message, Prepared, Receive, TM
from .transition import Refused, Send, Taken, Transition, is_refused
from .transaction_manager import DecideAbort, DecideCommit, TmConfig, TmState, initial_tm, step_tm
from .resource_manager import ChooseToAbort, Prepare, RmConfig, RmState, initial_rm, step_rm
from .network import SentMessages

__all__ = [
    'ABORT', 'BUGS', 'COMMIT', 'Abort', 'Address', 'Commit', 'Message', 'Prepared', 'Receive', 'TM',
    'Refused', 'Send', 'Taken', 'Transition', 'is_refused',
    'DecideAbort', 'DecideCommit', 'TmConfig', 'TmState', 'initial_tm', 'step_tm',
    'ChooseToAbort', 'Prepare', 'Receive', 'RmConfig', 'RmState', 'initial_rm', 'step_rm',
    'SentMessages',
]
