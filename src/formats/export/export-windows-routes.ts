/**
 * `windows-routes`: a PowerShell script that adds a route per chosen prefix (default Optimize)
 * through the interface a user names, following Microsoft's VPN split-tunnel guidance
 * ("Implementing VPN split tunneling for Microsoft 365": `foreach ($prefix in $destPrefix)
 * {New-NetRoute -DestinationPrefix $prefix -InterfaceIndex $intIndex -NextHop $gateway}` with the
 * interface and default gateway of the internet connection). Routes go into the ActiveStore (they
 * end at reboot, as a VPN session does); running the script again adds only missing routes;
 * `-Remove` deletes them. No PowerShell runs on this project's test machine: the script is
 * checked by a golden file only (docs/formats.md says so).
 *
 * The interface alias is the only user text in the script: ASCII letters, digits, space and
 * `. _ ( ) # -`, written in single quotes (no quote character can occur), and the script takes
 * `-InterfaceAlias` at run time too.
 */
import { IpurlError, describeValue } from '../../core/errors.js';
import { checkName, commentBlock, headerLines, textFile } from './export-model.js';
import { routePrefixes } from './export-routes-model.js';
import type { ExportInput, ExportResult } from './export-types.js';

const ALIAS = /^[A-Za-z0-9 ._()#-]{1,64}$/;
export const INTERFACE_ALIAS_RULE =
  '1–64 ASCII letters, digits, spaces and . _ ( ) # - (e.g. "Wi-Fi", "Ethernet 2")';

export function checkInterfaceAlias(value: string | undefined): string {
  if (value === undefined) {
    throw new IpurlError(
      'ERR_MISSING_PARAMETER',
      'windows-routes needs the Windows interface that reaches the internet: --interface NAME (interface=NAME), ' +
        `${INTERFACE_ALIAS_RULE}; Get-NetAdapter lists the names`,
    );
  }
  if (!ALIAS.test(value) || value.trim() !== value) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `interface ${JSON.stringify(describeValue(value))} is not accepted: expected ${INTERFACE_ALIAS_RULE}, ` +
        'without leading or trailing space (other names: run the script with -InterfaceAlias)',
    );
  }
  return value;
}

function psArray(values: readonly string[]): string {
  return values.length === 0 ? '@()' : `@(\n${values.map((v) => `    '${v}'`).join('\n')}\n)`;
}

export function renderWindowsRoutes(input: ExportInput): ExportResult {
  const name = checkName(input.name);
  const alias = checkInterfaceAlias(input.interfaceAlias);
  const routes = routePrefixes('windows-routes', input);
  const v4 = routes.prefixes[4].map((c) => c.text);
  const v6 = routes.prefixes[6].map((c) => c.text);
  const summary = routes.summaryOf({ ipv4: v4.length, ipv6: v6.length });
  const content =
    commentBlock('#', [
      ...headerLines(summary, input),
      `Routes of categories ${routes.categories.join(', ') || 'none'} through the interface's own default gateway,`,
      'outside the VPN (Microsoft: Implementing VPN split tunneling for Microsoft 365).',
      `Run in an elevated PowerShell after the VPN connected: .\\${name}-routes.ps1 [-InterfaceAlias NAME] [-Remove]`,
      'Routes are added to the ActiveStore (gone after a reboot); running again adds only missing ones.',
    ]) +
    `#Requires -RunAsAdministrator
param(
    [string]$InterfaceAlias = '${alias}',
    [switch]$Remove
)
$ErrorActionPreference = 'Stop'

$ipv4Prefixes = ${psArray(v4)}
$ipv6Prefixes = ${psArray(v6)}

$intIndex = (Get-NetAdapter -Name $InterfaceAlias).ifIndex
foreach ($family in @(
        @{ Default = '0.0.0.0/0'; Prefixes = $ipv4Prefixes },
        @{ Default = '::/0'; Prefixes = $ipv6Prefixes })) {
    if ($family.Prefixes.Count -eq 0) { continue }
    $gateway = Get-NetRoute -InterfaceIndex $intIndex -DestinationPrefix $family.Default -ErrorAction SilentlyContinue |
        Sort-Object -Property RouteMetric | Select-Object -First 1 -ExpandProperty NextHop
    if (-not $Remove -and -not $gateway) {
        Write-Warning "no $($family.Default) default gateway on interface '$InterfaceAlias': $($family.Prefixes.Count) routes not added"
        continue
    }
    foreach ($prefix in $family.Prefixes) {
        $existing = Get-NetRoute -DestinationPrefix $prefix -InterfaceIndex $intIndex -ErrorAction SilentlyContinue
        if ($Remove) {
            if ($existing) { $existing | Remove-NetRoute -Confirm:$false }
        } elseif (-not $existing) {
            New-NetRoute -DestinationPrefix $prefix -InterfaceIndex $intIndex -NextHop $gateway -PolicyStore ActiveStore | Out-Null
        }
    }
}
`;
  return {
    files: [
      textFile(
        `${name}-routes.ps1`,
        'PowerShell script: New-NetRoute per prefix on the named interface',
        ['ipv4', 'ipv6'],
        content,
      ),
    ],
    summary,
  };
}
