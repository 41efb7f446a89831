/**
 * PAC files (docs/formats.md, "PAC files: routing by category, ExpressRoute, several tenants"):
 * Get-PacFile's parameters, two styles with identical decisions.
 *
 * `renderPac` takes endpoint sets already filtered by service area and rendered for a TenantName
 * (core/filters.ts), validates the two return strings, computes Get-PacFile's direct and override
 * lists once (pac-lists.ts) and writes them in the chosen style.
 */
import { entrySetText, originText, type LabelledSet } from '../../core/device-entry.js';
import type { EndpointSet } from '../../core/endpoint-set.js';
import { defang } from '../export/export-summary.js';
import { computePacLists, type PacType } from './pac-lists.js';
import { computeRoutedLists, type PacRouting } from './pac-routes.js';
import { renderRoutedFast, renderRoutedGetPacFile } from './render-routed.js';
import { parsePacReturn } from './pac-return.js';
import { renderFast } from './render-fast.js';
import { renderGetPacFile } from './render-get-pacfile.js';

export type { PacType } from './pac-lists.js';

/** `fast` (default): lookup tables; `get-pacfile`: Microsoft's script output to the letter. */
export type PacStyle = 'fast' | 'get-pacfile';

export const PAC_STYLES: readonly PacStyle[] = ['fast', 'get-pacfile'];

/** The registered media type of PAC files (Netscape; what browsers and WPAD clients expect). */
export const PAC_CONTENT_TYPE = 'application/x-ns-proxy-autoconfig';

export interface PacOptions {
  readonly type: PacType;
  /** Return value for direct traffic (Get-PacFile `DirectProxySettings`). */
  readonly direct: string;
  /** Return value for everything else (Get-PacFile `DefaultProxySettings`). */
  readonly proxy: string;
  /** Lower-case the host before matching (Get-PacFile `-Lowercase`). */
  readonly lowercase: boolean;
  readonly style: PacStyle;
  /**
   * Routing by category or ExpressRoute (pac-routes.ts); replaces `type`. Hosts no route claims
   * get `proxy`.
   */
  readonly routing?: PacRouting;
  /**
   * Labelled entries (service/device-view.ts: grace, local; observed addresses are IPs, which a
   * PAC does not carry): their host patterns are routed like their set's, and a `//` comment
   * block at the top names each one with its origin.
   */
  readonly labelled?: readonly LabelledSet[];
  /**
   * What shaped the selection besides Microsoft's data (the device view's description: the local
   * overlay revision and what it did, a grace period), one `//` line each at the top, so every
   * PAC file an overlay touched names its revision, exclusions only included.
   */
  readonly selection?: readonly string[];
  /** Instance and version, named in the fast style's header comment. */
  readonly source?: { readonly instance: string; readonly version: string };
}

/** The defaults of Get-PacFile's parameters, with the fast style. */
export const DEFAULT_PAC_OPTIONS: PacOptions = {
  type: 1,
  direct: 'DIRECT',
  proxy: 'PROXY 10.10.10.10:8080',
  lowercase: false,
  style: 'fast',
};

export function renderPac(published: readonly EndpointSet[], options: PacOptions): string {
  const labelled = (options.labelled ?? []).filter(({ set }) => (set.urls ?? []).length > 0);
  const sets = [...published, ...labelled.map(({ set }) => set)];
  const text = renderPacText(sets, options);
  const selection = (options.selection ?? [])
    // Generated text (counts, the revision, the period): one line each, nothing but printable ASCII.
    .map((line) => `// Selection: ${line.replace(/[^\x20-\x7e]/g, '?')}\n`)
    .join('');
  return selection + (labelled.length === 0 ? text : labelledComment(labelled) + text);
}

/** `//` lines naming every labelled host pattern and its origin (generated, defanged text). */
function labelledComment(labelled: readonly LabelledSet[]): string {
  const lines = [
    `Labelled entries (not Microsoft's published data): ${labelled.length} host pattern(s)`,
    ...labelled.flatMap(({ set, origin }) =>
      (set.urls ?? []).map(
        (url) => `  ${defang(url)} ${entrySetText(set.id, origin)}${originText(origin)}`,
      ),
    ),
  ];
  return lines.map((line) => `// ${line}\n`).join('');
}

function renderPacText(sets: readonly EndpointSet[], options: PacOptions): string {
  const direct = parsePacReturn('direct', options.direct);
  const proxy = parsePacReturn('proxy', options.proxy);
  if (options.routing !== undefined) {
    const routed = computeRoutedLists(sets, options.routing, proxy);
    const text = {
      lowercase: options.lowercase,
      ...(options.source === undefined ? {} : { source: options.source }),
    };
    return options.style === 'get-pacfile'
      ? renderRoutedGetPacFile(routed, text)
      : renderRoutedFast(routed, text);
  }
  const lists = computePacLists(sets, options.type);
  if (options.style === 'get-pacfile') {
    return renderGetPacFile(lists, { direct, proxy, lowercase: options.lowercase });
  }
  return renderFast(lists, {
    type: options.type,
    direct,
    proxy,
    lowercase: options.lowercase,
    ...(options.source === undefined ? {} : { source: options.source }),
  });
}
