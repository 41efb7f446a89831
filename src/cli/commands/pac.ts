/**
 * `ipurl pac <instance>`: a PAC file for browsers (docs/formats.md, "PAC files: routing by
 * category, ExpressRoute, several tenants"; issue 4), with Microsoft's Get-PacFile parameters:
 * --type 1|2 (Optimize direct | Optimize and Allow direct), --proxy and --direct (the two return
 * values), --tenant-name, --service-areas, --lowercase; --style fast (default: lookup tables) or
 * get-pacfile (Get-PacFile 1.0.4's text to the letter); --version for an older version.
 * Writes to stdout, or atomically to --output FILE (then a one-line summary goes to stderr).
 * The store is opened read-only (the empty-store rule: open-store.ts).
 */
import type { Command } from 'commander';
import { openCatalog } from '../../service/catalog.js';
import { createPacService, parsePacParameters, type PacParameterNames } from '../../service/pac.js';
import { addGraceOption } from '../device-options.js';
import { openCommandStore, withStore } from '../open-store.js';
import { addStoreOptions, collect, storeExitCodes, writeOutput } from '../options.js';

const CLI_NAMES: PacParameterNames = {
  type: '--type',
  proxy: '--proxy',
  direct: '--direct',
  tenantName: '--tenant-name',
  serviceAreas: '--service-areas',
  lowercase: '--lowercase',
  style: '--style',
  version: '--version',
  tenantNames: '--tenant-name',
  routes: '--route',
  expressRoute: '--expressroute',
  grace: '--grace',
};

interface PacFlags {
  db?: string;
  type?: string;
  proxy?: string;
  direct?: string;
  tenantName?: string[];
  route?: string[];
  expressroute?: boolean;
  serviceAreas?: string;
  lowercase?: boolean;
  style?: string;
  version?: string;
  output?: string;
  grace?: string;
}

export function register(program: Command): void {
  const command = program
    .command('pac')
    .description(
      'write a PAC file that sends Microsoft 365 endpoints direct (Get-PacFile compatible)',
    )
    .argument('<instance>', 'instance name (any case)')
    .option('--type <1|2>', '1 = Optimize direct (default), 2 = Optimize and Allow direct')
    .option('--proxy <value>', 'PAC return value for everything else', 'PROXY 10.10.10.10:8080')
    .option('--direct <value>', 'PAC return value for the direct endpoints', 'DIRECT')
    .option(
      '--tenant-name <name>',
      'tenant name for <tenant> URLs (default: wildcard *); repeat for several tenants',
      collect,
    )
    .option(
      '--route <category=return>',
      'route a category its own way, e.g. Optimize=DIRECT or Allow="PROXY a.contoso.com:8080" (repeat; instead of --type; other hosts get --proxy)',
      collect,
      [],
    )
    .option(
      '--expressroute',
      'ExpressRoute sets (expressRoute: true, CDN names left out) get --direct, everything else --proxy (instead of --type)',
    )
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
  addGraceOption(command);
  addStoreOptions(command, storeExitCodes('written'), { json: false });
  command.action(async (requested: string, flags: PacFlags) => {
    // Validate every parameter before touching the store.
    const parameters = parsePacParameters(
      {
        type: flags.type,
        proxy: flags.proxy,
        direct: flags.direct,
        tenantNames: flags.tenantName,
        routes: flags.route,
        expressRoute: flags.expressroute === true,
        serviceAreas: flags.serviceAreas,
        lowercase: flags.lowercase === true,
        style: flags.style,
        version: flags.version,
        grace: flags.grace,
      },
      CLI_NAMES,
    );
    await withStore(openCommandStore(flags.db, { access: 'read' }), async (store) => {
      const pac = await createPacService(await openCatalog(store)).render(requested, parameters);
      await writeOutput(
        flags.output,
        pac.text,
        () =>
          `${pac.instance} ${pac.version}, ${parameters.routing === undefined ? `type ${parameters.type}` : `routed by ${parameters.routing.kind === 'category' ? 'category' : 'ExpressRoute'}`}, ${parameters.style} style`,
      );
    });
  });
}
