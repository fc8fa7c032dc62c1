"""Unit tests of the Python cores, the ITF codec and the driver's request handling.

    cd examples/two-phase-commit-python && python3 -m unittest
"""

from __future__ import annotations

import contextlib
import io
import json
import unittest

import os
import tempfile

import itf
import run
from driver import Driver, serve
from event_log import EventLog
from mutants import MUTANTS
from two_phase_commit import (
    ABORT, COMMIT, TM, ChooseToAbort, DecideAbort, DecideCommit, Prepare, Prepared, Receive, Refused,
    RmConfig, Send, SentMessages, Taken, TmConfig, TmState, initial_rm, initial_tm, step_rm, step_tm,
)
from two_phase_commit.cluster import ACTIONS, NotEnabled, TwoPhaseCluster


class TransactionManagerTest(unittest.TestCase):
    def test_commits_only_when_every_rm_is_prepared(self):
        config = TmConfig(rm_count=2)
        self.assertIsInstance(step_tm(config, TmState(prepared=(0,)), DecideCommit()), Refused)
        t = step_tm(config, TmState(prepared=(0, 1)), DecideCommit())
        self.assertEqual(t, Taken(TmState('committed', (0, 1)), (Send(0, COMMIT), Send(1, COMMIT))))

    def test_commit_on_any_prepared_commits_after_one(self):
        config = TmConfig(rm_count=3, bug='commit-on-any-prepared')
        self.assertIsInstance(step_tm(config, initial_tm, DecideCommit()), Refused)
        self.assertEqual(step_tm(config, TmState(prepared=(1,)), DecideCommit()).state.tm_state, 'committed')

    def test_decides_once_unless_commit_after_abort(self):
        aborted = TmState('aborted', (0,))
        self.assertIsInstance(step_tm(TmConfig(1), aborted, DecideCommit()), Refused)
        self.assertIsInstance(step_tm(TmConfig(1), aborted, DecideAbort()), Refused)
        self.assertEqual(step_tm(TmConfig(1, 'commit-after-abort'), aborted, DecideCommit()).state.tm_state, 'committed')

    def test_abort_broadcasts_to_every_rm(self):
        t = step_tm(TmConfig(3), initial_tm, DecideAbort())
        self.assertEqual(t.effects, tuple(Send(rm, ABORT) for rm in range(3)))

    def test_records_prepared_once_in_order(self):
        state = initial_tm
        for rm in (2, 0, 2):
            state = step_tm(TmConfig(3), state, Receive(Prepared(rm))).state
        self.assertEqual(state.prepared, (0, 2))
        self.assertIsInstance(step_tm(TmConfig(3), TmState('aborted'), Receive(Prepared(0))), Refused)
        self.assertIsInstance(step_tm(TmConfig(3), initial_tm, Receive(COMMIT)), Refused)


class ResourceManagerTest(unittest.TestCase):
    def test_prepare_tells_the_tm(self):
        t = step_rm(RmConfig(), initial_rm(1), Prepare())
        self.assertEqual(t, Taken(initial_rm(1).__class__(1, 'prepared'), (Send(TM, Prepared(1)),)))
        self.assertIsInstance(step_rm(RmConfig(), t.state, Prepare()), Refused)

    def test_aborts_on_its_own_only_while_working_unless_abort_after_prepare(self):
        prepared = step_rm(RmConfig(), initial_rm(0), Prepare()).state
        self.assertEqual(step_rm(RmConfig(), initial_rm(0), ChooseToAbort()).state.rm_state, 'aborted')
        self.assertIsInstance(step_rm(RmConfig(), prepared, ChooseToAbort()), Refused)
        self.assertEqual(step_rm(RmConfig('abort-after-prepare'), prepared, ChooseToAbort()).state.rm_state, 'aborted')

    def test_applies_the_decision(self):
        self.assertEqual(step_rm(RmConfig(), initial_rm(0), Receive(COMMIT)).state.rm_state, 'committed')
        self.assertEqual(step_rm(RmConfig(), initial_rm(0), Receive(ABORT)).state.rm_state, 'aborted')
        self.assertIsInstance(step_rm(RmConfig(), initial_rm(0), Receive(Prepared(0))), Refused)


