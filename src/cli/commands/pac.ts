/**
 * `ipurl pac <instance>`: a PAC file for browsers (SPEC §8, issue 4), with Microsoft's Get-PacFile
 * parameters: --type 1|2 (Optimize direct | Optimize and Allow direct), --proxy and --direct (the
 * two return values), --tenant-name, --service-areas, --lowercase; --style fast (default: lookup
 * tables) or get-pacfile (Get-PacFile 1.0.4's text to the letter); --version for an older version.
 * Writes to stdout, or atomically to --output FILE (then a one-line summary goes to stderr).
 * An empty store (a new --db) is not written to: the PAC is made from the bundled data instead.
 */
import type { Command } from 'commander';
import type { InstanceSummary } from '../../core/store.js';
import { loadBundledDataset, type BundledDataset } from '../../service/bundle.js';
import {
  createPacService,
  parsePacParameters,
  type PacParameterNames,
  type PacSource,
} from '../../service/pac.js';
import { writeFileAtomic } from '../../service/watch.js';
import { openStore } from '../open-store.js';
import { addDbOption, resolveDb } from '../options.js';

const CLI_NAMES: PacParameterNames = {
  type: '--type',
  proxy: '--proxy',
  direct: '--direct',
  tenantName: '--tenant-name',
  serviceAreas: '--service-areas',
  lowercase: '--lowercase',
  style: '--style',
  version: '--version',
};

interface PacFlags {
  db?: string;
  type?: string;
  proxy?: string;
  direct?: string;
  tenantName?: string;
  serviceAreas?: string;
  lowercase?: boolean;
  style?: string;
  version?: string;
  output?: string;
}

/** The bundled data/ as a read-only PAC source. */
export function bundledPacSource(dataset: BundledDataset): PacSource {
  return {
    async listInstances(): Promise<InstanceSummary[]> {
      return dataset.instances.map(({ instance, versions }) => {
        const newestFirst = versions.map((v) => v.version).reverse();
        return { instance, latest: newestFirst[0]!, versions: newestFirst };
      });
    },
    async getEndpointSets(instance, version) {
      const found = dataset.instances
        .find((i) => i.instance === instance)
        ?.versions.find((v) => v.version === version);
      return found === undefined ? undefined : [...found.sets];
    },
    async revision() {
      return 'bundled';
    },
  };
}

export function register(program: Command): void {
  const command = program
    .command('pac')
    .description(
      'write a PAC file that sends Microsoft 365 endpoints direct (Get-PacFile compatible)',
    )
    .argument('<instance>', 'instance name (any case)')
    .option('--type <1|2>', '1 = Optimize direct, 2 = Optimize and Allow direct', '1')
    .option('--proxy <value>', 'PAC return value for everything else', 'PROXY 10.10.10.10:8080')
    .option('--direct <value>', 'PAC return value for the direct endpoints', 'DIRECT')
    .option('--tenant-name <name>', 'tenant name for <tenant> URLs (default: wildcard *)')
    .option(
      '--service-areas <list>',
      'comma-separated: Exchange, SharePoint, Skype (Common is always included)',
    )
    .option('--lowercase', 'lower-case the host before matching (Get-PacFile -Lowercase)')
    .option(
      '--style <style>',
      'fast (lookup tables) or get-pacfile (Get-PacFile 1.0.4 text)',
      'fast',
    )
    .option('--version <version>', 'version to use (default: the latest)')
    .option('--output <file>', 'write the PAC to this file (atomically) instead of stdout');
  addDbOption(command);
  command.action(async (requested: string, flags: PacFlags) => {
    // Validate every parameter before touching the store.
    const parameters = parsePacParameters(
      {
        type: flags.type,
        proxy: flags.proxy,
        direct: flags.direct,
        tenantName: flags.tenantName,
        serviceAreas: flags.serviceAreas,
        lowercase: flags.lowercase === true,
        style: flags.style,
        version: flags.version,
      },
      CLI_NAMES,
    );
    const db = resolveDb(flags.db);
    const store = await openStore(db);
    try {
      let source: PacSource = store;
      if (await store.isEmpty()) {
        process.stderr.write(`ipurl: the store ${db} is empty; using the bundled data\n`);
        source = bundledPacSource(await loadBundledDataset());
      }
      const pac = await createPacService(source).render(requested, parameters);
      if (flags.output === undefined) {
        process.stdout.write(pac.text);
        return;
      }
      await writeFileAtomic(flags.output, pac.text);
      process.stderr.write(
        `wrote ${flags.output}: ${Buffer.byteLength(pac.text)} bytes, ${pac.instance} ${pac.version}, type ${parameters.type}, ${parameters.style} style\n`,
      );
    } finally {
      await store.close();
    }
  });
}
