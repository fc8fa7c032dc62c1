// The HTML viewer in a real browser: Debian's chromium driven by playwright-core. It loads
// pages written by `show --html` from file:// URLs and checks what a user sees and does:
// lanes, steps, arrows, the selected state with its changed values highlighted, the arrow
// keys, the violated property, and that a 250-step trace is rendered and navigable.

import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { writeTraceFile, type ItfTrace } from '../traces/itf.js'
import { runCli } from './helpers/cli.js'

const CHROMIUM = '/usr/bin/chromium'
const dir = mkdtempSync(join(tmpdir(), 'protocheck-viewer-'))
const quintFixture = (name: string) => fileURLToPath(new URL(`../../traces/fixtures/quint/${name}.itf.json`, import.meta.url))

/** `show --html` as a user runs it; returns the page's path. */
function htmlOf(traceFile: string, name: string): string {
  const out = join(dir, `${name}.html`)
  const r = runCli(['show', traceFile, '--html', out])
  if (r.code !== 0) throw new Error(`show --html ${traceFile} failed (${r.code}): ${r.stderr}`)
  return out
}

/** A token passed round a ring of five nodes, 250 states: sends and receives on a bag of
 * messages, written as ITF by protocheck's writer (so it is schema-checked). */
function tokenRing(states: number): ItfTrace {
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5']
  const trace: ItfTrace = {
    '#meta': { format: 'ITF', 'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html', source: 'test/viewer.test.ts' },
    vars: ['hasToken', 'passes', 'network', 'mbt::actionTaken', 'mbt::nondetPicks'],
    states: [],
  }
  let holder = 0
  let passes = 0
  let inFlight: { type: string; to: string; pass: number } | null = null
  for (let i = 0; i < states; i++) {
    let action = 'init'
    let picks = {}
    if (i > 0 && inFlight === null) {
      action = 'PassToken'
      picks = { node: nodes[holder] }
      inFlight = { type: 'Token', to: nodes[(holder + 1) % nodes.length], pass: ++passes }
      holder = -1
    } else if (i > 0) {
      action = 'ReceiveToken'
      holder = nodes.indexOf(inFlight!.to)
      picks = { node: nodes[holder] }
      inFlight = null
    }
    trace.states.push({
      '#meta': { index: i },
      hasToken: { '#map': nodes.map((n, k) => [n, k === holder]) },
      passes: { '#bigint': String(passes) },
      network: { '#map': inFlight ? [[inFlight, 1]] : [] },
      'mbt::actionTaken': action,
      'mbt::nondetPicks': picks,
    })
  }
  return trace
}

const viewer = suite<{ browser?: Browser }>('viewer')

viewer.before(async (context) => {
  // CI installs Debian's chromium; without it this suite must fail, never pass by skipping.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`)
  context.browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
})

viewer.after(async (context) => {
  await context.browser?.close()
})

/** Open a page and record every request that is not the file itself, and every script error. */
async function open(browser: Browser, file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  const requests: string[] = []
  const errors: string[] = []
  const url = pathToFileURL(file).href
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  await page.goto(url)
  return { page, requests, errors }
}

const selectedIndex = (page: Page) => page.getAttribute('.step.selected', 'data-index').then(Number)
const changedPaths = (page: Page) => page.$$eval('#state tr.changed', (rows) => rows.map((r) => r.getAttribute('data-path')))

viewer('two-phase commit counterexample: lanes, steps, arrows, keys and highlighted changes', async ({ browser }) => {
  const traceFile = join(dir, 'two-phase.itf.json')
  const check = runCli(['check', 'two-phase-commit', '--bug', 'commit-on-any-prepared', '--out', traceFile])
  assert.is(check.code, 1, check.stderr)
  const { page, requests, errors } = await open(browser!, htmlOf(traceFile, 'two-phase'))

  assert.equal(await page.$$eval('.lane-head', (heads) => heads.map((h) => h.textContent)), ['tm', 'rm1', 'rm2', 'rm3'])
  assert.equal(await page.$$eval('#chart line.lane', (lines) => lines.length), 4)
  assert.equal(await page.$$eval('.step .label', (labels) => labels.map((l) => l.textContent)), [
    'init', 'RMPrepare(rm=rm1)', 'TMRcvPrepared(rm=rm1)', 'TMCommit', 'RMRcvCommitMsg(rm=rm1)', 'RMChooseToAbort(rm=rm2)',
  ])
  // rm1's Prepared reaches the TM at step 2; the TM's Commit reaches rm1 at step 4.
  assert.equal(await page.$$eval('#chart g.arrow.message', (arrows) => arrows.map((a) =>
    [a.getAttribute('data-from'), a.getAttribute('data-to'), a.getAttribute('data-sent'), a.getAttribute('data-received')])),
  [['rm1', 'global', '1', '2'], ['global', 'rm1', '3', '4']])
  assert.match(await page.textContent('header') ?? '', /TCConsistent is violated in state 5/)

  assert.is(await selectedIndex(page), 0)
  assert.equal(await changedPaths(page), [])
  assert.match(await page.textContent('#state') ?? '', /rmState\[rm1\]\s*working/)

  await page.keyboard.press('ArrowRight')
  assert.is(await selectedIndex(page), 1)
  assert.equal(await changedPaths(page), ['rmState[rm1]', 'msgs'])
  assert.is(await page.textContent('#state tr.changed[data-path="rmState[rm1]"] del'), 'working')
  assert.is(await page.textContent('#state tr.changed[data-path="rmState[rm1]"] .value'), 'prepared')

  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('ArrowRight')
  assert.is(await selectedIndex(page), 3)
  assert.equal(await changedPaths(page), ['tmState', 'msgs'])
  assert.is(await page.textContent('#state tr.changed[data-path="msgs"] .delta.added'), '+ { type: Commit }')

  await page.keyboard.press('ArrowLeft')
  assert.is(await selectedIndex(page), 2)
  assert.equal(await changedPaths(page), ['tmPrepared'])
  assert.is(await page.$$eval('.step.selected', (rows) => rows.length), 1)
  assert.is(await page.$('#state-verdict'), null)

  await page.click('.step[data-index="5"]')
  assert.is(await selectedIndex(page), 5)
  assert.equal(await changedPaths(page), ['rmState[rm2]'])
  assert.is(await page.textContent('#state-verdict'), 'TCConsistent is violated in state 5')
  await page.keyboard.press('ArrowRight')
  assert.is(await selectedIndex(page), 5, 'ArrowRight on the last step stays there')
  await page.keyboard.press('Home')
  assert.is(await selectedIndex(page), 0)
  await page.keyboard.press('ArrowLeft')
  assert.is(await selectedIndex(page), 0, 'ArrowLeft on the first step stays there')

  assert.equal(requests, [], 'the page loads nothing')
  assert.equal(errors, [])
  await page.close()
})

