"""An in-process cluster, one TM and rm_count RMs over a SentMessages network, that takes the
model's actions one at a time: each action is one event handled by one node.

    TMCommit / TMAbort                     the TM's local decision
    TMRcvPrepared(rm)                      the TM receives rm's Prepared message (it must have been sent)
    RMPrepare(rm) / RMChooseToAbort(rm)    rm's local decision
    RMRcvCommitMsg(rm) / RMRcvAbortMsg(rm) rm receives the TM's decision (it must have been sent)

This is protocols/two-phase-commit/driver.ts without the I/O: picks are RM indices here, and
the driver (driver.py) turns ITF's "rm1", "rm2", ... into them and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Protocol

from .messages import ABORT, COMMIT, TM, Message, Prepared, Receive
from .network import SentMessages
from .resource_manager import ChooseToAbort, Prepare, RmConfig, RmState, initial_rm, step_rm
from .transaction_manager import DecideAbort, DecideCommit, TmConfig, TmState, initial_tm, step_tm
from .transition import Refused

# The model's actions and the names of their picks, as protocheck's start request lists them.
ACTIONS: dict[str, tuple[str, ...]] = {
    'TMCommit': (),
    'TMAbort': (),
    'TMRcvPrepared': ('rm',),
    'RMPrepare': ('rm',),
    'RMChooseToAbort': ('rm',),
    'RMRcvCommitMsg': ('rm',),
    'RMRcvAbortMsg': ('rm',),
}


class NotEnabled(Exception):
    """The implementation cannot take this step now (a core refused it, or its message was never sent)."""


@dataclass(frozen=True)
class Cores:
    """The node reducers a cluster runs; replaceable so that tests can build a mutant."""
    step_tm: Callable = step_tm
    step_rm: Callable = step_rm


class StepListener(Protocol):
    """Told of every step a node takes, after its core took it and before its messages are sent
    (where a real node writes its event log line). `node` is "tm" or an RM index; `rm` the pick."""

    def __call__(self, node: object, action: str, rm: Optional[int], state: object) -> None: ...


class TwoPhaseCluster:
    def __init__(self, rm_count: int, bug: Optional[str], cores: Cores = Cores(), listener: Optional[StepListener] = None) -> None:
        self.rm_count = rm_count
        self.bug = bug
        self.cores = cores
        self.listener = listener
        self.tm_config = TmConfig(rm_count, bug)
        self.rm_config = RmConfig(bug)
        self.tm: TmState = initial_tm
        self.rms: list[RmState] = [initial_rm(rm) for rm in range(rm_count)]
        self.network = SentMessages()

    def apply(self, action: str, rm: Optional[int] = None) -> None:
        """Take the step `action` (with pick `rm` where it has one), or raise NotEnabled."""
        if action == 'TMCommit':
            self.tm = self._taken(TM, action, None, self.cores.step_tm(self.tm_config, self.tm, DecideCommit()))
        elif action == 'TMAbort':
            self.tm = self._taken(TM, action, None, self.cores.step_tm(self.tm_config, self.tm, DecideAbort()))
        elif action == 'TMRcvPrepared':
            message = self._delivered(TM, Prepared(self._rm(rm)))
            self.tm = self._taken(TM, action, rm, self.cores.step_tm(self.tm_config, self.tm, Receive(message)))
        elif action in ('RMPrepare', 'RMChooseToAbort', 'RMRcvCommitMsg', 'RMRcvAbortMsg'):
            rm = self._rm(rm)
            event = {
                'RMPrepare': lambda: Prepare(),
                'RMChooseToAbort': lambda: ChooseToAbort(),
                'RMRcvCommitMsg': lambda: Receive(self._delivered(rm, COMMIT)),
                'RMRcvAbortMsg': lambda: Receive(self._delivered(rm, ABORT)),
            }[action]()
            self.rms[rm] = self._taken(rm, action, rm, self.cores.step_rm(self.rm_config, self.rms[rm], event))
        else:
            raise ValueError(f'two-phase-commit has no action {action}')

    def _taken(self, node, action: str, rm: Optional[int], transition):
        """Record a taken step's messages and return its state; a refusal is a step the code cannot take."""
        if isinstance(transition, Refused):
            raise NotEnabled(transition.reason)
        if self.listener is not None:
            self.listener(node, action, rm, transition.state)
        self.network.record(transition.effects)
        return transition.state

    def _delivered(self, to, message: Message) -> Message:
        """A node can only receive a message that was sent to it."""
        if not self.network.was_sent_to(to, message):
            where = 'the TM' if to == TM else f'rm{to + 1}'
            raise NotEnabled(f'no {message.type} message was sent to {where}')
        return message

    def _rm(self, rm: Optional[int]) -> int:
        if not isinstance(rm, int) or isinstance(rm, bool) or not 0 <= rm < self.rm_count:
            raise ValueError(f'pick rm={rm!r} is not a resource manager of {self.rm_count}')
        return rm
