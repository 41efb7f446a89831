#!/usr/bin/env node
// Makes examples/next.json and examples/bad.json from the newest bundled Worldwide version, the
// way a publisher makes the next version of their data: start from the latest publisher-form
// document (data/Worldwide/<newest>.json), change what changed, publish. Run from the project
// folder: `node examples/make-examples.mjs`. The changes below are ordinary ones: a new IP range
// and a new URL for existing sets, a reworded note, and a retired endpoint set.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const folder = join('data', 'Worldwide');
const newest = readdirSync(folder)
  .filter((name) => /^\d{10}\.json$/.test(name))
  .sort()
  .at(-1);
const latest = JSON.parse(readFileSync(join(folder, newest), 'utf8'));
const byId = (sets, id) => {
  const set = sets.find((s) => s.id === id);
  if (set === undefined) throw new Error(`${newest} has no set ${id}: pick another one`);
  return set;
};
const copy = () => structuredClone(latest);
const write = (name, sets) => {
  writeFileSync(join('examples', name), `${JSON.stringify(sets, null, 2)}\n`);
  console.log(`wrote examples/${name}: ${sets.length} endpoint sets, from ${folder}/${newest}`);
};

// next.json: the next version.
const next = copy();
const common = byId(next, 46); // Common Allow (Office web apps): one more IPv4 range
if (common.ips.includes('52.123.0.0/16')) throw new Error('set 46 already has 52.123.0.0/16');
common.ips.push('52.123.0.0/16');
const identity = byId(next, 56); // Common Allow (identity): one more URL
identity.urls.push('*.login.microsoft.com');
byId(next, 125).notes =
  'Certificate revocation and online certificate status checks (CRL and OCSP).';
write(
  'next.json',
  next.filter((s) => s.id !== 96),
); // login.windows-ppe.net retired

// bad.json: next.json with two mistakes a hand edit makes.
const bad = structuredClone(next.filter((s) => s.id !== 96));
byId(bad, 1).ips.push('10.0.0.1/8'); // host bits set: not a network
byId(bad, 8).tcpPorts = '443-80'; // a reversed range
write('bad.json', bad);
