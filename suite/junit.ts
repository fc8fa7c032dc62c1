// Spec reports as JUnit XML, the format CI systems (GitHub Actions reporters, GitLab,
// Jenkins) display: one testsuite, one testcase per spec, a <failure> when the verdict is
// not the expected one, whose message names the trace file so it can be opened from the CI page.

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { summaryLines } from '../checker/report.js'
import { writeFileAtomically } from '../traces/output-file.js'
import { formatExpectation, type SpecReport } from './specs.js'

export function junitXml(reports: readonly SpecReport[], suiteName = 'protocheck specs'): string {
  const failures = reports.filter((r) => !r.passed).length
  const seconds = reports.reduce((sum, r) => sum + r.seconds, 0)
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="protocheck" tests="${reports.length}" failures="${failures}" errors="0" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${escape(suiteName)}" tests="${reports.length}" failures="${failures}" errors="0" skipped="0" time="${seconds.toFixed(3)}" timestamp="${new Date().toISOString().slice(0, 19)}">`,
  ]
  for (const r of reports) {
    lines.push(`    <testcase classname="${escape(r.model)}" name="${escape(r.spec)}" file="${escape(r.file)}" time="${r.seconds.toFixed(3)}">`)
    if (!r.passed) {
      lines.push(`      <failure type="unexpected verdict" message="${escape(failureMessage(r))}">${escape(summaryLines(r).join('\n'))}</failure>`)
    }
    lines.push(`      <system-out>${escape(summaryLines(r).join('\n'))}</system-out>`)
    lines.push('    </testcase>')
  }
  lines.push('  </testsuite>', '</testsuites>', '')
  return lines.join('\n')
}

/** `expected safe, got violation of TCConsistent; trace: out/x.itf.json` */
export function failureMessage(r: SpecReport): string {
  const got = formatExpectation(r)
  const why = r.reason ? ` (${r.reason})` : ''
  const trace = r.traceFile ? `; trace: ${r.traceFile}` : r.traceLength ? '; no trace written (give --junit or --out-dir)' : ''
  if (r.replay === null) return `expected ${formatExpectation(r.expected)}, got ${got}${why}; nothing to replay`
  if (r.replay && !r.replay.reproduced) {
    const how = r.replay.divergence ? `the implementation diverged at ${r.replay.divergence}` : `the implementation followed all ${r.replay.steps} steps, but ${r.property} holds on its final state`
    return `${r.property} not reproduced on the implementation: ${how}${trace}`
  }
  return `expected ${formatExpectation(r.expected)}, got ${got}${why}${trace}`
}

export function writeJunitFile(path: string, reports: readonly SpecReport[]) {
  mkdirSync(dirname(path), { recursive: true })
  writeFileAtomically(path, junitXml(reports))
}

/** XML text and attribute escaping; control characters XML 1.0 cannot carry are dropped. */
function escape(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}
