// The HTML view of a failure: the part of the failing key's history around its smallest
// failing set, drawn as Porcupine draws histories (porcupine/visualization.go): one lane per
// process, each operation a bar from its invoke to its completion, with its call and result
// written on it. Time is compressed as Porcupine compresses it: bars are placed by the order
// of the events, not by their timestamps, so long pauses take no room and the real-time
// order (which bar ends before which begins) is what the eye reads. The failing operations
// are marked; `info` operations run on to the right edge (they may take effect at any time),
// `fail` operations are faded (they did not happen). One self-contained page: no script, no
// request; hovering a bar shows its events and times.

import type { LinearizabilityReport } from './check.js'
import { describeOperation, type Operation } from './history.js'

const LANE = 40
const MAX_SHOWN = 300
const HEAD = 90

export function linearizabilityHtml(report: LinearizabilityReport, title: string): string {
  const failure = report.failure
  if (!failure) throw new Error('linearizabilityHtml draws a failure; the report has none')
  const failingIds = new Set(failure.operations.map((o) => o.id))
  const start = Math.min(...failure.operations.map((o) => o.invokeIndex))
  const end = Math.max(...failure.operations.map((o) => o.completeIndex ?? o.invokeIndex))
  // Every operation of the key that overlaps the failing operations' span of the history; if
  // that span is long (a read of a value written long before), only those that overlap one of
  // the failing operations.
  const overlaps = (o: Operation, from: number, to: number) => o.invokeIndex <= to && (o.completeIndex ?? Infinity) >= from
  let shown = failure.keyOperations.filter((o) => overlaps(o, start, end))
  const omitted = shown.length > MAX_SHOWN
  if (omitted) shown = shown.filter((o) => failure.operations.some((f) => overlaps(o, f.invokeIndex, f.completeIndex ?? Infinity)))

  // Compressed time: the rank of each event position that a bar starts or ends at, within the
  // failing operations' span. A bar begun before the span starts at its left edge, one that
  // ends after it (or never: info) runs to its right edge, each with a dashed end.
  const opensBefore = (o: Operation) => o.invokeIndex < start
  const endsAfter = (o: Operation) => o.status === 'info' || o.completeIndex === null || o.completeIndex > end
  const positions = [...new Set([start, ...shown.flatMap((o) => [...(opensBefore(o) ? [] : [o.invokeIndex]), ...(endsAfter(o) ? [] : [o.completeIndex!])])])].sort((a, b) => a - b)
  const rank = new Map(positions.map((p, i) => [p, i]))
  const openEnd = positions.length
  // The failing operations' processes first (in the order of their operations), then the others.
  const lanes = [...new Set([...failure.operations, ...shown].map((o) => o.process))]
  // Every bar spans at least one step of compressed time: a step fits most labels (three in
  // four); a longer one is cut short with an ellipsis and shown whole on hover.
  const lengths = shown.map((o) => labelOf(o).length).sort((a, b) => a - b)
  const UNIT = Math.min(120, Math.max(56, Math.ceil(lengths[Math.floor(lengths.length * 0.75)] * 7.4 + 22)))
  const width = HEAD + (openEnd + 1) * UNIT

  const bar = (o: Operation) => {
    const from = opensBefore(o) ? 0 : rank.get(o.invokeIndex)!
    const open = endsAfter(o)
    const to = open ? openEnd : rank.get(o.completeIndex!)!
    const centre = (r: number) => HEAD + r * UNIT + UNIT / 2
    const left = opensBefore(o) ? HEAD : centre(from)
    const right = open ? width : centre(to)
    const barWidth = Math.max(right - left, UNIT * 0.6)
    const classes = ['op', o.status, ...(failingIds.has(o.id) ? ['failing'] : []), ...(opensBefore(o) ? ['earlier'] : []), ...(open && o.status !== 'info' ? ['later'] : [])].join(' ')
    const label = labelOf(o)
    return `<div class="${classes}" data-id="${o.id}" data-process="${escapeHtml(String(o.process))}" style="left:${left}px;width:${barWidth - 6}px" title="${escapeHtml(tooltip(o))}"><span>${escapeHtml(label)}</span></div>`
  }
  const laneHtml = lanes.map((process, i) => {
    const bars = shown.filter((o) => o.process === process).map(bar).join('')
    return `<div class="lane" data-process="${escapeHtml(String(process))}" style="top:${i * LANE}px;width:${width}px"><div class="lane-head">${escapeHtml(String(process))}</div>${bars}</div>`
  }).join('\n')

  const keyName = failure.key === null ? 'the register' : `key ${JSON.stringify(failure.key)}`
  const verdict = `not linearizable: ${keyName}: these ${failure.operations.length} operations cannot be ordered` +
    (failure.minimal ? ', and each of them is needed' : ' (the time limit stopped the shrinking: some may not be needed)')
  const rows = failure.operations.map((o) => `<tr data-id="${o.id}"><td>${escapeHtml(String(o.process))}</td><td>${escapeHtml(describeOperation(o))}</td><td>${eventText(o.invokeIndex, o.invokeTime)}</td><td>${o.completeIndex === null ? '' : eventText(o.completeIndex, o.completeTime)}</td></tr>`).join('\n')

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
${style}</style>
</head>
<body>
<header>
  <h1>${escapeHtml(title)}</h1>
  <p id="summary">${report.operations.toLocaleString('en-US')} operations, ${report.keys} key${report.keys === 1 ? '' : 's'}, ${report.processes} processes, model ${report.model}${report.failedKeys.length > 1 ? `; ${report.failedKeys.length} keys fail, the first is shown` : ''}</p>
  <div id="verdict" class="verdict">${escapeHtml(verdict)}</div>
</header>
<main>
  <p class="legend"><span class="op ok failing">failing</span> <span class="op ok">ok</span> <span class="op info">info: may take effect any time after its invoke, or never</span> <span class="op fail">fail: did not happen</span>
  · ${shown.length} operations of ${escapeHtml(keyName)} between events ${start} and ${end}${omitted ? ' (of the many in between, only those overlapping a failing one)' : ''}; bars are placed by event order, hover one for its events and times</p>
  <section id="history" aria-label="operations by process" style="width:${width}px;height:${lanes.length * LANE}px">
${laneHtml}
  </section>
  <h2>The failing operations</h2>
  <table id="failing"><thead><tr><th>process</th><th>operation</th><th>invoked</th><th>completed</th></tr></thead><tbody>
${rows}
  </tbody></table>
</main>
</body>
</html>
`
}

function labelOf(o: Operation): string {
  return describeOperation(o) + (o.status === 'ok' ? '' : ` (${o.status})`)
}

function eventText(index: number, time: number | null): string {
  return `event ${index}${time === null ? '' : ` (time ${time})`}`
}

function tooltip(o: Operation): string {
  const completion = o.completeIndex === null ? 'never completed' : `${o.status} at ${eventText(o.completeIndex, o.completeTime)}`
  return `process ${o.process}: ${describeOperation(o)}; invoked at ${eventText(o.invokeIndex, o.invokeTime)}, ${completion}`
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

const style = `:root { --accent: #2563eb; --bad: #c92a2a; font: 14px/1.4 system-ui, sans-serif; color: #1f2328; }
* { box-sizing: border-box; }
body { margin: 0; }
header { padding: 10px 16px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
header h1 { font-size: 16px; margin: 0 0 2px; }
header p { margin: 0; color: #57606a; }
.verdict { color: #fff; background: var(--bad); padding: 4px 8px; border-radius: 4px; display: inline-block; margin-top: 6px; font-weight: 600; }
main { padding: 10px 16px; overflow-x: auto; }
.legend { color: #57606a; font-size: 12.5px; }
.legend .op { position: static; display: inline-block; height: auto; padding: 0 6px; }
#history { position: relative; margin: 12px 0 20px; }
.lane { position: absolute; left: 0; height: ${LANE}px; border-bottom: 1px solid #eaeef2; }
.lane-head { position: sticky; left: 0; width: ${HEAD - 10}px; height: ${LANE}px; line-height: ${LANE}px; padding: 0 8px; font-weight: 600; background: #fff; z-index: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.op { position: absolute; top: 7px; height: 26px; display: flex; align-items: center; padding: 0 6px; border: 1px solid var(--accent); border-radius: 4px; background: #ddf4ff; font: 12px ui-monospace, monospace; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.op:hover { overflow: visible; z-index: 2; box-shadow: 0 1px 4px rgba(0,0,0,.25); }
.op.failing { background: #ffe3e3; border: 2px solid var(--bad); color: var(--bad); font-weight: 600; }
.op.info { border-right-style: dashed; background: linear-gradient(to right, #fff3bf 70%, #fff); border-color: #bf8700; }
.op.earlier { border-left-style: dashed; border-top-left-radius: 0; border-bottom-left-radius: 0; }
.op.later { border-right-style: dashed; border-top-right-radius: 0; border-bottom-right-radius: 0; }
.op.fail { opacity: .5; border-style: dotted; background: #f6f8fa; border-color: #8c959f; }
h2 { font-size: 15px; margin: 8px 0; }
table { border-collapse: collapse; font: 12.5px ui-monospace, monospace; }
th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid #eaeef2; }
th { color: #57606a; }
`
