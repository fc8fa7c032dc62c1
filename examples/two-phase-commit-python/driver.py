#!/usr/bin/env python3
"""protocheck driver (protocol version 1, docs/driver-protocol.md) for the Python two-phase commit.

protocheck starts this once per run and writes one JSON request per line on stdin; each gets
exactly one JSON line in answer on stdout. Diagnostics go to stderr. It exits after answering
stop, or when stdin closes.

    protocheck conform two-phase-commit --driver-cmd "python3 driver.py"
    protocheck replay cex.itf.json --driver-cmd "python3 driver.py"

Options: --log-events FILE writes the steps the implementation takes as an event log for
`protocheck validate` (event_log.py); each start and reset begins the file anew, so it holds
the last run (for replay, the trace's). --mutant NAME (for tests only) runs a deliberately
wrong core (see mutants.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable, Optional

import itf
from event_log import EventLog
from two_phase_commit import BUGS
from two_phase_commit.cluster import ACTIONS, Cores, NotEnabled, TwoPhaseCluster

PROTOCOL = 'protocheck-driver'
VERSION = 1
MODEL = 'two-phase-commit'
VARIABLES = ('rmState', 'tmState', 'tmPrepared', 'msgs')


class DriverError(Exception):
    """A request this driver cannot handle: answered with result "error" (not a divergence)."""


def rm_name(rm: int) -> str:
    """The model's name of resource manager index rm (node ids of role rm are rm1, rm2, ...)."""
    return f'rm{rm + 1}'


def rm_index(name: Any, rm_count: int) -> int:
    if isinstance(name, str) and name.startswith('rm') and name[2:].isdigit():
        rm = int(name[2:]) - 1
        if 0 <= rm < rm_count:
            return rm
    raise DriverError(f'pick rm={json.dumps(name)} is not a resource manager of {rm_count} (rm1..rm{rm_count})')


def observation(cluster: TwoPhaseCluster) -> dict[str, Any]:
    """The cluster's state as the model's variables, as Python values that itf.encode writes."""
    def message(m) -> itf.Record:
        return itf.Record(type=m.type, rm=rm_name(m.rm)) if m.type == 'Prepared' else itf.Record(type=m.type)

    return {
        'rmState': itf.ItfMap((rm_name(r.rm), r.rm_state) for r in cluster.rms),
        'tmState': cluster.tm.tm_state,
        'tmPrepared': frozenset(rm_name(rm) for rm in cluster.tm.prepared),
        'msgs': frozenset(message(m) for m in cluster.network.messages()),
    }


