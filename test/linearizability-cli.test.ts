// `protocheck linearizable` as a user runs it: exit 0, 1 (with the key, the failing set and an
// HTML page) and 2 (one line, no stack) for each kind of bad input; --json prints one report;
// the output path is checked before the history is even read; the verdict is printed even
// when the page cannot be written.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { InputError } from '../checker/errors.js'
import { checkLinearizable, readHistoryFile } from '../index.js'
import type { ModelName } from '../linearizability/models.js'
import { runCli, runCliJson } from './helpers/cli.js'
import { events } from './helpers/history.js'

const dir = mkdtempSync(join(tmpdir(), 'protocheck-linearizable-'))
const file = (name: string, content: unknown) => {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

// Two keys; on "b" a read returns null after a write of 1 completed: not linearizable.
const staleRead = events(
  '0 invoke write a 1', '0 ok write a 1', '1 invoke read a', '1 ok read a 1',
  '0 invoke write b 1', '0 ok write b 1', '1 invoke read b', '1 ok read b null',
)
const fine = events('0 invoke write a 1', '1 invoke read a', '0 ok write a 1', '1 ok read a 1')

test('linearizable: exit 0, one line, no page written', () => {
  const history = file('fine.json', fine)
  const r = runCli(['linearizable', history, '--model', 'kv'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^linearizable: 2 operations over 1 key \(2 processes, model kv\), [\d.]+ s\n$/)
  assert.not.ok(existsSync(join(dir, 'fine.linearizability.html')))
  const json = runCliJson(['linearizable', history, '--model', 'kv'])
  assert.is(json.code, 0)
  assert.equal({ ...json.report, seconds: 0 }, {
    history, model: 'kv', result: 'linearizable', operations: 2, searched: 2, keys: 1, processes: 2, failedKeys: [], undecidedKeys: [],
    key: null, failingOperations: null, minimal: null, configurations: json.report.configurations, seconds: 0, viewFile: null, viewError: null,
  })
})

test('not linearizable: exit 1, the key and the failing operations, the page at its default name', () => {
  const history = file('stale.json', staleRead)
  const r = runCli(['linearizable', history, '--model', 'kv'])
  assert.is(r.code, 1, r.stderr)
  const lines = r.stdout.trimEnd().split('\n')
  assert.is(lines[0], 'not linearizable: key "b": these 2 operations cannot be ordered, and each of them is needed:')
  assert.match(lines[1], /^ {2}process 0 +write 1 +events 4-5 \(time 40-50\)$/)
  assert.match(lines[2], /^ {2}process 1 +read -> null +events 6-7 \(time 60-70\)$/)
  const page = join(dir, 'stale.linearizability.html')
  assert.is(lines.at(-1), `HTML view written to ${page}`)
  assert.match(readFileSync(page, 'utf8'), /not linearizable: key &#34;b&#34;/)
})

test('--json: one report naming the key, the failing operations and the page', () => {
  const history = file('stale-json.json', staleRead)
  const out = join(dir, 'view.html')
  const { code, report } = runCliJson(['linearizable', history, '--model', 'kv', '--out', out])
  assert.is(code, 1)
  assert.is(report.result, 'not-linearizable')
  assert.is(report.key, 'b')
  assert.equal(report.failedKeys, ['b'])
  assert.equal(report.failingOperations, [
    { process: 0, f: 'write', key: 'b', value: 1, status: 'ok', invokeIndex: 4, completeIndex: 5, invokeTime: 40, completeTime: 50 },
    { process: 1, f: 'read', key: 'b', value: null, output: null, status: 'ok', invokeIndex: 6, completeIndex: 7, invokeTime: 60, completeTime: 70 },
  ])
  assert.is(report.minimal, true)
  assert.is(report.viewFile, out)
  assert.ok(existsSync(out))
})

test('the verdict is printed even if the page cannot be written', () => {
  const history = file('stale-long.json', staleRead)
  // A name the file system takes, but not with the temporary suffix the page is written under first.
  const out = join(dir, 'v'.repeat(245) + '.html')
  const json = runCliJson(['linearizable', history, '--model', 'kv', '--out', out])
  assert.is(json.code, 1)
  assert.is(json.report.result, 'not-linearizable')
  assert.is(json.report.key, 'b')
  assert.is(json.report.viewFile, null)
  assert.match(json.stderr, /^protocheck: cannot write .*v{245}\.html: ENAMETOOLONG\n$/)
  assert.match(json.report.viewError, /ENAMETOOLONG/)
})

test('--time: a key left undecided is exit 3, named', () => {
  // Twenty crashed writes of 1..20, then reads of 1..20 and 1 again: refuting it takes about
  // 2^20 sets (test/linearizability.test.ts), far more than 0.3 s.
  const crashed = Array.from({ length: 20 }, (_, p) => `${p} invoke write x ${p + 1}`)
  const reads = [...Array.from({ length: 20 }, (_, i) => i + 1), 1].flatMap((v) => ['99 invoke read x', `99 ok read x ${v}`])
  const r = runCli(['linearizable', file('slow.json', events(...crashed, ...reads)), '--model', 'kv', '--time', '0.3'])
  assert.is(r.code, 3, r.stderr)
  assert.match(r.stdout, /^unknown: the time limit ran out before 1 key\(s\) were decided \("x"\)/)
})

/** The one-line message a history gets, read and checked in process (what the CLI prints after "protocheck: "). */
function problem(path: string, model: ModelName): string {
  try {
    checkLinearizable(readHistoryFile(path), { model })
  } catch (e) {
    if (e instanceof InputError) return e.message
    throw e
  }
  return 'no problem'
}

test('bad histories: one line naming the problem', () => {
  const cases: [string, ModelName, RegExp][] = [
    [join(dir, 'missing.json'), 'kv', /cannot read .*missing\.json: no such file/],
    [file('not-json.json', '[{"process": 0,'), 'kv', /not-json\.json is not JSON/],
    [file('object.json', { events: [] }), 'kv', /a history is a JSON array of events, not an object/],
    [file('orphan.json', [{ process: 3, type: 'ok', f: 'read', value: 1 }]), 'kv', /event 0 \(process 3, ok read\): a completion without an invoke/],
    [file('two-open.json', events('0 invoke write x 1', '0 invoke read x')), 'kv', /event 1 .*process 0 already has an open invoke \(event 0, write\)/],
    [file('unknown-f.json', [{ process: 0, type: 'invoke', f: 'append', key: 'x', value: 1 }]), 'kv', /event 0: unknown f "append": read, write or cas/],
    [file('bad-type.json', [{ process: 0, type: 'done', f: 'read' }]), 'kv', /event 0: "type" must be invoke, ok, fail or info \(got "done"\)/],
    [file('no-process.json', [{ type: 'invoke', f: 'read' }]), 'kv', /event 0: missing "process"/],
    [file('cas-scalar.json', events('0 invoke cas x 3')), 'kv', /event 0 .*a cas value must be a pair \[old, new\], got 3/],
    [file('cas-triple.json', events('0 invoke cas x [1,2,3]')), 'kv', /a cas value must be a pair \[old, new\], got \[1,2,3\]/],
    [file('write-no-value.json', [{ process: 0, type: 'invoke', f: 'write', key: 'x' }]), 'kv', /a write needs a "value"/],
    [file('mismatch.json', events('0 invoke write x 1', '0 ok read x 1')), 'kv', /completes a write \(invoked at event 0\) as a read/],
    [file('other-value.json', events('0 invoke write x 1', '0 ok write x 2')), 'kv', /value 2 differs from its invoke's 1/],
    [file('backwards.json', [{ process: 0, type: 'invoke', f: 'read', time: 5 }, { process: 0, type: 'ok', f: 'read', value: null, time: 4 }]), 'kv', /time 4 is before event 0's time 5/],
    [file('cas-on-register.json', events('0 invoke cas - [null,1]', '0 ok cas - [null,1]')), 'register', /the register model has no cas/],
    [file('keys-on-register.json', staleRead), 'register', /the history has 2 keys \("a", "b"\); --model register is one register: use --model kv/],
  ]
  for (const [path, model, message] of cases) {
    const text = problem(path, model)
    assert.match(text, message, path)
    assert.not.match(text, /\n/, path)
  }
})

test('bad input on the command line: exit 2, one line, nothing on stdout; the output path is checked first', () => {
  mkdirSync(join(dir, 'a-folder'), { recursive: true })
  const good = file('good.json', fine)
  const cases: [string[], RegExp][] = [
    [[good, '--model', 'queue'], /^protocheck: unknown model 'queue': register, cas-register or kv$/],
    [[file('cas-pair.json', events('0 invoke cas x 3')), '--model', 'kv', '--out', join(dir, 'a-folder')], /^protocheck: --out .*a-folder: cannot write there \(it is a folder\)$/],
    [[good], /^protocheck: Missing required argument: model$/],
    // A bad output path is reported before the (also bad) history is read.
    [[join(dir, 'missing.json'), '--model', 'kv', '--out', join(dir, 'no-such-folder', 'x.html')], /^protocheck: --out .*x\.html: cannot write there \(no folder .*no-such-folder\)$/],
  ]
  for (const [args, message] of cases) {
    const r = runCli(['linearizable', ...args])
    const what = args.join(' ')
    assert.is(r.code, 2, `${what}: exit ${r.code}\n${r.stdout}${r.stderr}`)
    assert.is(r.stdout, '', what)
    assert.is(r.stderr.split('\n').length, 2, `${what}: one line:\n${r.stderr}`)
    assert.match(r.stderr.trimEnd(), message, what)
  }
})

test('Jepsen nemesis events are skipped; an invoke never completed counts as info', () => {
  const r = checkLinearizable([
    { process: 'nemesis', type: 'info', f: 'start-partition', value: null },
    ...events('0 invoke write x 1', '1 invoke read x', '1 ok read x 1'),
    { process: 'nemesis', type: 'info', f: 'stop-partition', value: 'healed' },
  ], { model: 'kv' })
  assert.is(r.result, 'linearizable')
  assert.is(r.operations, 2)
})

test.run()
