/**
 * The PAC use case shared by `ipurl pac` and `GET /pac/{instance}` (docs/formats.md, "PAC files:
 * routing by category, ExpressRoute, several tenants"; issue 4): parse Get-PacFile's parameters
 * once, load one version of an instance from the Store, apply the ServiceAreas/TenantName filters
 * of `/endpoints` (Microsoft's Get-PacFile script calls `/endpoints` with them first) and render
 * the PAC.
 *
 * Rendered PACs are prepared bytes (prepared.ts) per (resolved version, normalised parameters)
 * in the Catalog: browsers fetch the PAC on every start, and the answer only changes when a
 * version is appended.
 */
import type { EndpointSet, ServiceArea } from '../core/endpoint-set.js';
import { parseServiceAreas } from '../core/service-areas.js';
import { IpurlError, describeValue } from '../core/errors.js';
import { filterEndpointSets } from '../core/filters.js';
import { parseTenantName } from '../core/tenant.js';
import { formatYmd, isVersionId, type VersionId } from '../core/version-id.js';
import { PAC_TYPES, type PacType } from '../formats/pac/pac-lists.js';
import { parsePacReturn } from '../formats/pac/pac-return.js';
import { parseRoutes, type PacRouting } from '../formats/pac/pac-routes.js';
import {
  DEFAULT_PAC_OPTIONS,
  PAC_CONTENT_TYPE,
  PAC_STYLES,
  renderPac,
  type PacStyle,
} from '../formats/pac/render-pac.js';
import type { Catalog } from './catalog.js';
import { malformedVersion } from './catalog.js';
import { deviceView, parseGrace } from './device-view.js';
import { prepare, type PreparedResponse } from './prepared.js';

export { PAC_CONTENT_TYPE } from '../formats/pac/render-pac.js';

/** Parameters as a person or a query string gives them: every value a string, all optional. */
export interface RawPacParameters {
  readonly type?: string | undefined;
  readonly proxy?: string | undefined;
  readonly direct?: string | undefined;
  readonly tenantName?: string | undefined;
  /** Comma-separated service areas, any case. */
  readonly serviceAreas?: string | undefined;
  readonly lowercase?: boolean | undefined;
  readonly style?: string | undefined;
  readonly version?: string | undefined;
  /** Several tenants (repeated --tenant-name / tenantName=); takes the place of tenantName. */
  readonly tenantNames?: readonly string[] | undefined;
  /** `CATEGORY=RETURN`, repeated (issue 11). */
  readonly routes?: readonly string[] | undefined;
  /** Route expressRoute sets to `direct`, the rest to `proxy` (issue 11). */
  readonly expressRoute?: boolean | undefined;
  /** Removal grace, e.g. `14d` (issue 11; service/device-view.ts). */
  readonly grace?: string | undefined;
}

export interface PacParameters {
  readonly type: PacType;
  readonly proxy: string;
  readonly direct: string;
  readonly tenantName?: string;
  /** Requested areas (Common always added by the filter); undefined = all. */
  readonly serviceAreas?: readonly ServiceArea[];
  readonly lowercase: boolean;
  readonly style: PacStyle;
  readonly version?: VersionId;
  /** More than one tenant: each `<tenant>` URL once per tenant. */
  readonly tenantNames?: readonly string[];
  /** Routing by category or ExpressRoute instead of `type` (plain data: part of the cache key). */
  readonly routing?: PacRouting;
  /** Removal grace in seconds: removed host patterns kept, labelled (keyed with today's date). */
  readonly graceSeconds?: number;
  /** Today, for the grace period (tests pin it; default now). Not part of the parameters' text. */
  readonly now?: Date;
}

/** How each parameter is called where it came from (query names by default, `--flags` in the CLI). */
export type PacParameterNames = Readonly<Record<keyof RawPacParameters, string>>;

export const QUERY_PARAMETER_NAMES: PacParameterNames = {
  type: 'type',
  proxy: 'proxy',
  direct: 'direct',
  tenantName: 'tenantName',
  serviceAreas: 'serviceAreas',
  lowercase: 'lowercase',
  style: 'style',
  version: 'version',
  tenantNames: 'tenantName',
  routes: 'route',
  expressRoute: 'expressRoute',
  grace: 'grace',
};

