"""Deliberately wrong cores, for tests only: `driver.py --mutant NAME` runs one of them, so that a
test can show that protocheck's conformance catches it. Each changes one rule; the model is
unchanged. Never used without --mutant.
"""

from __future__ import annotations

from dataclasses import replace

from two_phase_commit import Abort, Commit, Receive, Taken, step_rm, step_tm
from two_phase_commit.cluster import Cores


def forgetful_tm(config, state, event):
    """The TM's Abort broadcast skips the last RM (that RM can never receive Abort)."""
    t = step_tm(config, state, event)
    if not isinstance(t, Taken) or not any(isinstance(send.message, Abort) for send in t.effects):
        return t
    return replace(t, effects=tuple(send for send in t.effects if send.to != config.rm_count - 1))


def confused_rm(config, state, event):
    """An RM records Commit as aborted: it takes the step but lands in the wrong state."""
    if isinstance(event, Receive) and isinstance(event.message, Commit):
        return step_rm(config, state, Receive(Abort()))
    return step_rm(config, state, event)


def permissive_rm(config, state, event):
    """An RM may abort on its own after preparing: it takes a step the model forbids."""
    return step_rm(replace(config, bug='abort-after-prepare'), state, event)


MUTANTS = {
    'forgetful-abort': (Cores(step_tm=forgetful_tm), forgetful_tm.__doc__),
    'commit-as-abort': (Cores(step_rm=confused_rm), confused_rm.__doc__),
    'abort-after-prepare': (Cores(step_rm=permissive_rm), permissive_rm.__doc__),
}
