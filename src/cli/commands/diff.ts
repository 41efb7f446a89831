/**
 * `ipurl diff <instance> <from> <to>`: the changes between ANY two stored versions (the web
 * service only offers "changes since": docs/api.md, "GET /changes/{instance}/{version}"),
 * computed with the same diff that makes change records over the two versions' sets. `from` may
 * be newer than `to` (the reverse changes). A readable table, or `--json` (records without ids or
 * effective dates: they were not published, they describe the gap between two versions).
 */
import type { Command } from 'commander';
import type { ChangeDraft } from '../../core/change-record.js';
import { diffVersions } from '../../core/diff.js';
import { IpurlError } from '../../core/errors.js';
import { isVersionId, versionDate } from '../../core/version-id.js';
import { countDiff, renderDiffTable } from '../../formats/diff-table.js';
import { openCommandStore, withStore } from '../open-store.js';
import { addStoreOptions, printJson, storeExitCodes } from '../options.js';
import { existingInstance } from './versions.js';

function withoutEffectiveDate(change: ChangeDraft): ChangeDraft {
  if (change.add === undefined) return change;
  const { effectiveDate: _ignored, ...add } = change.add;
  return { ...change, add: add as ChangeDraft['add'] & object };
}

export function register(program: Command): void {
  const command = program
    .command('diff')
    .description('the changes between any two stored versions of an instance')
    .argument('<instance>', 'instance name (any case)')
    .argument('<from>', 'older version (YYYYMMDDNN), or "previous" for the one before <to>')
    .argument('<to>', 'newer version (YYYYMMDDNN), or "latest"');
  addStoreOptions(command, storeExitCodes('ok'));
  command.action(
    async (
      requested: string,
      fromArg: string,
      toArg: string,
      flags: { db?: string; json?: boolean },
    ) => {
      await withStore(openCommandStore(flags.db, { access: 'read' }), async (store) => {
        const instance = await existingInstance(store, requested);
        const versions = (await store.listVersions(instance)).map((v) => v.version);
        const to = toArg.toLowerCase() === 'latest' ? versions[0]! : toArg;
        const from =
          fromArg.toLowerCase() === 'previous'
            ? (versions[versions.indexOf(to) + 1] ?? '')
            : fromArg;
        for (const [name, value] of [
          ['<from>', from],
          ['<to>', to],
        ] as const) {
          if (!isVersionId(value))
            throw new IpurlError(
              'ERR_INVALID_VERSION',
              `${name} must be ten digits YYYYMMDDNN; received ${JSON.stringify(String(value))}`,
            );
          if (!versions.includes(value)) {
            throw new IpurlError(
              'ERR_VERSION_NOT_FOUND',
              `${instance} has no version ${value}; stored: ${versions.slice(0, 5).join(', ')}${versions.length > 5 ? `, … (${versions.length})` : ''}`,
            );
          }
        }
        const [a, b] = await Promise.all([
          store.getEndpointSets(instance, from),
          store.getEndpointSets(instance, to),
        ]);
        const changes = diffVersions(a ?? [], b ?? [], {
          version: to,
          effectiveDate: versionDate(to),
        }).map(withoutEffectiveDate);
        if (flags.json === true) {
          printJson({ instance, from, to, counts: countDiff(changes), changes });
        } else {
          const setLabels = new Map<number, string>();
          for (const set of [...(a ?? []), ...(b ?? [])])
            setLabels.set(set.id, `${set.serviceArea}/${set.category}`);
          process.stdout.write(renderDiffTable({ instance, from, to, changes, setLabels }));
        }
      });
    },
  );
}
