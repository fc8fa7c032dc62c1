// `protocheck init [dir]`: write a small, complete starter project into `dir` (default `.`):
// a model of its own (templates/init/election/model.ts), the implementation it is about and
// the driver that replays traces on it, spec files, a test through the programmatic API, a
// tsconfig.json, and a package.json when there is none. The templates are real files shipped
// in the package; nothing is ever overwritten: a file that exists stops init before it writes.

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Argv, CommandModule } from 'yargs'
import { InputError } from '../checker/errors.js'
import { handled } from './errors.js'

interface InitArgs {
  dir: string
}

/** templates/init/ at the package root (this file is dist/commands/init.js). */
const templatesFolder = fileURLToPath(new URL('../../templates/init/', import.meta.url))
const packageJsonFile = fileURLToPath(new URL('../../package.json', import.meta.url))

/** npm leaves dot files such as .gitignore out of a published package: they ship without the dot. */
const renamed: Readonly<Record<string, string>> = { gitignore: '.gitignore' }
/** Files a project usually has already: kept as they are when present, never refused. */
const keptIfPresent = new Set(['package.json', '.gitignore'])

/** What the starter is made of, for the printed summary and the next steps. */
const MODEL_FOLDER = 'election'
const BUG = 'vote-twice'
const TEST_FILE = 'test/election.test.mjs'
const described: Readonly<Record<string, string>> = {
  [`${MODEL_FOLDER}/model.ts`]: 'the model: one term of majority-vote leader election',
  [`${MODEL_FOLDER}/node.ts`]: 'the implementation: one node as a sans-IO core',
  [`${MODEL_FOLDER}/driver.ts`]: 'the driver: runs the implementation for replay and conform',
  [TEST_FILE]: 'the tests, through the programmatic API',
  'specs/election.json': 'a spec: the election is safe',
  'specs/election-vote-twice.json': `a spec: the ${BUG} bug breaks OneLeader`,
  'tsconfig.json': 'strict type-checking, for your editor and tsc',
}

export const initCommand: CommandModule<object, InitArgs> = {
  command: 'init [dir]',
  describe: 'Write a starter project into dir: a model of your own, its implementation and driver, spec files and a test',
  builder: (y) =>
    y.positional('dir', { type: 'string', default: '.', describe: 'folder to write into (created if missing; no file in it is overwritten)' }) as Argv<InitArgs>,
  handler: handled(({ dir }) => {
    const version = (JSON.parse(readFileSync(packageJsonFile, 'utf8')) as { version: string }).version
    const target = resolve(dir)
    if (existsSync(target) && !statSync(target).isDirectory()) throw new InputError(`${dir} exists and is not a folder`)

    const files = new Map<string, string>()
    for (const file of templateFiles(templatesFolder)) {
      const name = basename(file)
      const destination = file.slice(0, file.length - name.length) + (renamed[name] ?? name)
      files.set(destination, readFileSync(join(templatesFolder, file), 'utf8'))
    }
    files.set('package.json', JSON.stringify(starterPackageJson(target, version), null, 2) + '\n')

    // Refuse before writing anything, so that a refused init leaves the folder as it was.
    for (const file of [...files.keys()].sort()) {
      if (keptIfPresent.has(file) || !existsSync(join(target, file))) continue
      throw new InputError(`${shown(dir, file)} exists; init never overwrites a file (give another folder: protocheck init my-protocol)`)
    }
    const written: string[] = []
    const kept: string[] = []
    for (const [file, text] of files) {
      const path = join(target, file)
      if (existsSync(path)) {
        kept.push(file)
        continue
      }
      try {
        mkdirSync(dirname(path), { recursive: true })
        writeFileSync(path, text, { flag: 'wx' })
      } catch (e) {
        throw new InputError(`cannot write ${shown(dir, file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      }
      written.push(file)
    }

    const ownPackageJson = written.includes('package.json')
    const width = Math.max(...written.map((f) => f.length))
    const lines = [
      `wrote a protocheck starter project into ${target}:`,
      ...written.sort().map((f) => `  ${f.padEnd(width)}  ${described[f] ?? ''}`.trimEnd()),
    ]
    if (kept.length) lines.push(`kept as they were: ${kept.sort().join(', ')}`)
    if (!ownPackageJson) {
      lines.push(`(your package.json needs protocheck in its devDependencies, which the npm install below adds)`)
    }
    lines.push('', 'next steps:')
    if (target !== process.cwd()) lines.push(`  cd ${quoted(dir)}`)
    lines.push(
      ownPackageJson ? '  npm install' : `  npm install --save-dev protocheck@^${version}`,
      '  npx protocheck check specs/',
      `  npx protocheck check ./${MODEL_FOLDER}/model.ts --bug ${BUG} --out cex.itf.json`,
      '  npx protocheck show cex.itf.json',
      '  npx protocheck replay cex.itf.json',
      `  npx protocheck conform ./${MODEL_FOLDER}/model.ts`,
      ownPackageJson ? '  npm test' : `  node --test ${TEST_FILE}`,
      '',
      `then make the model your own: ${MODEL_FOLDER}/model.ts is the protocol, ${MODEL_FOLDER}/node.ts the code it is about.`,
    )
    process.stdout.write(lines.join('\n') + '\n')
    return 0
  }),
}

/** Every file under `folder`, as /-separated paths relative to it, in a stable order. */
function templateFiles(folder: string, under = ''): string[] {
  const files: string[] = []
  for (const entry of readdirSync(join(folder, under), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = under ? `${under}/${entry.name}` : entry.name
    if (entry.isDirectory()) files.push(...templateFiles(folder, path))
    else files.push(path)
  }
  return files
}

function starterPackageJson(target: string, version: string) {
  return {
    name: packageName(basename(target)),
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      check: 'protocheck check specs/',
      test: 'node --test',
    },
    devDependencies: {
      protocheck: `^${version}`,
    },
  }
}

/** The folder's name as an npm package name (lower case, no spaces), or my-protocol. */
function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '')
  return name || 'my-protocol'
}

/** A file of the starter as the user named the folder: `my-protocol/specs/election.json`. */
const shown = (dir: string, file: string) => (dir === '.' ? file : join(dir, file))

/** A path the shell can take as one word. */
const quoted = (path: string) => (/^[\w./@+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`)
