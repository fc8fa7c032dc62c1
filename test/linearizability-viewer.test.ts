// The HTML view of a non-linearizable history in a real browser (Debian's chromium through
// playwright-core, as test/viewer.test.ts): one lane per process, each operation a bar from
// its invoke to its completion, the failing ones marked, info bars open to the right edge,
// failed ones faded, real-time order readable from the bars' positions, nothing loaded.

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { checkLinearizable } from '../index.js'
import { linearizabilityHtml } from '../linearizability/view.js'
import { events } from './helpers/history.js'

const CHROMIUM = '/usr/bin/chromium'
const dir = mkdtempSync(join(tmpdir(), 'protocheck-linearizable-view-'))
const view = suite<{ browser?: Browser }>('linearizability view')

view.before(async (context) => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`)
  context.browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
})

view.after(async (context) => {
  await context.browser?.close()
})

view('new-old inversion on key "x": lanes, bars in real-time order, the four failing operations marked', async ({ browser }) => {
  // write 1 < write 2 (real time); read 2 < read 1; only write 1 writes 1: not linearizable
  // (test/linearizability.test.ts argues it). Around it: a crashed write (info), a failed cas,
  // and key "y", which is not drawn.
  const history = events(
    '0 invoke write x 1', '0 ok write x 1',
    '4 invoke write x 9', '4 info write x 9',
    '1 invoke write x 2', '2 invoke read x', '2 ok read x 2',
    '3 invoke cas x [5,6]', '3 fail cas x [5,6]',
    '2 invoke read x', '2 ok read x 1', '1 ok write x 2',
    '3 invoke write y 1', '3 ok write y 1',
  )
  // The info write of 9 is never read, so it cannot explain anything: the four above still fail.
  const report = checkLinearizable(history, { model: 'kv' })
  assert.is(report.result, 'not-linearizable')
  const file = join(dir, 'inversion.html')
  writeFileSync(file, linearizabilityHtml(report, 'inversion.json'))

  const page = await browser!.newPage({ viewport: { width: 1280, height: 720 } })
  const url = pathToFileURL(file).href
  const requests: string[] = []
  const errors: string[] = []
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()) })
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
  await page.goto(url)

  assert.is(await page.textContent('#verdict'), 'not linearizable: key "x": these 4 operations cannot be ordered, and each of them is needed')
  // The failing operations' processes first, then the others in order of appearance.
  assert.equal(await page.$$eval('#history .lane-head', (heads) => heads.map((h) => h.textContent)), ['0', '1', '2', '4', '3'])
  const bars = await page.$$eval('#history .op', (all) => all.map((bar) => {
    const box = bar.getBoundingClientRect()
    const lane = bar.closest('.lane')!.getBoundingClientRect()
    return { label: bar.textContent, classes: bar.className, process: bar.getAttribute('data-process'), left: box.left, right: box.right, top: box.top, bottom: box.bottom, laneTop: lane.top, laneBottom: lane.bottom }
  }))
  // Every operation on x in the span of the failing ones, each in its process's lane; y is not drawn.
  assert.equal(bars.map((b) => [b.process, b.label, b.classes]), [
    ['0', 'write 1', 'op ok failing'],
    ['1', 'write 2', 'op ok failing'],
    ['2', 'read -> 2', 'op ok failing'],
    ['2', 'read -> 1', 'op ok failing'],
    ['4', 'write 9 (info)', 'op info'],
    ['3', 'cas 5 -> 6 (fail)', 'op fail'],
  ])
  for (const b of bars) assert.ok(b.top >= b.laneTop && b.bottom <= b.laneBottom, `${b.label} lies in its lane`)
  const bar = (label: string) => bars.find((b) => b.label === label)!
  // Real time: write 1 ends before write 2 begins; read 2 ends before read 1 begins; write 2 spans both reads.
  assert.ok(bar('write 1').right < bar('write 2').left)
  assert.ok(bar('read -> 2').right < bar('read -> 1').left)
  assert.ok(bar('write 2').left < bar('read -> 2').left && bar('write 2').right > bar('read -> 1').right)
  // The info write may take effect any time later: its bar runs past every completed one.
  assert.ok(bars.every((b) => b === bar('write 9 (info)') || b.right < bar('write 9 (info)').right))
  // Failing bars are drawn in the alarm colour, others not.
  const colours = await page.$$eval('#history .op', (all) => all.map((b) => getComputedStyle(b).borderTopColor))
  assert.equal(colours.map((c) => c === 'rgb(201, 42, 42)'), [true, true, true, true, false, false])
  assert.is(await page.$$eval('#failing tbody tr', (rows) => rows.length), 4)
  // Hovering a bar tells its events.
  assert.match(await page.getAttribute('#history .op.failing[data-process="0"]', 'title') ?? '', /process 0: write 1; invoked at event 0 \(time 0\), ok at event 1 \(time 10\)/)

  assert.equal(requests, [], 'the page loads nothing')
  assert.equal(errors, [])
  await page.close()
})

view('a long span: bars begun before it start at its left edge, dashed; the failing ones come first', async ({ browser }) => {
  // A stale read: write 1 completes, then write 2, then the read returns 1 (only write 1 writes 1).
  // A read of process 5 was invoked before write 1 and completes after the stale read: it is
  // drawn from the left edge, dashed, to its completion past the failing span, dashed too.
  const history = events(
    '5 invoke read x',
    '0 invoke write x 1', '0 ok write x 1', '1 invoke write x 2', '1 ok write x 2',
    '2 invoke read x', '2 ok read x 1',
    '5 ok read x 2',
  )
  const report = checkLinearizable(history, { model: 'register' })
  assert.equal(report.failure!.operations.map((o) => o.process), [0, 1, 2])
  const file = join(dir, 'span.html')
  writeFileSync(file, linearizabilityHtml(report, 'span.json'))
  const page = await browser!.newPage({ viewport: { width: 1280, height: 720 } })
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(pathToFileURL(file).href)
  assert.equal(await page.$$eval('#history .lane-head', (heads) => heads.map((h) => h.textContent)), ['0', '1', '2', '5'])
  const boxes = await page.$$eval('#history .op', (all) => all.map((b) => ({ classes: b.className, left: b.getBoundingClientRect().left, right: b.getBoundingClientRect().right })))
  assert.equal(boxes.map((b) => b.classes), ['op ok failing', 'op ok failing', 'op ok failing', 'op ok earlier later'])
  assert.ok(boxes[3].left < boxes[0].left && boxes[3].right > boxes[2].right, JSON.stringify(boxes))
  assert.equal(errors, [])
  await page.close()
})

view.run()