class ClusterTest(unittest.TestCase):
    def test_a_node_receives_only_what_was_sent_to_it(self):
        cluster = TwoPhaseCluster(2, None)
        with self.assertRaisesRegex(NotEnabled, 'no Prepared message was sent to the TM'):
            cluster.apply('TMRcvPrepared', 0)
        cluster.apply('RMPrepare', 0)
        cluster.apply('TMRcvPrepared', 0)
        cluster.apply('TMRcvPrepared', 0)  # msgs keeps every message: it can be received again
        self.assertEqual(cluster.tm.prepared, (0,))
        with self.assertRaisesRegex(NotEnabled, 'no Commit message was sent to rm2'):
            cluster.apply('RMRcvCommitMsg', 1)

    def test_network_keeps_distinct_messages_in_order_sent(self):
        network = SentMessages()
        network.record((Send(TM, Prepared(1)), Send(0, ABORT), Send(1, ABORT), Send(TM, Prepared(1))))
        self.assertEqual(network.messages(), [Prepared(1), ABORT])
        self.assertTrue(network.was_sent_to(1, ABORT))
        self.assertFalse(network.was_sent_to(TM, ABORT))


class ItfTest(unittest.TestCase):
    def test_round_trip(self):
        value = {
            'rmState': {'#map': [['rm1', 'working'], ['rm2', 'prepared']]},
            # Set elements in canonical order (by their JSON with sorted keys), as encode writes them.
            'msgs': {'#set': [{'rm': 'rm1', 'type': 'Prepared'}, {'type': 'Commit'}]},
            'pair': {'#tup': [1, 'a']},
            'log': [1, 2],
            'big': {'#bigint': '9007199254740993'},
        }
        decoded = itf.decode(value)
        self.assertEqual(decoded['big'], 2 ** 53 + 1)
        self.assertIn(itf.Record(type='Commit'), decoded['msgs'])
        self.assertEqual(itf.encode(decoded), value)
        self.assertEqual(itf.decode({'#bigint': '5'}), 5)
        with self.assertRaises(itf.ItfError):
            itf.decode({'#unserializable': 'x'})


def start_request(rm=3, bug=None, **extra):
    request = {
        'id': 1, 'method': 'start', 'protocol': 'protocheck-driver', 'version': 1, 'model': 'two-phase-commit',
        'params': {'rm': rm}, 'bug': bug, 'variables': ['rmState', 'tmState', 'tmPrepared', 'msgs'],
        'actions': {name: list(picks) for name, picks in ACTIONS.items()},
    }
    request.update(extra)
    return request


class DriverTest(unittest.TestCase):
    def converse(self, requests, driver=None):
        out = io.StringIO()
        status = serve(driver or Driver(), io.StringIO(''.join(json.dumps(r) + '\n' for r in requests)), out)
        return status, [json.loads(line) for line in out.getvalue().splitlines()]

    def test_a_run(self):
        status, answers = self.converse([
            start_request(rm=2, bug='commit-on-any-prepared'),
            {'id': 2, 'method': 'apply', 'action': 'RMPrepare', 'picks': {'rm': 'rm2'}},
            {'id': 3, 'method': 'apply', 'action': 'RMPrepare', 'picks': {'rm': 'rm2'}},
            {'id': 4, 'method': 'observe'},
            {'id': 5, 'method': 'reset'},
            {'id': 6, 'method': 'observe'},
            {'id': 7, 'method': 'stop'},
            {'id': 8, 'method': 'observe'},  # never read: the driver has exited
        ])
        self.assertEqual(status, 0)
        self.assertEqual([a['id'] for a in answers], [1, 2, 3, 4, 5, 6, 7])
        self.assertEqual(answers[0], {'id': 1, 'result': 'started', 'version': 1})
        self.assertEqual(answers[1], {'id': 2, 'result': 'taken'})
        self.assertEqual(answers[2], {'id': 3, 'result': 'refused', 'reason': 'RM 1 is prepared, not working'})
        self.assertEqual(answers[3]['state'], {
            'rmState': {'#map': [['rm1', 'working'], ['rm2', 'prepared']]},
            'tmState': 'init',
            'tmPrepared': {'#set': []},
            'msgs': {'#set': [{'type': 'Prepared', 'rm': 'rm2'}]},
        })
        self.assertEqual(answers[5]['state']['rmState'], {'#map': [['rm1', 'working'], ['rm2', 'working']]})
        self.assertEqual(answers[6], {'id': 7, 'result': 'ok'})

    def test_errors_for_what_it_cannot_handle(self):
        status, answers = self.converse([
            {'id': 1, 'method': 'observe'},
            start_request(model='raft'),
            start_request(bug='no-such-bug'),
            start_request(variables=['rmState', 'votes']),
            start_request(),
            {'id': 2, 'method': 'apply', 'action': 'Elect', 'picks': {}},
            {'id': 3, 'method': 'apply', 'action': 'RMPrepare', 'picks': {'rm': 'rm4'}},
            {'id': 4, 'method': 'fly'},
        ])
        self.assertEqual(status, 0, 'the end of input ends the driver')
        self.assertEqual([a['result'] for a in answers], ['error', 'error', 'error', 'error', 'started', 'error', 'error', 'error'])
        self.assertIn('votes', answers[3]['message'])
        self.assertIn('rm4', answers[6]['message'])

    def test_a_line_that_is_not_json_ends_the_driver(self):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(serve(Driver(), io.StringIO('{"id": 1, "meth\n'), out), 2)
        self.assertEqual(out.getvalue(), '')
        self.assertIn('request is not JSON', err.getvalue())

    def test_mutants_differ_from_the_cores(self):
        cores, _ = MUTANTS['forgetful-abort']
        cluster = TwoPhaseCluster(3, None, cores)
        cluster.apply('TMAbort')
        cluster.apply('RMRcvAbortMsg', 1)
        with self.assertRaises(NotEnabled):
            cluster.apply('RMRcvAbortMsg', 2)


