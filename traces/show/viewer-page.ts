// The HTML viewer's script, run in the browser. html.ts inlines the compiled file into the
// page, so it imports nothing: it reads the view model (#view) that html.ts computed and
// draws the chart, the step list and the selected state. The DOM grows with the number of
// steps and arrows, never with their product: one row per step, one SVG element per lane
// line, marker or arrow, and only the selected state's table.

;(() => {
  interface Lane { id: string; label: string }
  interface Arrow { from: number; to: number; sent: number; received: number; label: string; kind: 'message' | 'interaction' }
  interface Change { path: string; before?: string; after?: string; added?: string[]; removed?: string[] }
  interface Step { label: string; actor: number; sends: string[]; changes: Change[]; cycle: boolean }
  interface View {
    title: string
    header: string
    verdict: string | null
    lanes: Lane[]
    arrows: Arrow[]
    steps: Step[]
    /** Per state: [path, value] rows. */
    states: [string, string][][]
  }

  const ROW = 28
  const LANE = 120
  const SVG = 'http://www.w3.org/2000/svg'
  const view: View = JSON.parse(document.getElementById('view')!.textContent!)
  const last = view.steps.length - 1
  const laneX = (lane: number) => lane * LANE + LANE / 2
  const rowY = (row: number) => row * ROW + ROW / 2

  function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
    const e = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
    if (text !== undefined) e.textContent = text
    return e
  }
  function svg(tag: string, attrs: Record<string, string | number>, title?: string): SVGElement {
    const e = document.createElementNS(SVG, tag)
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
    if (title) {
      const t = document.createElementNS(SVG, 'title')
      t.textContent = title
      e.appendChild(t)
    }
    return e
  }
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

  // Header.
  document.title = view.title
  document.getElementById('title')!.textContent = view.title
  document.getElementById('summary')!.textContent = view.header
  const verdictBox = document.getElementById('verdict')!
  if (view.verdict) verdictBox.textContent = view.verdict
  else verdictBox.remove()

  // Lane heads (sticky) and the chart body: the step list and the SVG share one scroll area.
  const chartWidth = view.lanes.length * LANE
  const heads = document.getElementById('lane-heads')!
  heads.style.width = `${chartWidth}px`
  view.lanes.forEach((lane, i) => {
    const head = el('div', { class: 'lane-head', 'data-lane': lane.id, title: lane.id }, lane.label)
    head.style.left = `${i * LANE}px`
    head.style.width = `${LANE}px`
    heads.appendChild(head)
  })

  const list = document.getElementById('steps')!
  const rows: HTMLElement[] = view.steps.map((step, i) => {
    const li = el('li', { class: 'step', 'data-index': String(i), title: step.label })
    li.appendChild(el('span', { class: 'index' }, String(i)))
    li.appendChild(el('span', { class: 'label' }, step.label))
    if (i === last && view.verdict) li.classList.add('violation')
    if (step.cycle) {
      li.classList.add('cycle')
      li.title = `${step.label} (on the cycle that repeats forever)`
    }
    li.addEventListener('click', () => select(i))
    list.appendChild(li)
    return li
  })

  const chart = svg('svg', { id: 'chart', width: chartWidth, height: view.steps.length * ROW, role: 'img' }) as SVGSVGElement
  const defs = svg('defs', {})
  const head = svg('marker', { id: 'head', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' })
  head.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }))
  defs.appendChild(head)
  chart.appendChild(defs)
  const band = svg('rect', { class: 'band', x: 0, y: 0, width: chartWidth, height: ROW })
  chart.appendChild(band)
  view.lanes.forEach((lane, i) => {
    chart.appendChild(svg('line', { class: 'lane', x1: laneX(i), x2: laneX(i), y1: 0, y2: view.steps.length * ROW, 'data-lane': lane.id }))
  })
  // Labels already placed, by position (sender lane, step, side): arrows leaving one point
  // share a label when they carry the same message (one read, then consumed), and stack
  // otherwise, so that no two labels are drawn over each other.
  const labelsAt = new Map<string, string[]>()
  for (const a of view.arrows) {
    const group = svg('g', { class: `arrow ${a.kind}`, 'data-from': view.lanes[a.from].id, 'data-to': view.lanes[a.to].id, 'data-sent': a.sent, 'data-received': a.received },
      `${a.kind === 'message' ? `step ${a.sent} -> step ${a.received}` : `step ${a.sent}`}: ${a.label}`)
    const x1 = laneX(a.from)
    const x2 = laneX(a.to)
    const shorten = Math.sign(x2 - x1) * 6
    group.appendChild(svg('line', { x1: x1 + shorten, y1: rowY(a.sent), x2: x2 - shorten, y2: rowY(a.received), 'marker-end': 'url(#head)' }))
    // The label sits by the sender, on the side the arrow goes, so that arrows leaving at
    // different steps never share a label position.
    const rightward = x2 >= x1
    const at = `${a.from}:${a.sent}:${rightward}`
    const placed = labelsAt.get(at) ?? []
    if (!placed.includes(a.label)) {
      const label = svg('text', { x: x1 + (rightward ? 10 : -10), y: rowY(a.sent) - 6 - 11 * placed.length, 'text-anchor': rightward ? 'start' : 'end' })
      label.textContent = clip(a.label, Math.max(14, Math.floor(Math.abs(x2 - x1) / 6.5)))
      group.appendChild(label)
      labelsAt.set(at, [...placed, a.label])
    }
    chart.appendChild(group)
  }
  view.steps.forEach((step, i) => {
    if (step.actor < 0) return
    const cls = `actor${step.sends.length ? ' sends' : ''}${i === last && view.verdict ? ' broken' : ''}`
    const note = step.sends.length ? `${step.label}\nsent: ${step.sends.join('; ')}` : step.label
    const dot = svg('circle', { class: cls, cx: laneX(step.actor), cy: rowY(i), r: 6, 'data-index': i }, note)
    dot.addEventListener('click', () => select(i))
    chart.appendChild(dot)
  })
  document.getElementById('chart-area')!.appendChild(chart)

  // The selected state, its changed rows highlighted.
  const statePane = document.getElementById('state')!
  function renderState(i: number) {
    const step = view.steps[i]
    const changes = new Map(step.changes.map((c) => [c.path, c]))
    statePane.replaceChildren()
    statePane.appendChild(el('h2', {}, `State ${i}`))
    statePane.appendChild(el('p', { class: 'action' }, i === 0 ? 'initial state' : `after ${step.label} (${view.lanes[step.actor]?.label ?? '?'})`))
    if (i === last && view.verdict) statePane.appendChild(el('p', { class: 'verdict', id: 'state-verdict' }, view.verdict))
    const table = el('table')
    const body = el('tbody')
    for (const [path, value] of view.states[i]) {
      const change = changes.get(path)
      const tr = el('tr', { 'data-path': path, ...(change ? { class: 'changed' } : {}) })
      tr.appendChild(el('th', {}, path))
      const cell = el('td')
      if (change && change.before !== undefined && !change.added) {
        cell.appendChild(el('del', {}, change.before))
        cell.appendChild(document.createTextNode(' → '))
      }
      cell.appendChild(el('span', { class: 'value' }, value))
      if (change?.added?.length) cell.appendChild(el('div', { class: 'delta added' }, `+ ${change.added.join(', ')}`))
      if (change?.removed?.length) cell.appendChild(el('div', { class: 'delta removed' }, `− ${change.removed.join(', ')}`))
      tr.appendChild(cell)
      body.appendChild(tr)
    }
    for (const c of step.changes) {
      if (c.after !== undefined) continue
      const tr = el('tr', { 'data-path': c.path, class: 'changed removed' })
      tr.appendChild(el('th', {}, c.path))
      tr.appendChild(el('td', {}, `${c.before} (removed)`))
      body.appendChild(tr)
    }
    table.appendChild(body)
    statePane.appendChild(table)
    if (i > 0 && step.changes.length === 0) statePane.appendChild(el('p', { class: 'quiet' }, 'no variable changed in this step'))
  }

  let selected = -1
  function select(i: number) {
    if (i < 0 || i > last || i === selected) return
    if (selected >= 0) rows[selected].classList.remove('selected')
    selected = i
    rows[i].classList.add('selected')
    rows[i].setAttribute('aria-current', 'step')
    band.setAttribute('y', String(i * ROW))
    renderState(i)
    rows[i].scrollIntoView({ block: 'nearest' })
    history.replaceState(null, '', `#${i}`)
  }

  document.addEventListener('keydown', (e) => {
    const moves: Record<string, number> = { ArrowRight: selected + 1, ArrowDown: selected + 1, ArrowLeft: selected - 1, ArrowUp: selected - 1, Home: 0, End: last }
    if (!(e.key in moves) || e.altKey || e.ctrlKey || e.metaKey) return
    e.preventDefault()
    select(Math.max(0, Math.min(last, moves[e.key])))
  })

  const fromHash = Number(location.hash.slice(1))
  select(Number.isInteger(fromHash) && fromHash >= 0 && fromHash <= last ? fromHash : 0)
})()
