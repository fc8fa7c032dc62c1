#!/usr/bin/env python3
"""A run of the Python two-phase commit on its own, without protocheck: a seeded random
scheduler offers the nodes one event at a time (a local decision, or the delivery of a message
that was sent, possibly again, as networks duplicate) until the transaction is over (the TM
has decided and every RM has committed or aborted), and every step taken is written to an
event log that `protocheck validate two-phase-commit --log FILE` checks against the model.

    python3 run.py --rm 3 --seed 7 --log-events run.ndjson [--bug NAME] [--steps 100] [--abort-rate 0.2]
"""

from __future__ import annotations

import argparse
import random
import sys

from event_log import EventLog
from two_phase_commit import BUGS
from two_phase_commit.cluster import ACTIONS, NotEnabled, TwoPhaseCluster


# The decisions to give up, which a node takes on its own (a timeout, a failed local check).
SPONTANEOUS_ABORTS = ('TMAbort', 'RMChooseToAbort')


def run(rm_count: int, bug, seed: int, max_steps: int, abort_rate: float, log: EventLog) -> int:
    """Take random enabled steps until the transaction is over; returns how many were taken.
    Each round offers the spontaneous aborts only with probability abort_rate (or when nothing
    else can happen), so that runs commit too."""
    rng = random.Random(seed)
    cluster = TwoPhaseCluster(rm_count, bug, listener=log)
    events = [(action, rm) for action, picks in ACTIONS.items() for rm in (range(rm_count) if picks else [None])]
    taken = 0
    while taken < max_steps and not over(cluster):
        rng.shuffle(events)
        offered = events if rng.random() < abort_rate else [e for e in events if e[0] not in SPONTANEOUS_ABORTS]
        if not take_one(cluster, offered) and (offered is events or not take_one(cluster, events)):
            return taken  # no node can take any event
        taken += 1
    return taken


def take_one(cluster: TwoPhaseCluster, offered) -> bool:
    """Offer the events in order until a node takes one."""
    for action, rm in offered:
        try:
            cluster.apply(action, rm)
            return True
        except NotEnabled:
            continue
    return False


def over(cluster: TwoPhaseCluster) -> bool:
    return cluster.tm.tm_state != 'init' and all(r.rm_state in ('committed', 'aborted') for r in cluster.rms)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description='a random run of the Python two-phase commit, logged for protocheck validate')
    parser.add_argument('--rm', type=int, default=3, help='resource managers (default 3)')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--steps', type=int, default=100, help='most steps to take (default 100); the run also ends when no node can take a step')
    parser.add_argument('--abort-rate', type=float, default=0.2, help='chance that a round offers the spontaneous aborts (TMAbort, RMChooseToAbort); default 0.2')
    parser.add_argument('--bug', choices=sorted(BUGS), help="build with one of the model's bug switches")
    parser.add_argument('--log-events', required=True, metavar='FILE', help='where to write the event log (NDJSON)')
    args = parser.parse_args(argv)
    with open(args.log_events, 'w', encoding='utf-8') as out:
        taken = run(args.rm, args.bug, args.seed, args.steps, args.abort_rate, EventLog(out, args.rm, args.bug))
    print(f'run.py: {taken} steps taken by rm={args.rm} bug={args.bug} seed={args.seed}, logged in {args.log_events}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