viewer('Raft Figure 3.7 (the recorded trace): no two arrow labels drawn over each other, Nil shown as Nil', async ({ browser }) => {
  const trace = fileURLToPath(new URL('../../specs/traces/raft-commit-earlier-term.itf.json', import.meta.url))
  const { page, errors } = await open(browser!, htmlOf(trace, 'figure-3-7'))
  assert.equal(await page.$$eval('.lane-head', (heads) => heads.map((h) => h.textContent)), ['global', 'server1', 'server2', 'server3'])
  // A RequestVote is read twice (UpdateTerm, then the handler): two arrows from one point.
  const positions = await page.$$eval('#chart g.arrow text', (labels) => labels.map((l) => `${l.getAttribute('x')},${l.getAttribute('y')}`))
  assert.ok(positions.length > 10, `${positions.length} labels`)
  assert.is(new Set(positions).size, positions.length, 'two labels share a position')
  const arrows = await page.$$eval('#chart g.arrow', (all) => all.length)
  assert.ok(arrows > positions.length, `${arrows} arrows, ${positions.length} labels: arrows of one message share its label`)
  assert.match(await page.textContent('#state tr[data-path="votedFor[server1]"] .value') ?? '', /^Nil$/)
  assert.equal(errors, [])
  await page.close()
})

viewer("Quint's run renders: lanes from its map keys and picks, and its variants", async ({ browser }) => {
  const { page, errors } = await open(browser!, htmlOf(quintFixture('twophase_run'), 'quint-run'))
  assert.equal(await page.$$eval('.lane-head', (heads) => heads.map((h) => h.textContent)), ['global', 'rm1', 'rm2', 'rm3'])
  assert.is(await page.$$eval('.step', (rows) => rows.length), 21)
  assert.ok((await page.$$eval('#chart g.arrow.message', (arrows) => arrows.length)) >= 3)
  await page.keyboard.press('End')
  assert.is(await selectedIndex(page), 20)
  for (let i = 0; i < 11; i++) await page.keyboard.press('ArrowLeft')
  assert.is(await selectedIndex(page), 9)
  assert.ok((await changedPaths(page)).includes('decision'))
  assert.is(await page.textContent('#state tr[data-path="decision"] .value'), 'Commit(8)')
  assert.equal(errors, [])
  await page.close()
})

viewer('a 250-state trace: every step rendered once, arrows for each delivery, End scrolls to the last step', async ({ browser }) => {
  const traceFile = join(dir, 'ring.itf.json')
  writeTraceFile(traceFile, tokenRing(250))
  const { page, errors } = await open(browser!, htmlOf(traceFile, 'ring'))
  assert.equal(await page.$$eval('.lane-head', (heads) => heads.map((h) => h.textContent)), ['global', 'n1', 'n2', 'n3', 'n4', 'n5'])
  assert.is(await page.$$eval('.step', (rows) => rows.length), 250)
  // 249 steps alternate send and receive: 124 deliveries, each an arrow to the next node.
  const arrows = await page.$$eval('#chart g.arrow.message', (as) => as.map((a) => [a.getAttribute('data-from'), a.getAttribute('data-to')]))
  assert.is(arrows.length, 124)
  assert.equal(arrows.slice(0, 3), [['n1', 'n2'], ['n2', 'n3'], ['n3', 'n4']])
  // The DOM grows linearly: a bounded number of elements per step.
  assert.ok((await page.$$eval('*', (all) => all.length)) < 250 * 12)

  await page.keyboard.press('End')
  assert.is(await selectedIndex(page), 249)
  const visible = await page.$eval('.step.selected', (row) => {
    const pane = document.getElementById('chart-pane')!.getBoundingClientRect()
    const r = row.getBoundingClientRect()
    return r.top >= pane.top && r.bottom <= pane.bottom
  })
  assert.ok(visible, 'the selected last step is scrolled into view')
  await page.keyboard.press('ArrowLeft')
  assert.is(await selectedIndex(page), 248)
  assert.equal(await changedPaths(page), ['hasToken[n5]', 'network'])
  assert.is(await page.textContent('#state tr.changed[data-path="network"] del'), '[{ type: Token, to: n5, pass: 124 } |-> 1]')
  assert.equal(errors, [])
  await page.close()
})

viewer.run()
