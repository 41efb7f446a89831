/**
 * The one parser of a ServiceAreas list, shared by `/endpoints`, `/pac`, `/export` and the CLI's
 * `--service-areas`: comma-separated, any case, spaces around items ignored, `Common` always
 * included (the filter keeps Common sets whatever is asked, so the list says so too). A list that
 * names no area (`,`) counts as absent, like an empty value: the caller applies the default (every
 * area but the opt-in ones).
 */
import {
  canonicalServiceArea,
  DEFAULT_SERVICE_AREAS,
  SERVICE_AREAS,
  type ServiceArea,
} from './endpoint-set.js';
import { IpurlError, describeValue } from './errors.js';

/**
 * Areas in SERVICE_AREAS order, Common included; undefined when the list names none.
 * An unknown area throws ERR_UNKNOWN_SERVICE_AREA naming the parameter, the item and the five
 * accepted values.
 */
export function parseServiceAreas(text: string, parameter: string): ServiceArea[] | undefined {
  const areas = new Set<ServiceArea>();
  for (const item of text.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const area = canonicalServiceArea(trimmed);
    if (area === undefined) {
      throw new IpurlError(
        'ERR_UNKNOWN_SERVICE_AREA',
        `${parameter} contains ${JSON.stringify(describeValue(trimmed))}; accepted: ${SERVICE_AREAS.join(', ')} (comma-separated, any case; Common is always included)`,
      );
    }
    areas.add(area);
  }
  if (areas.size === 0) return undefined;
  areas.add('Common');
  return SERVICE_AREAS.filter((area) => areas.has(area));
}

/** True when the areas are exactly the default ones (same answer as no ServiceAreas at all). */
export function isDefaultServiceAreas(areas: readonly ServiceArea[]): boolean {
  return (
    areas.length === DEFAULT_SERVICE_AREAS.length &&
    DEFAULT_SERVICE_AREAS.every((area) => areas.includes(area))
  );
}
