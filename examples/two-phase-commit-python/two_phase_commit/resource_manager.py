"""A resource manager as a sans-IO core.

It prepares (telling the TM) or aborts on its own while still working, and applies the TM's
decision when it arrives. The rules mirror TwoPhase.tla's RMPrepare, RMChooseToAbort,
RMRcvCommitMsg and RMRcvAbortMsg, and the TypeScript core
protocols/two-phase-commit/impl/resource-manager.ts rule for rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, Optional, Union

from .messages import TM, Abort, Commit, Prepared, Receive, RmId
from .transition import Refused, Send, Taken


@dataclass(frozen=True)
class RmState:
    rm: RmId
    rm_state: Literal['working', 'prepared', 'committed', 'aborted'] = 'working'


@dataclass(frozen=True)
class RmConfig:
    bug: Optional[str] = None


@dataclass(frozen=True)
class Prepare:
    """The local decision to prepare (RMPrepare)."""


@dataclass(frozen=True)
class ChooseToAbort:
    """The local decision to abort unilaterally (RMChooseToAbort)."""


# Receive: the TM's decision arrives (RMRcvCommitMsg, RMRcvAbortMsg).
RmEvent = Union[Prepare, ChooseToAbort, Receive]


def initial_rm(rm: RmId) -> RmState:
    return RmState(rm)


def step_rm(config: RmConfig, state: RmState, event: RmEvent) -> Union[Taken[RmState], Refused]:
    if isinstance(event, Prepare):
        if state.rm_state != 'working':
            return Refused(f'RM {state.rm} is {state.rm_state}, not working')
        return Taken(replace(state, rm_state='prepared'), (Send(TM, Prepared(state.rm)),))
    if isinstance(event, ChooseToAbort):
        may_abort = state.rm_state == 'working' or (config.bug == 'abort-after-prepare' and state.rm_state == 'prepared')
        if not may_abort:
            return Refused(f'RM {state.rm} is {state.rm_state} and may not abort on its own')
        return Taken(replace(state, rm_state='aborted'))
    if isinstance(event, Receive):
        if isinstance(event.message, Commit):
            return Taken(replace(state, rm_state='committed'))
        if isinstance(event.message, Abort):
            return Taken(replace(state, rm_state='aborted'))
        return Refused(f'an RM does not handle {event.message.type} messages')
    raise TypeError(f'not an RM event: {event!r}')
