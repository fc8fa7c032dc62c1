// The "done when": a violation found by `check --bug` goes through `--out`, then
// `show`, then `show --html`, and the page carries the very trace that was written.

import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runCli, runCliJson } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'protocheck-roundtrip-'))

/** The JSON inside a <script type="application/json" id="..."> of the page. */
function embedded(html: string, id: string): unknown {
  const match = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's').exec(html)
  assert.ok(match, `the page embeds #${id}`)
  return JSON.parse(match![1])
}

for (const bug of ['commit-on-any-prepared', 'abort-after-prepare', 'commit-after-abort']) {
  test(`check two-phase-commit --bug ${bug} --out -> show -> show --html`, () => {
    const traceFile = join(dir, `${bug}.itf.json`)
    const { code, report } = runCliJson(['check', 'two-phase-commit', '--bug', bug, '--out', traceFile])
    assert.is(code, 1)
    assert.is(report.traceFile, traceFile)
    const written = JSON.parse(readFileSync(traceFile, 'utf8'))
    assert.is(written.states.length, report.traceLength)
    assert.is(written['#meta'].property, 'TCConsistent')
    assert.is(written['#meta'].bug, bug)

    const shown = runCli(['show', traceFile])
    assert.is(shown.code, 0, shown.stderr)
    const blocks = shown.stdout.match(/^ {0,2}\d+ [A-Za-z]+/gm)!
    assert.is(blocks.length, report.traceLength, 'one block per state')
    assert.match(shown.stdout, new RegExp(`TCConsistent is violated in state ${report.traceLength - 1}\\n$`))

    const page = join(dir, `${bug}.html`)
    const html = runCli(['show', traceFile, '--html', page])
    assert.is(html.code, 0, html.stderr)
    assert.match(html.stdout, new RegExp(`wrote the HTML viewer of .*${bug}\\.itf\\.json \\(${report.traceLength} states\\) to `))
    const text = readFileSync(page, 'utf8')
    assert.equal(embedded(text, 'trace'), written)
    const view = embedded(text, 'view') as any
    assert.is(view.steps.length, report.traceLength)
    assert.is(view.verdict, `TCConsistent is violated in state ${report.traceLength - 1}`)
    // Self-contained: nothing is fetched when the page is opened.
    assert.not.match(text, /<(script|link|img|iframe)[^>]+(src|href)=/i)
    assert.not.match(text, /https?:\/\/(?!apalache-mc\.org\/docs\/adr\/015adr-trace\.html|www\.w3\.org\/2000\/svg)/)
  })
}

test('check --out on a safe run writes nothing and says so', () => {
  const traceFile = join(dir, 'safe.itf.json')
  const r = runCli(['check', 'two-phase-commit', '--out', traceFile])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /no trace written to .*safe\.itf\.json: the result is safe, there is no counterexample/)
  assert.not.ok(existsSync(traceFile))
  const json = runCliJson(['check', 'two-phase-commit', '--out', traceFile])
  assert.is(json.report.result, 'safe')
  assert.is(json.report.traceFile, null)
  assert.not.ok(existsSync(traceFile))
})

test('show --html into a folder that does not exist: one line, exit 2', () => {
  const traceFile = join(dir, 'commit-on-any-prepared.itf.json')
  const r = runCli(['show', traceFile, '--html', join(dir, 'no', 'such', 'dir', 'out.html')])
  assert.is(r.code, 2)
  assert.match(r.stderr, /^protocheck: cannot write .*out\.html: its folder does not exist\n$/)
})

test.run()
