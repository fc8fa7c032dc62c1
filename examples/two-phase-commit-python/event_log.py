"""An event log of the steps the Python implementation takes, in protocheck's event log format
(version 1, NDJSON; docs/log-format.md), for `protocheck validate two-phase-commit --log FILE`.

Line 1 is the header; every other line one event: the node that took it, a CLOCK_MONOTONIC
time in nanoseconds, the node's own counter, the model action with its picks as ITF values,
and what that node holds after the step, observed as the model's variables at its own key
(an RM: its rmState entry; the TM: tmState and tmPrepared). msgs is the network's, not a
node's, so it is left out; validate infers it. Every action is logged (nothing unlogged).
"""

from __future__ import annotations

import json
import time
from typing import IO, Optional

import itf
from two_phase_commit import TM

FORMAT = 'protocheck-event-log'
VERSION = 1


def rm_name(rm: int) -> str:
    return f'rm{rm + 1}'


class EventLog:
    """Writes one run's log to `out` (a text file); a listener for TwoPhaseCluster."""

    def __init__(self, out: IO[str], rm_count: int, bug: Optional[str], description: str = '') -> None:
        self.out = out
        self.seq: dict[str, int] = {}
        self._write({
            'format': FORMAT,
            'version': VERSION,
            'model': 'two-phase-commit',
            'params': {'rm': rm_count},
            'bug': bug,
            'unlogged': [],
            'maxUnlogged': 0,
            'description': description or f'a run of the Python two-phase commit (examples/two-phase-commit-python), rm={rm_count}, bug={bug}',
            'nodes': ['tm', *(rm_name(rm) for rm in range(rm_count))],
        })

    def __call__(self, node: object, action: str, rm: Optional[int], state) -> None:
        name = 'tm' if node == TM else rm_name(node)  # type: ignore[arg-type]
        seq = self.seq.get(name, 0)
        self.seq[name] = seq + 1
        if node == TM:
            observed = {'tmState': state.tm_state, 'tmPrepared': frozenset(rm_name(r) for r in state.prepared)}
        else:
            observed = {'rmState': itf.ItfMap({name: state.rm_state})}
        event = {
            'node': name,
            'time': str(time.monotonic_ns()),
            'seq': seq,
            'action': action,
            'picks': {} if rm is None else {'rm': rm_name(rm)},
            'observed': {k: itf.encode(v) for k, v in observed.items()},
        }
        self._write(event)

    def _write(self, line: dict) -> None:
        self.out.write(json.dumps(line, separators=(',', ':')) + '\n')
        self.out.flush()