/**
 * Validate and normalise. Messages name the parameter as the caller knows it, quote the value
 * received and list what is accepted (docs/errors.md).
 */
export function parsePacParameters(
  raw: RawPacParameters,
  names: PacParameterNames = QUERY_PARAMETER_NAMES,
): PacParameters {
  const type = parseType(raw.type, names.type);
  const style = parseStyle(raw.style, names.style);
  const proxy =
    raw.proxy === undefined ? DEFAULT_PAC_OPTIONS.proxy : parsePacReturn(names.proxy, raw.proxy);
  const direct =
    raw.direct === undefined
      ? DEFAULT_PAC_OPTIONS.direct
      : parsePacReturn(names.direct, raw.direct);
  const tenantTexts = raw.tenantNames ?? (raw.tenantName === undefined ? [] : [raw.tenantName]);
  const tenants = [...new Set(tenantTexts.map((text) => parseTenant(text, names.tenantName)))];
  const tenantName = tenants.length === 1 ? tenants[0] : undefined;
  const routing = parseRouting(raw, names);
  const serviceAreas =
    raw.serviceAreas === undefined
      ? undefined
      : parseServiceAreas(raw.serviceAreas, names.serviceAreas);
  if (raw.version !== undefined && !isVersionId(raw.version)) {
    throw malformedVersion(raw.version, names.version);
  }
  return {
    type,
    proxy,
    direct,
    lowercase: raw.lowercase ?? false,
    style,
    ...(tenantName === undefined ? {} : { tenantName }),
    ...(tenants.length > 1 ? { tenantNames: tenants } : {}),
    ...(routing === undefined ? {} : { routing }),
    ...(raw.grace === undefined ? {} : { graceSeconds: parseGrace(raw.grace, names.grace) }),
    ...(serviceAreas === undefined ? {} : { serviceAreas }),
    ...(raw.version === undefined ? {} : { version: raw.version }),
  };
}

/** `--route` / `--expressroute`, which take the place of `--type` (giving both is refused). */
function parseRouting(raw: RawPacParameters, names: PacParameterNames): PacRouting | undefined {
  const routes = raw.routes ?? [];
  if (routes.length === 0 && raw.expressRoute !== true) return undefined;
  if (routes.length > 0 && raw.expressRoute === true) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${names.routes} and ${names.expressRoute} contradict each other: route by category or by ExpressRoute, not both`,
    );
  }
  if (raw.type !== undefined) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${names.type} and ${routes.length > 0 ? names.routes : names.expressRoute} contradict each other: type 1 is ${names.routes} Optimize=DIRECT, type 2 adds Allow=DIRECT; give one of them`,
    );
  }
  if (routes.length > 0) return parseRoutes(routes, names.routes);
  const direct =
    raw.direct === undefined
      ? DEFAULT_PAC_OPTIONS.direct
      : parsePacReturn(names.direct, raw.direct);
  const proxy =
    raw.proxy === undefined ? DEFAULT_PAC_OPTIONS.proxy : parsePacReturn(names.proxy, raw.proxy);
  return { kind: 'expressroute', routes: { ExpressRoute: direct, Internet: proxy } };
}

/** core's TenantName check; the message names the CLI flag when the caller is the CLI. */
function parseTenant(value: string, name: string): string {
  try {
    return parseTenantName(value);
  } catch (error) {
    if (error instanceof IpurlError && name !== QUERY_PARAMETER_NAMES.tenantName) {
      throw new IpurlError(error.code, `${name}: ${error.message}`, {
        cause: error,
        ...(error.details === undefined ? {} : { details: error.details }),
      });
    }
    throw error;
  }
}

