import { describe, expect, it } from 'vitest';
import { IpurlError } from '../../core/errors.js';
import { pacReturnProblem, parsePacReturn } from './pac-return.js';

describe('PAC return values', () => {
  it.each([
    'DIRECT',
    'PROXY 10.10.10.10:8080',
    'proxy proxy.example.net:3128',
    'PROXY a.example.net:8080; PROXY b.example.net:8080; DIRECT',
    'PROXY a:1;DIRECT;',
    'SOCKS socks:1080',
    'SOCKS4 socks:1080',
    'SOCKS5 socks:1080',
    'HTTPS secure-proxy.example.net:443',
    'HTTP plain:80',
    'PROXY [2001:db8::1]:8080',
    'PROXY under_score.example.net:65535',
  ])('accepts %j', (value) => {
    expect(pacReturnProblem(value)).toBeUndefined();
    expect(parsePacReturn('proxy', value)).toBe(value);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['DIRECTLY', 'not of that form'],
    ['PROXY', 'not of that form'],
    ['PROXY host', 'not of that form'],
    ['PROXY host:0', 'outside 1-65535'],
    ['PROXY host:70000', 'outside 1-65535'],
    ['PROXY -bad-.example:80', 'not a host name'],
    ['FTP host:21', 'not of that form'],
    ['PROXY a:1;;DIRECT', 'not of that form'],
    ['"; return "DIRECT', 'not of that form'],
    ['DIRECT"; alert(1); "', 'not of that form'],
    ['PROXY a:1\nDIRECT', 'not of that form'],
    ['PROXY a:1</script>', 'not of that form'],
    ["PROXY a'b:1", 'not of that form'],
    [`PROXY ${'a'.repeat(1001)}:1`, 'longer than 1000'],
  ])('rejects %j (%s)', (value, why) => {
    expect(pacReturnProblem(value)).toContain(why);
    let caught: unknown;
    try {
      parsePacReturn('proxy', value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IpurlError);
    const error = caught as IpurlError;
    expect(error.code).toBe('ERR_INVALID_PARAMETER');
    // Names the parameter, what was received and what is accepted.
    expect(error.message).toMatch(
      /^proxy must be a PAC return value: "DIRECT" or "<PROXY\|HTTP\|HTTPS\|SOCKS\|SOCKS4\|SOCKS5> host:port"/,
    );
    expect(error.message).toContain('received ');
    expect(error.message).not.toContain('\n');
  });
});
