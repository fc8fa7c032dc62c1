// Files written for users: atomically, and never a temporary file left behind when the write fails.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { InputError } from '../checker/errors.js'
import { checkWritable, writeFileAtomically } from '../traces/output-file.js'

const dir = mkdtempSync(join(tmpdir(), 'output-file-'))

test('a write replaces the file whole', () => {
  const file = join(dir, 'a.txt')
  writeFileAtomically(file, 'first')
  writeFileAtomically(file, 'second')
  assert.is(readFileSync(file, 'utf8'), 'second')
  assert.equal(readdirSync(dir), ['a.txt'])
})

test('a write that fails (the target is a folder) throws and leaves no temporary file', () => {
  const folder = join(dir, 'taken')
  mkdirSync(folder)
  assert.throws(() => writeFileAtomically(folder, 'x'))
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [])
})

test('checkWritable: a missing folder, a file as folder and a folder as file are refused; folders to be made are fine', () => {
  const file = join(dir, 'a.txt')
  assert.throws(() => checkWritable('--out', join(dir, 'missing', 'x.json')), (e: unknown) => e instanceof InputError && /no folder/.test(e.message))
  assert.throws(() => checkWritable('--out', join(file, 'x.json')), /is not a folder/)
  assert.throws(() => checkWritable('--out', dir), /it is a folder/)
  assert.throws(() => checkWritable('--out-dir', file, { asFolder: true }), /not a folder/)
  checkWritable('--junit', join(dir, 'new', 'deeper', 'out.xml'), { createFolders: true })
  checkWritable('--out-dir', join(dir, 'new-folder'), { asFolder: true })
  checkWritable('--out', file)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