function parseType(value: string | undefined, name: string): PacType {
  if (value === undefined) return DEFAULT_PAC_OPTIONS.type;
  const type = PAC_TYPES.find((t) => String(t) === value.trim());
  if (type === undefined) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${name} must be 1 (Optimize direct) or 2 (Optimize and Allow direct); received ${JSON.stringify(describeValue(value))}`,
      { details: { parameter: name, value: describeValue(value), accepted: PAC_TYPES } },
    );
  }
  return type;
}

function parseStyle(value: string | undefined, name: string): PacStyle {
  if (value === undefined) return DEFAULT_PAC_OPTIONS.style;
  const style = PAC_STYLES.find((s) => s === value.trim().toLowerCase());
  if (style === undefined) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${name} must be one of ${PAC_STYLES.join(', ')}; received ${JSON.stringify(describeValue(value))}`,
      { details: { parameter: name, value: describeValue(value), accepted: PAC_STYLES } },
    );
  }
  return style;
}

export interface PacFile {
  readonly instance: string;
  readonly version: VersionId;
  readonly parameters: PacParameters;
  readonly text: string;
  /** Strong validator of the text (RFC 9110 §8.8.3). */
  readonly etag: string;
  readonly contentType: string;
  /** The same PAC as prepared bytes (HTTP). */
  readonly prepared: PreparedResponse;
}

export interface PacService {
  /** The PAC of `instance` (any case) for these parameters; latest version unless one is given. */
  render(instance: string, parameters: PacParameters): Promise<PacFile>;
  /** The same, as prepared bytes with their headers (GET /pac/{instance}). */
  prepared(
    instance: string,
    parameters: PacParameters,
  ): PreparedResponse | Promise<PreparedResponse>;
}

export function createPacService(catalog: Catalog): PacService {
  function prepared(requested: string, parameters: PacParameters) {
    const resolved = catalog.resolve(requested, parameters.version);
    const { instance, version } = resolved;
    const { version: _v, now: _now, ...rest } = parameters;
    // With grace the text depends on today's date: it is part of the key.
    const today =
      parameters.graceSeconds === undefined ? '' : formatYmd(parameters.now ?? new Date());
    // Content identity: the resolved version and every normalised parameter that shapes the text.
    const key = `pac|${instance}|${version}|${JSON.stringify(rest)}|${today}`;
    return catalog.prepared(key, async () => {
      const select = (sets: readonly EndpointSet[]) =>
        filterEndpointSets(sets, {
          ...(parameters.serviceAreas === undefined
            ? {}
            : { serviceAreas: new Set(parameters.serviceAreas) }),
          ...(parameters.tenantName === undefined ? {} : { tenantName: parameters.tenantName }),
          ...(parameters.tenantNames === undefined ? {} : { tenantNames: parameters.tenantNames }),
        });
      const stored = await catalog.sets(resolved);
      // Always through the device view: the instance's local overlay applies to every PAC file.
      const view = await deviceView(catalog, resolved, stored, {
        ...(parameters.graceSeconds === undefined ? {} : { graceSeconds: parameters.graceSeconds }),
        ...(parameters.now === undefined ? {} : { now: parameters.now }),
      });
      const filtered = select(view.published);
      // Labelled entries pass the same filters, one by one so each keeps its origin.
      const labelled = view.labelled.flatMap(({ set, origin }) =>
        select([set]).map((selected) => ({ set: selected, origin })),
      );
      const text = renderPac(filtered, {
        type: parameters.type,
        direct: parameters.direct,
        proxy: parameters.proxy,
        lowercase: parameters.lowercase,
        style: parameters.style,
        ...(parameters.routing === undefined ? {} : { routing: parameters.routing }),
        ...(labelled.length > 0 ? { labelled } : {}),
        ...(view.description.length > 0 ? { selection: view.description } : {}),
        source: { instance, version },
      });
      return prepare(text, PAC_CONTENT_TYPE, {
        headers: {
          'content-disposition': `inline; filename="${instance}.pac"`,
          'x-ipurl-instance': instance,
          'x-ipurl-version': version,
        },
      });
    });
  }

  return {
    prepared,
    async render(requested, parameters) {
      const answer = await prepared(requested, parameters);
      return {
        instance: answer.headers['x-ipurl-instance']!,
        version: answer.headers['x-ipurl-version']!,
        parameters,
        text: answer.body.toString('utf8'),
        etag: answer.etag,
        contentType: answer.contentType,
        prepared: answer,
      };
    },
  };
}
