// The licences of the packages a Vite bundle took in (scripts/bundle-cli.mjs, scripts/bundle-csv.mjs).
// Their licences (MIT, ISC, BSD-3-Clause) ask that their notices travel with copies: the bundles'
// THIRD-PARTY-LICENSES.txt files collect them, from the modules actually bundled.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package directory (…/node_modules/name or …/node_modules/@scope/name) a bundled module came from. */
function packageDirOf(moduleId) {
  const match = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(moduleId.replaceAll('\\', '/'));
  return match?.[1];
}

/** Writes `file`: `intro`, then the name, version, licence and licence text of each package bundled in `result` (vite's build result). Returns their count. */
export function writeLicences(result, file, intro) {
  const outputs = Array.isArray(result) ? result : [result];
  const packageDirs = new Set();
  for (const output of outputs) {
    for (const item of output.output) {
      if (item.type !== 'chunk') continue;
      for (const id of item.moduleIds) {
        const dir = packageDirOf(id);
        if (dir !== undefined) packageDirs.add(dir);
      }
    }
  }
  const notices = [...packageDirs]
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const licenseFile = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
      const text = licenseFile === undefined ? `(no licence file in the package; package.json says ${manifest.license})` : readFileSync(join(dir, licenseFile), 'utf8').trim();
      return { name: manifest.name, version: manifest.version, license: manifest.license ?? 'UNKNOWN', text };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  writeFileSync(file, `${intro}\n\n` + notices.map((n) => `${'='.repeat(72)}\n${n.name} ${n.version} (${n.license})\n${'='.repeat(72)}\n${n.text}\n`).join('\n'));
  return notices.length;
}
