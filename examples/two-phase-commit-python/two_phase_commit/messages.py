"""The messages of two-phase commit, shaped like TwoPhase.tla's Message records, and the bug switches.

A resource manager is an index 0..rm-1 (the model names index i "rm{i+1}"); an address is
either TM or such an index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

TM: Literal['tm'] = 'tm'

RmId = int
Address = Union[Literal['tm'], RmId]


@dataclass(frozen=True)
class Prepared:
    """An RM tells the TM it is prepared (RMPrepare's message)."""
    rm: RmId
    type: Literal['Prepared'] = 'Prepared'


@dataclass(frozen=True)
class Commit:
    """The TM's decision to commit, sent to every RM."""
    type: Literal['Commit'] = 'Commit'


@dataclass(frozen=True)
class Abort:
    """The TM's decision to abort, sent to every RM."""
    type: Literal['Abort'] = 'Abort'


Message = Union[Prepared, Commit, Abort]


@dataclass(frozen=True)
class Receive:
    """The event of a message arriving at a node (TMRcvPrepared, RMRcvCommitMsg, RMRcvAbortMsg)."""
    message: Message

COMMIT = Commit()
ABORT = Abort()

# The same switches as protocols/two-phase-commit/model.ts; each flips the same one rule
# in the cores as in the model (and as in the TypeScript cores).
BUGS = {
    'commit-on-any-prepared': 'the TM commits as soon as one RM is prepared, not all of them',
    'abort-after-prepare': 'an RM may still abort on its own after it has prepared',
    'commit-after-abort': 'the TM can commit after it has already aborted (TMCommit ignores tmState)',
}
