// The tool's version, read once from package.json (recorded in every trace's #meta).

import { readFileSync } from 'node:fs'

const packageJson = new URL('../../package.json', import.meta.url)
export const toolVersion: string = JSON.parse(readFileSync(packageJson, 'utf8')).version
