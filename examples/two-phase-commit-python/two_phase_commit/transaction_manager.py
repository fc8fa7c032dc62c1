"""The transaction manager as a sans-IO core.

It records Prepared messages, decides to commit once every resource manager is prepared (or
to abort, at any time before deciding) and broadcasts its decision. The rules mirror
TwoPhase.tla's TMRcvPrepared, TMCommit and TMAbort, and the TypeScript core
protocols/two-phase-commit/impl/transaction-manager.ts rule for rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, Optional, Union

from .messages import ABORT, COMMIT, Message, Prepared, Receive, RmId
from .transition import Refused, Send, Taken


@dataclass(frozen=True)
class TmState:
    tm_state: Literal['init', 'committed', 'aborted'] = 'init'
    # Resource managers whose Prepared message has been received, ascending.
    prepared: tuple[RmId, ...] = ()


@dataclass(frozen=True)
class TmConfig:
    rm_count: int
    bug: Optional[str] = None


@dataclass(frozen=True)
class DecideCommit:
    """The local decision to commit (TMCommit)."""


@dataclass(frozen=True)
class DecideAbort:
    """The local decision to abort, e.g. on a timeout (TMAbort)."""


# Receive: a Prepared message arrives (TMRcvPrepared).
TmEvent = Union[DecideCommit, DecideAbort, Receive]

initial_tm = TmState()


def step_tm(config: TmConfig, state: TmState, event: TmEvent) -> Union[Taken[TmState], Refused]:
    def broadcast(message: Message) -> tuple[Send, ...]:
        return tuple(Send(rm, message) for rm in range(config.rm_count))

    if isinstance(event, DecideCommit):
        if config.bug == 'commit-on-any-prepared':
            enough_prepared = len(state.prepared) > 0
        else:
            enough_prepared = len(state.prepared) == config.rm_count
        if state.tm_state != 'init' and config.bug != 'commit-after-abort':
            return Refused(f'the TM has already decided ({state.tm_state})')
        if not enough_prepared:
            return Refused(f'only {len(state.prepared)} of {config.rm_count} RMs are prepared')
        return Taken(replace(state, tm_state='committed'), broadcast(COMMIT))
    if isinstance(event, DecideAbort):
        if state.tm_state != 'init':
            return Refused(f'the TM has already decided ({state.tm_state})')
        return Taken(replace(state, tm_state='aborted'), broadcast(ABORT))
    if isinstance(event, Receive):
        message = event.message
        if not isinstance(message, Prepared):
            return Refused(f'the TM does not handle {message.type} messages')
        if state.tm_state != 'init':
            return Refused(f'the TM has already decided ({state.tm_state})')
        prepared = tuple(sorted(set(state.prepared) | {message.rm}))
        return Taken(replace(state, prepared=prepared))
    raise TypeError(f'not a TM event: {event!r}')