class Driver:
    def __init__(self, cores: Cores = Cores(), log_events: Optional[str] = None) -> None:
        self.cores = cores
        self.log_events = log_events
        self.cluster: Optional[TwoPhaseCluster] = None

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """One request, one answer (without its id)."""
        method = request.get('method')
        handler: Optional[Callable[[dict[str, Any]], dict[str, Any]]] = {
            'start': self.start,
            'reset': self.reset,
            'apply': self.apply,
            'observe': self.observe,
            'stop': self.stop,
        }.get(method)  # type: ignore[arg-type]
        if handler is None:
            return {'result': 'error', 'message': f'unknown method {json.dumps(method)}'}
        try:
            return handler(request)
        except NotEnabled as refusal:
            return {'result': 'refused', 'reason': str(refusal)}
        except (DriverError, itf.ItfError, ValueError) as e:
            return {'result': 'error', 'message': str(e)}

    def start(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get('protocol') != PROTOCOL:
            raise DriverError(f'expected protocol {PROTOCOL!r}, got {request.get("protocol")!r}')
        if request.get('model') != MODEL:
            raise DriverError(f'this driver runs {MODEL}, not {request.get("model")!r}')
        params = request.get('params') or {}
        rm_count = params.get('rm')
        if isinstance(rm_count, float) and rm_count.is_integer():
            rm_count = int(rm_count)
        if not isinstance(rm_count, int) or isinstance(rm_count, bool) or rm_count < 1:
            raise DriverError(f'param rm must be a positive integer, got {json.dumps(rm_count)}')
        unknown_params = sorted(set(params) - {'rm'})
        if unknown_params:
            raise DriverError(f'unknown params: {", ".join(unknown_params)}')
        bug = request.get('bug')
        if bug is not None and bug not in BUGS:
            raise DriverError(f'unknown bug {bug!r} (this implementation has: {", ".join(BUGS)})')
        missing = [v for v in request.get('variables', []) if v not in VARIABLES]
        if missing:
            raise DriverError(f'cannot observe variables: {", ".join(missing)}')
        for action, picks in (request.get('actions') or {}).items():
            if action not in ACTIONS:
                raise DriverError(f'cannot take action {action}')
            if tuple(picks) != ACTIONS[action]:
                raise DriverError(f'action {action} has picks {picks}, this driver expects {list(ACTIONS[action])}')
        self.rm_count = rm_count
        self.bug = bug
        self.cluster = self._fresh_cluster()
        return {'result': 'started', 'version': VERSION}

    def reset(self, request: dict[str, Any]) -> dict[str, Any]:
        self._started()
        self.cluster = self._fresh_cluster()
        return {'result': 'ok'}

    def _fresh_cluster(self) -> TwoPhaseCluster:
        listener = None
        if self.log_events:
            self._close_log()
            self._log_file = open(self.log_events, 'w', encoding='utf-8')  # one run per log: begin anew
            listener = EventLog(self._log_file, self.rm_count, self.bug, 'a run of the Python two-phase commit driven by protocheck (driver.py)')
        return TwoPhaseCluster(self.rm_count, self.bug, self.cores, listener)

    def _close_log(self) -> None:
        if getattr(self, '_log_file', None) is not None:
            self._log_file.close()
            self._log_file = None

    def apply(self, request: dict[str, Any]) -> dict[str, Any]:
        cluster = self._started()
        action = request.get('action')
        if action not in ACTIONS:
            raise DriverError(f'two-phase-commit has no action {json.dumps(action)}')
        picks = request.get('picks') or {}
        if sorted(picks) != sorted(ACTIONS[action]):
            raise DriverError(f'{action} takes picks {list(ACTIONS[action])}, got {sorted(picks)}')
        rm = rm_index(itf.decode(picks['rm']), cluster.rm_count) if 'rm' in picks else None
        cluster.apply(action, rm)
        return {'result': 'taken'}

    def observe(self, request: dict[str, Any]) -> dict[str, Any]:
        cluster = self._started()
        return {'result': 'state', 'state': {k: itf.encode(v) for k, v in observation(cluster).items()}}

    def stop(self, request: dict[str, Any]) -> dict[str, Any]:
        self.cluster = None
        self._close_log()
        return {'result': 'ok'}

    def _started(self) -> TwoPhaseCluster:
        if self.cluster is None:
            raise DriverError('no cluster: start first')
        return self.cluster


def serve(driver: Driver, lines, out) -> int:
    """Answer requests until stop or the end of input; returns the exit status."""
    for line in iter(lines.readline, ''):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as e:
            # Without a request there is no id to answer with: say why on stderr and exit,
            # which protocheck reports as a driver failure.
            print(f'driver.py: request is not JSON ({e}): {line.strip()[:200]}', file=sys.stderr)
            return 2
        request_id = request.get('id') if isinstance(request, dict) else None
        if not isinstance(request_id, int) or isinstance(request_id, bool):
            print(f'driver.py: request has no integer id: {line.strip()[:200]}', file=sys.stderr)
            return 2
        answer = {'id': request_id, **driver.handle(request)}
        out.write(json.dumps(answer, separators=(',', ':')) + '\n')
        out.flush()
        if request.get('method') == 'stop':
            return 0
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description='protocheck driver (JSON lines, protocol version 1) for two-phase commit in Python')
    parser.add_argument('--log-events', metavar='FILE', help='write the steps taken since the last start or reset as an event log for protocheck validate')
    parser.add_argument('--mutant', help='for tests only: run a deliberately wrong core (see mutants.py)')
    args = parser.parse_args(argv)
    cores = Cores()
    if args.mutant:
        from mutants import MUTANTS
        if args.mutant not in MUTANTS:
            parser.error(f'unknown mutant {args.mutant!r} (mutants: {", ".join(MUTANTS)})')
        cores, description = MUTANTS[args.mutant]
        print(f'driver.py: mutant {args.mutant}: {description}', file=sys.stderr)
    try:
        return serve(Driver(cores, args.log_events), sys.stdin, sys.stdout)
    except (BrokenPipeError, KeyboardInterrupt):
        # protocheck went away mid-answer (stopped or killed): nothing left to answer.
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