class EventLogTest(unittest.TestCase):
    def test_a_run_logs_a_header_then_each_step_with_the_nodes_own_variables(self):
        out = io.StringIO()
        taken = run.run(2, None, seed=5, max_steps=100, abort_rate=0.2, log=EventLog(out, 2, None))
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        header, events = lines[0], lines[1:]
        self.assertEqual({k: header[k] for k in ('format', 'version', 'model', 'params', 'bug', 'unlogged', 'nodes')}, {
            'format': 'protocheck-event-log', 'version': 1, 'model': 'two-phase-commit', 'params': {'rm': 2},
            'bug': None, 'unlogged': [], 'nodes': ['tm', 'rm1', 'rm2'],
        })
        self.assertEqual(len(events), taken)
        self.assertTrue(all(e['action'] in ACTIONS for e in events))
        for node in header['nodes']:
            self.assertEqual([e['seq'] for e in events if e['node'] == node], list(range(sum(e['node'] == node for e in events))))
        times = [int(e['time']) for e in events]
        self.assertEqual(times, sorted(times))
        prepare = next(e for e in events if e['action'] == 'RMPrepare')
        rm = prepare['picks']['rm']
        self.assertEqual(prepare['node'], rm)
        self.assertEqual(prepare['observed'], {'rmState': {'#map': [[rm, 'prepared']]}})
        decision = next(e for e in events if e['action'] in ('TMCommit', 'TMAbort'))
        self.assertEqual(set(decision['observed']), {'tmState', 'tmPrepared'})
        # The run ends when the transaction is over: the TM decided, every RM committed or aborted.
        final = {}
        for e in events:
            if e['node'] != 'tm':
                final[e['node']] = e['observed']['rmState']['#map'][0][1]
        self.assertEqual(set(final), {'rm1', 'rm2'})
        self.assertTrue(set(final.values()) <= {'committed', 'aborted'})

    def test_the_driver_logs_the_run_since_the_last_start_or_reset(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, 'run.ndjson')
            serve(Driver(log_events=path), io.StringIO(''.join(json.dumps(r) + '\n' for r in [
                start_request(rm=2),
                {'id': 2, 'method': 'apply', 'action': 'RMPrepare', 'picks': {'rm': 'rm1'}},
                {'id': 3, 'method': 'reset'},
                {'id': 4, 'method': 'apply', 'action': 'TMAbort', 'picks': {}},
                {'id': 5, 'method': 'apply', 'action': 'TMAbort', 'picks': {}},  # refused: not logged
                {'id': 6, 'method': 'stop'},
            ])), io.StringIO())
            with open(path, encoding='utf-8') as f:
                lines = [json.loads(line) for line in f]
        self.assertEqual(lines[0]['format'], 'protocheck-event-log')
        self.assertEqual([(e['node'], e['action'], e['observed']) for e in lines[1:]], [('tm', 'TMAbort', {'tmState': 'aborted', 'tmPrepared': {'#set': []}})])


if __name__ == '__main__':
    unittest.main()
