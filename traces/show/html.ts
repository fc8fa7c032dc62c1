// `show --html`: one self-contained HTML page for a trace. Everything the page needs is
// inside it (style, script, the trace and a precomputed view model as JSON), so it opens
// from disk, in CI artifacts or mail, with no network. The chart's lanes and arrows come
// from traces/show/chart.ts, the rows and changes from traces/show/values.ts; the page's script
// (traces/viewer-page.ts, compiled) only draws them.

import { readFileSync } from 'node:fs'
import { sequenceChart } from './chart.js'
import type { ItfTrace } from '../itf.js'
import { formatAction, formatHeader, inCycle, stateVariables, verdictOf } from './text.js'
import { changesOf, rowsOf, type Json } from './values.js'

const style = readFileSync(new URL('../../../traces/show/viewer.css', import.meta.url), 'utf8')
// The compiled script is an ES module only in name (TypeScript adds `export {}`); inlined
// as a classic script, that line and the source-map comment go.
const script = readFileSync(new URL('./viewer-page.js', import.meta.url), 'utf8')
  .replace(/^export \{\};\s*$/m, '')
  .replace(/^\/\/# sourceMappingURL=.*$/m, '')

/** What the page's script draws; computed here so that the page does no diffing. */
export function viewModel(trace: ItfTrace, title: string) {
  const vars = stateVariables(trace)
  const chart = sequenceChart(trace)
  const states = trace.states.map((state) => vars.flatMap((v) => rowsOf(v, state[v] as Json)).map((r) => [r.path, r.text] as const))
  const steps = trace.states.map((state, i) => ({
    label: formatAction(state),
    actor: chart.actors[i],
    sends: chart.sends[i],
    changes: i === 0 ? [] : vars.flatMap((v) => changesOf(v, trace.states[i - 1][v] as Json, state[v] as Json)),
    /** On the cycle of a lasso (a liveness counterexample), which repeats forever. */
    cycle: inCycle(trace, i),
  }))
  return { title, header: formatHeader(trace), verdict: verdictOf(trace), lanes: chart.lanes, arrows: chart.arrows, steps, states }
}

/** The page, as one string. */
export function traceHtml(trace: ItfTrace, title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
${style}</style>
</head>
<body>
<header>
  <span class="keys"><kbd>←</kbd> <kbd>→</kbd> previous / next step · click a step</span>
  <h1 id="title"></h1>
  <p id="summary"></p>
  <div id="verdict" class="verdict"></div>
</header>
<main>
  <section id="chart-pane" aria-label="message-sequence chart and steps">
    <div id="heads-row"><div class="corner">step</div><div id="lane-heads"></div></div>
    <div id="body"><ol id="steps"></ol><div id="chart-area"></div></div>
  </section>
  <section id="state" aria-label="state of the selected step"></section>
</main>
<script type="application/json" id="view">${scriptSafeJson(viewModel(trace, title))}</script>
<script type="application/json" id="trace">${scriptSafeJson(trace)}</script>
<script>
${script}</script>
</body>
</html>
`
}

/** JSON that cannot end its <script> element early (`</script>`, `<!--`). */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
