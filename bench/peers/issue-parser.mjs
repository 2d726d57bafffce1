// The peer of `responder parse --template`: GitHub's @github/issue-parser on the same form and bodies.
//   node issue-parser.mjs once TEMPLATE BODY           parse one body, print the JSON (a fresh process per body)
//   node issue-parser.mjs loop SECONDS TEMPLATE BODY... read the form and parse every body, over and over;
//                                                       prints the bodies parsed per second
import { readFileSync } from 'node:fs'
import { parseIssue } from '@github/issue-parser'

const [mode, ...rest] = process.argv.slice(2)
if (mode === 'once') {
  const [template, body] = rest
  const parsed = parseIssue(readFileSync(body, 'utf8'), readFileSync(template, 'utf8'))
  process.stdout.write(JSON.stringify(parsed, null, 2) + '\n')
} else if (mode === 'loop') {
  const [seconds, template, ...paths] = rest
  const bodies = paths.map((path) => readFileSync(path, 'utf8'))
  const until = performance.now() + Number(seconds) * 1000
  let parsed = 0
  const start = performance.now()
  while (performance.now() < until) {
    for (const body of bodies) {
      // Read and parse the form on every call, as the responder's loop does.
      parseIssue(body, readFileSync(template, 'utf8'))
      parsed += 1
    }
  }
  process.stdout.write(JSON.stringify({ parsed, seconds: (performance.now() - start) / 1000 }) + '\n')
} else {
  process.stderr.write('usage: issue-parser.mjs once TEMPLATE BODY | loop SECONDS TEMPLATE BODY...\n')
  process.exit(2)
}
